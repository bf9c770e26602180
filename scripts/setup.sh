#!/usr/bin/env bash
# Installs what aisbx needs on this host (through apt-get when root) and builds the aisbx binary when a source
# file is newer than it. Sourced by ./aisbx, ./aisbx-mcp and ./test.sh; prints only when it has something to do.
set -euo pipefail

# Found without a subshell: ./aisbx is on the path of every run, and each fork costs about a millisecond.
aisbx_here="${BASH_SOURCE[0]}"
[[ "$aisbx_here" == /* ]] || aisbx_here="$PWD/$aisbx_here"
AISBX_ROOT="${aisbx_here%/scripts/*}"
unset aisbx_here
AISBX_BUILD="$AISBX_ROOT/.build/aisbx"
AISBX_BIN="$AISBX_BUILD/aisbx"
AISBX_LAUNCHER_BIN="$AISBX_BUILD/aisbx-launch"
AISBX_MCP_BIN="$AISBX_BUILD/aisbx-mcp"
export AISBX_BIN AISBX_LAUNCHER_BIN AISBX_MCP_BIN

aisbx_missing_packages() {
  local missing=()
  command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
  command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
  # (grep -q would end the pipe early, and pipefail would then report ldconfig's SIGPIPE as a failure.)
  local libraries
  libraries="$(ldconfig -p 2>/dev/null || true)"
  grep 'libseccomp\.so\.2' <<<"$libraries" >/dev/null || missing+=(libseccomp2)
  grep 'libacl\.so\.1' <<<"$libraries" >/dev/null || missing+=(libacl1)
  # aisbx build: package trees (mmdebstrap in unshare mode, with uidmap) and images (skopeo, umoci).
  command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
  command -v newuidmap >/dev/null 2>&1 || missing+=(uidmap)
  command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
  command -v umoci >/dev/null 2>&1 || missing+=(umoci)
  # NativeAOT links with a C toolchain and zlib.
  command -v cc >/dev/null 2>&1 || missing+=(gcc)
  [ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
  echo "${missing[@]}"
}

aisbx_ensure_packages() {
  local missing
  missing="$(aisbx_missing_packages)"
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "aisbx: missing packages: $missing. Install them with: sudo apt-get install -y $missing" >&2
    exit 125
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "aisbx: missing packages: $missing, and this host has no apt-get: install them with its package manager" >&2
    exit 125
  fi
  echo "aisbx: installing $missing (apt-get)..." >&2
  # shellcheck disable=SC2086
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing; } >&2 \
    || { echo "aisbx: apt-get could not install $missing" >&2; exit 125; }
}

aisbx_ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "aisbx: the .NET SDK (10.0) is needed to build aisbx: install it (https://learn.microsoft.com/dotnet/core/install/linux-debian), then run this again" >&2
    exit 125
  fi
}

# What the build read, listed after each build: every source file, and every directory that holds them (a new or
# deleted file or directory changes its parent). Checking them costs a stat or two each, in bash: no fork, no find,
# no ldconfig.
# Files are compared with the binaries, which carry the time the build started (an edit made during a build is
# newer); directories with the listing, made after the build (which itself adds bin/ and obj/ beside the sources).
AISBX_SOURCE_FILES="$AISBX_BUILD/sources.files"
AISBX_SOURCE_DIRS="$AISBX_BUILD/sources.dirs"

aisbx_list_sources() {
  find "$AISBX_ROOT/src" \( -name bin -o -name obj \) -prune -o -type f \
       \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.toml' -o -name '*.json' \) -print >"$AISBX_SOURCE_FILES.new"
  printf '%s\n' "$AISBX_ROOT/Directory.Build.props" "$AISBX_ROOT/Directory.Packages.props" "$AISBX_ROOT/global.json" >>"$AISBX_SOURCE_FILES.new"
  find "$AISBX_ROOT/src" \( -name bin -o -name obj \) -prune -o -type d -print >"$AISBX_SOURCE_DIRS.new"
  mv "$AISBX_SOURCE_FILES.new" "$AISBX_SOURCE_FILES"
  mv "$AISBX_SOURCE_DIRS.new" "$AISBX_SOURCE_DIRS"
}

aisbx_is_stale() {
  [ -x "$AISBX_BIN" ] && [ -x "$AISBX_LAUNCHER_BIN" ] && [ -x "$AISBX_MCP_BIN" ] && [ -f "$AISBX_SOURCE_FILES" ] && [ -f "$AISBX_SOURCE_DIRS" ] \
    || return 0
  local entries path
  mapfile -t entries <"$AISBX_SOURCE_FILES"
  for path in "${entries[@]}"; do
    [[ "$path" -nt "$AISBX_BIN" ]] && return 0
  done
  mapfile -t entries <"$AISBX_SOURCE_DIRS"
  for path in "${entries[@]}"; do
    [[ "$path" -nt "$AISBX_SOURCE_DIRS" ]] && return 0
  done
  return 1
}

aisbx_ensure_built() {
  aisbx_is_stale || return 0
  aisbx_ensure_packages
  aisbx_ensure_dotnet
  mkdir -p "$AISBX_ROOT/.build"
  # One build at a time: parallel callers wait for it, then find it fresh.
  exec 9>"$AISBX_ROOT/.build/build.lock"
  flock 9
  if aisbx_is_stale; then
    echo "aisbx: building (NativeAOT, about a minute the first time)..." >&2
    local log="$AISBX_ROOT/.build/build.log"
    local started="$AISBX_ROOT/.build/build.started"
    touch "$started"
    # aisbx, its front for runs (aisbx-run), the launcher it starts inside every sandbox, and the MCP server, side by side.
    if ! { dotnet publish "$AISBX_ROOT/src/Aisbx.Launcher/Aisbx.Launcher.csproj" -c Release -o "$AISBX_BUILD" --nologo \
           && dotnet publish "$AISBX_ROOT/src/Aisbx.Cli/Aisbx.Cli.csproj" -c Release -o "$AISBX_BUILD" --nologo \
           && dotnet publish "$AISBX_ROOT/src/Aisbx.Run/Aisbx.Run.csproj" -c Release -o "$AISBX_BUILD" --nologo \
           && dotnet publish "$AISBX_ROOT/src/Aisbx.Server/Aisbx.Server.csproj" -c Release -o "$AISBX_BUILD" --nologo; } >"$log" 2>&1; then
      grep -E 'error|Error' "$log" | head -20 >&2
      echo "aisbx: the build failed; the full log is in $log" >&2
      exit 125
    fi
    # Left by builds from before aisbx-mcp was NativeAOT (issue 13): its assemblies, deps and runtimeconfig.
    rm -f "$AISBX_BUILD"/*.dll "$AISBX_BUILD"/*.pdb "$AISBX_BUILD"/aisbx-mcp.deps.json "$AISBX_BUILD"/aisbx-mcp.runtimeconfig.json "$AISBX_BUILD"/web.config
    touch -r "$started" "$AISBX_BIN" "$AISBX_BUILD/aisbx-run" "$AISBX_LAUNCHER_BIN" "$AISBX_MCP_BIN"
    aisbx_list_sources
  fi
  flock -u 9
}

# The MCP specs drive aisbx-mcp with Node clients (the official TypeScript SDK and conformance suite, pinned in
# tests/mcp-clients/package-lock.json). Only ./test.sh needs them.
aisbx_ensure_node_clients() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "aisbx: installing nodejs and npm (apt-get) for the MCP client specs..." >&2
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm; } >&2 \
        || { echo "aisbx: apt-get could not install nodejs and npm" >&2; exit 125; }
    else
      echo "aisbx: the MCP specs need Node.js 18+ and npm: install them (apt-get install nodejs npm)" >&2
      exit 125
    fi
  fi
  local clients="$AISBX_ROOT/tests/mcp-clients"
  if [ ! -f "$clients/node_modules/.package-lock.json" ] || [ "$clients/package-lock.json" -nt "$clients/node_modules/.package-lock.json" ]; then
    echo "aisbx: installing the MCP test clients (npm ci)..." >&2
    (cd "$clients" && npm ci --no-audit --no-fund --loglevel=error >&2) || { echo "aisbx: npm ci failed in $clients" >&2; exit 125; }
  fi
}

# Packages are checked (ldconfig, command -v) only when a build is due: a fresh binary costs one stat per source.
aisbx_setup() {
  aisbx_ensure_built
}
