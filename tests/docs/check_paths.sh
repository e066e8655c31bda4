#!/bin/bash
# check_paths.sh SOURCE_DIR: no tracked text file may hold a path of the machine it was written
# on (a home, root's home, the development work tree, a temporary directory): the repository
# must read the same on every clone. Lines that make a temporary directory (mktemp, TMPDIR)
# are fine. Exit 77 (skipped) outside a git checkout.
set -uo pipefail
cd "$1" || exit 2
files=$(git ls-files 2>/dev/null) || { echo "not a git checkout: skipped"; exit 77; }
# grep -I skips binary files (figures); the pattern is written so this file does not match it
hits=$(printf '%s\n' "$files" | tr '\n' '\0' | xargs -0 grep -InE '(^|[^[:alnum:]_.$}])/(work|tmp|root|home)/' -- 2>/dev/null |
       grep -vE 'mktemp|TMPDIR')
if [ -n "$hits" ]; then
  echo "absolute machine paths in tracked files (record paths relative to the run, or the file name):"
  printf '%s\n' "$hits"
  exit 1
fi
echo "no absolute machine paths in $(printf '%s\n' "$files" | wc -l) tracked files"
