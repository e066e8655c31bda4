#!/usr/bin/python3
"""extract_example.py GUIDE.md REGISTRY.c OUTDIR: applies docs/extending.md's recipe for a new
model to copies in OUTDIR. The code block after "<!-- example: guess.c -->" becomes
OUTDIR/guess.c; the block after "<!-- example: registry.c -->" is added to a copy of the
registry, its extern lines after the last extern declaration, its table lines at the start
of the table."""
import re
import sys

guide, registry, outdir = sys.argv[1:4]
text = open(guide, encoding="utf-8").read()


def block(name):
    m = re.search(r"<!-- example: " + re.escape(name) + r" -->\s*```c\n(.*?)```", text, re.S)
    if not m:
        sys.exit(f"{guide}: no ```c block after <!-- example: {name} -->")
    return m.group(1)


with open(f"{outdir}/guess.c", "w") as f:
    f.write(block("guess.c"))
lines = open(registry, encoding="utf-8").read().splitlines()
add = block("registry.c").splitlines()
externs = [ln for ln in add if ln.strip().startswith("extern")]
entries = [ln for ln in add if ln.strip().startswith("&")]
last_extern = max(i for i, ln in enumerate(lines) if ln.startswith("extern"))
table = next(i for i, ln in enumerate(lines) if "registry[] = {" in ln)
if not externs or not entries or table < last_extern:
    sys.exit(f"{guide}: the registry block needs an extern line and a table entry; {registry} its externs before the table")
lines[table + 1:table + 1] = entries
lines[last_extern + 1:last_extern + 1] = externs
with open(f"{outdir}/registry.c", "w") as f:
    f.write("\n".join(lines) + "\n")
