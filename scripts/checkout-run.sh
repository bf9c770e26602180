#!/usr/bin/env bash
# The checkout's slow path behind ./aisbx: installs what aisbx needs, rebuilds when a source changed, then runs the
# binary (which then skips its own freshness check); or './aisbx install [--prefix DIR]'. ./aisbx runs it when the
# binary is missing, and the binary execs it when it finds itself stale.
set -euo pipefail
unset AISBX_CHECKOUT
source "${BASH_SOURCE[0]%/*}/setup.sh"
if [ "${1:-}" = install ]; then
  shift
  source "$AISBX_ROOT/scripts/install.sh"
  aisbx_install "$@"
  exit 0
fi
aisbx_setup
exec "$AISBX_BIN" "$@"
