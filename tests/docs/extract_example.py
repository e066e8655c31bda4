#!/usr/bin/python3
"""extract_example.py GUIDE.md SOURCE_DIR OUTDIR: applies the recipes of docs/extending.md to
copies in OUTDIR. Each ```c block after "<!-- example: PATH -->" is either a new file (PATH does
not exist: written as OUTDIR/basename) or lines to add to an existing registry (PATH exists: a
copy is written to OUTDIR/basename with the block's declarations after the file's last
#include or extern line, and its table entries, the lines starting with &, at the start of
its `registry[] = {` table)."""
import os
import re
import sys

guide, source, outdir = sys.argv[1:4]
text = open(guide, encoding="utf-8").read()
blocks = re.findall(r"<!-- example: (\S+) -->\s*```c\n(.*?)```", text, re.S)
if not blocks:
    sys.exit(f"{guide}: no ```c block after an <!-- example: PATH --> line")
for path, code in blocks:
    out = os.path.join(outdir, os.path.basename(path))
    original = os.path.join(source, path)
    if not os.path.exists(original):
        with open(out, "w") as f:
            f.write(code)
        continue
    lines = open(original, encoding="utf-8").read().splitlines()
    add = code.splitlines()
    decls = [ln for ln in add if not ln.strip().startswith("&")]
    entries = [ln for ln in add if ln.strip().startswith("&")]
    table = next((i for i, ln in enumerate(lines) if "registry[] = {" in ln), None)
    last = max((i for i, ln in enumerate(lines[:table]) if ln.startswith(("#include", "extern"))), default=None)
    if table is None or last is None or not entries:
        sys.exit(f"{guide}: cannot apply the block for {path}: it needs table entries (&...), and {path} a registry[] table")
    head, rest = lines[table].split("registry[] = {", 1)
    lines[table:table + 1] = [head + "registry[] = {", *entries, rest] if rest.strip() else [lines[table], *entries]
    lines[last + 1:last + 1] = decls
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
