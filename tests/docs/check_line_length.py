#!/usr/bin/python3
"""check_line_length.py SOURCE_DIR [LIMIT]: no line of the C sources (src/, tests/) longer than
LIMIT characters (default 250, the ColumnLimit of .clang-format); lists every offender."""
import pathlib
import sys

root = pathlib.Path(sys.argv[1])
limit = int(sys.argv[2]) if len(sys.argv) > 2 else 250
files = sorted(p for pattern in ("src/**/*.[ch]", "tests/**/*.[ch]") for p in root.glob(pattern))
long_lines = [(f.relative_to(root), n, len(line))
              for f in files
              for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1) if len(line) > limit]
for f, n, length in long_lines:
    print(f"{f}:{n}: {length} characters (limit {limit})")
if long_lines:
    sys.exit(f"{len(long_lines)} lines longer than {limit} characters: wrap them (clang-format -i --lines=N:N FILE)")
print(f"{len(files)} C files, every line within {limit} characters")
