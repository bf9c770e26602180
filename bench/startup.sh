#!/usr/bin/env bash
# Start-up overhead of aisbx over bare bubblewrap, measured in one interleaved run.
#
#   bench/startup.sh [RUNS]        (default 200)
#
# Each round runs, back to back and in rotating order:
#   exec     /bin/true directly                               (the machine's floor)
#   bwrap    the exact bubblewrap command aisbx would run     (from 'aisbx run --dry-run'; through setpriv when root)
#   aisbx    aisbx run -- /bin/true                           (policy, profile, workspace, spawn, wait, cleanup)
# and prints the median, p90 and the ratio of the medians. Every command is started the same way (fork+exec from
# this bash), so the shell's own cost is the same on every side.
set -euo pipefail
runs="${1:-200}"
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../scripts/setup.sh"
aisbx_setup

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/config" "$scratch/work/ws"
echo "[workdir]
allowed_roots = [\"$scratch/work\"]" > "$scratch/config/config.toml"
aisbx=("$AISBX_BIN" --config "$scratch/config")

# One real run first: it gives the unprivileged uid access to the scratch workdir, as every run does.
"${aisbx[@]}" run -w "$scratch/work/ws" -- /bin/true

# The bubblewrap command aisbx runs, with its workspace bound by path and its generated files from real files.
dry="$("${aisbx[@]}" run -w "$scratch/work/ws" --dry-run -- /bin/true)"
bare_line="$(python3 - "$dry" "$scratch" <<'PY'
import re, sys
line, scratch = sys.argv[1], sys.argv[2]
def keep(m):
    fd, body = m.group(1), m.group(2).replace("'\\''", "'")
    path = f"{scratch}/data{fd}"
    open(path, "w").write(body)
    return f" {fd}<{path}"
print(re.sub(r" (\d+)< <\(printf '%s' '((?:[^']|'\\\\'')*)'\)", keep, line, flags=re.S))
PY
)"
[ -n "$bare_line" ] || { echo "could not build the bare bubblewrap command" >&2; exit 1; }
eval "$bare_line" || { echo "the bare bubblewrap command failed: $bare_line" >&2; exit 1; }

# Microseconds between two $EPOCHREALTIME readings (bash's own clock: no process is started to read it).
micros() { echo $(( ${2/./} - ${1/./} )); }
declare -a t_exec t_bwrap t_aisbx
measure() {
  local start end
  case "$1" in
    exec)  start=$EPOCHREALTIME; /bin/true; end=$EPOCHREALTIME; t_exec+=($(micros "$start" "$end")) ;;
    bwrap) start=$EPOCHREALTIME; eval "$bare_line" </dev/null; end=$EPOCHREALTIME; t_bwrap+=($(micros "$start" "$end")) ;;
    aisbx) start=$EPOCHREALTIME; "${aisbx[@]}" run -w "$scratch/work/ws" -- /bin/true </dev/null; end=$EPOCHREALTIME; t_aisbx+=($(micros "$start" "$end")) ;;
  esac
}

for _ in $(seq 10); do measure bwrap; measure aisbx; done   # warm-up, not counted
t_exec=() t_bwrap=() t_aisbx=()
for i in $(seq "$runs"); do
  case $((i % 3)) in
    0) measure exec; measure bwrap; measure aisbx ;;
    1) measure bwrap; measure aisbx; measure exec ;;
    2) measure aisbx; measure exec; measure bwrap ;;
  esac
done

stat() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%.2f %.2f", a[int((NR+1)/2)]/1000, a[int(NR*0.9)]/1000}'; }
read -r m_exec p_exec <<<"$(stat "${t_exec[@]}")"
read -r m_bwrap p_bwrap <<<"$(stat "${t_bwrap[@]}")"
read -r m_aisbx p_aisbx <<<"$(stat "${t_aisbx[@]}")"
echo "runs: $runs each, interleaved; $(nproc) cores; $(bwrap --version); user $(id -un)"
printf '%-8s median %7.2f ms   p90 %7.2f ms\n' exec "$m_exec" "$p_exec" bwrap "$m_bwrap" "$p_bwrap" aisbx "$m_aisbx" "$p_aisbx"
awk -v a="$m_aisbx" -v b="$m_bwrap" 'BEGIN { printf "aisbx / bwrap: %.2fx (aisbx adds %.2f ms)\n", a / b, a - b }'
