# testlib.sh — sourced by the shell tests: `source testlib.sh BASE` empties BASE, sets $base
# and $here (this folder), and counts assertions: ok, bad MESSAGE, finish (prints
# "N passed, M failed" and returns non-zero on any failure). less A B: A < B for decimals.
set -uo pipefail
base=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rm -rf "$base"
mkdir -p "$base"
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
less() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
finish() {
  echo "$passed passed, $failed failed"
  [[ $failed -eq 0 ]]
}
