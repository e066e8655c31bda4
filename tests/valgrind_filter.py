#!/usr/bin/python3
"""valgrind_filter.py SRCDIR LOG...: count Valgrind errors that belong to iclsweep's code.

Open MPI, PMIx, hwloc and HDF5 report their own uninitialised bytes and one-off leaks; an
error is ours when the first stack frame outside the allocator and libc wrappers is in one of
our source files. Prints every such error and exits 1 if there is any."""
import pathlib
import re
import sys

WRAPPERS = re.compile(r"^(malloc|calloc|realloc|free|memcpy|memmove|memset|strlen|strcmp|strncmp|"
                      r"Petsc(Malloc|Free|Realloc|Calloc|Strallocpy|MallocAlign|FreeAlign|ReallocAlign)\w*|"
                      r"__\w+|operator new.*)$")
FRAME = re.compile(r"==\d+==\s+(?:at|by) 0x[0-9A-F]+: (\S+) \((?:in )?([^):]+)")


def ours(block, sources):
    for func, where in FRAME.findall(block):
        if WRAPPERS.match(func):
            continue
        return pathlib.Path(where).name in sources
    return False


def main(argv):
    sources = {p.name for p in pathlib.Path(argv[1]).rglob("*.c")}
    found = 0
    for log in argv[2:]:
        text = pathlib.Path(log).read_text(errors="replace")
        for block in re.split(r"\n==\d+== \n", text):
            if ("Invalid" in block or "uninitialised" in block or "definitely lost" in block
                    or "Mismatched" in block) and ours(block, sources):
                found += 1
                print(block.strip(), "\n")
    print(f"{found} Valgrind errors in iclsweep's code")
    print(f"{1 if not found else 0} passed, {1 if found else 0} failed")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
