#!/usr/bin/env bash
# Re-record doc/expected_output.txt: the last lines of the full tutorial run
# on the bundled MNIST, as the "Running it" section of doc/logreg.rst shows
# them.  Usage (from anywhere): tools/record_output.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && python3 "$root/code/logistic_sgd.py") > "$work/out.txt"
tail -n 6 "$work/out.txt" > "$work/tail.txt"
grep -q '^Optimization complete' "$work/tail.txt"
mv "$work/tail.txt" "$root/doc/expected_output.txt"
cat "$root/doc/expected_output.txt"
