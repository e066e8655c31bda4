#!/bin/bash
# check_options.sh ICLSWEEP SOURCE_DIR WORK_DIR: regenerates the options reference from
# `iclsweep run -help` into WORK_DIR and fails, showing the diff, when docs/options.md differs.
set -euo pipefail
bin=$1 src=$2 work=$3
mkdir -p "$work"
/usr/bin/python3 "$src/tests/docs/gen_options.py" "$bin" "$work/options.md"
if ! diff -u "$src/docs/options.md" "$work/options.md"; then
  echo "docs/options.md is stale: run tests/docs/gen_options.py build/iclsweep docs/options.md and commit it"
  exit 1
fi
echo "docs/options.md matches iclsweep run -help"
