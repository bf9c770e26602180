#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, builds aisbx, runs every test project, and ends with
# one line "N passed, N failed, N skipped".
set -uo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/scripts/setup.sh"
aisbx_ensure_packages
aisbx_setup
aisbx_ensure_node_clients
cd "$AISBX_ROOT"

# Every built-in profile's environment, in one store that all the tests' config directories share (tests/Shared/
# TestTrees.cs): built once (a few minutes, mostly dpkg), a no-op afterwards.
export AISBX_ROOTFS="$AISBX_ROOT/.build/test-trees/rootfs" AISBX_CACHE="$AISBX_ROOT/.build/test-trees/cache"
"$AISBX_BIN" build --all || { echo "aisbx: building the profiles' environments failed (see above)"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

results="$AISBX_ROOT/.build/test-results"
rm -rf "$results"
dotnet test Aisbx.slnx --nologo --logger "trx" --results-directory "$results" "$@"
status=$?

# Sum the counters of every project's TRX file into the closing line CI reads.
passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -1)"
  count() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$((passed + $(count passed)))
  failed=$((failed + $(count failed) + $(count error) + $(count timeout)))
  skipped=$((skipped + $(count notExecuted)))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
