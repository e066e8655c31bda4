#!/usr/bin/python3
"""check_links.py SOURCE_DIR: every relative link of README.md and docs/**/*.md points to a file
that exists (anchors and web links are not followed)."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
pages = [root / "README.md", *sorted((root / "docs").glob("**/*.md"))]
broken = []
for page in pages:
    for n, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        for target in re.findall(r"\]\(([^)\s]+)\)", line):
            path = target.split("#")[0]
            if not path or re.match(r"[a-z]+:", path):
                continue
            if not (page.parent / path).exists():
                broken.append(f"{page.relative_to(root)}:{n}: {target}")
print("\n".join(broken) or f"every relative link of {len(pages)} pages resolves")
sys.exit(1 if broken else 0)
