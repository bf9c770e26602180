#!/usr/bin/env bash
# Sourced by ./aisbx for "./aisbx install" only, after scripts/setup.sh (kept apart: every other run parses less).

# ./aisbx install [--prefix DIR]: copies the built binaries to DIR/lib/aisbx (default /usr/local when root, else
# ~/.local) and links aisbx and aisbx-mcp into DIR/bin, for a plain command that never checks the sources again.
aisbx_install() {
  local prefix
  if [ "$(id -u)" -eq 0 ]; then prefix=/usr/local; else prefix="$HOME/.local"; fi
  while [ $# -gt 0 ]; do
    case "$1" in
      --prefix) [ $# -ge 2 ] || { echo "aisbx: install: --prefix needs a directory" >&2; exit 125; }; prefix="$2"; shift 2 ;;
      --prefix=*) prefix="${1#--prefix=}"; shift ;;
      *) echo "aisbx: install: unknown argument '$1': use ./aisbx install [--prefix DIR]" >&2; exit 125 ;;
    esac
  done
  aisbx_setup
  local lib="$prefix/lib/aisbx" bin="$prefix/bin"
  mkdir -p "$lib.new" "$bin" || { echo "aisbx: install: cannot create $lib or $bin: choose another --prefix" >&2; exit 125; }
  cp -a "$AISBX_BUILD"/. "$lib.new"/ && rm -f "$lib.new/sources.files" "$lib.new/sources.dirs"
  rm -rf "$lib.old"
  if [ -e "$lib" ]; then mv "$lib" "$lib.old"; fi
  mv "$lib.new" "$lib" && rm -rf "$lib.old"
  # aisbx on PATH is a two-line sh: runs go to aisbx-run (the small front that starts faster), the rest to aisbx.
  case $lib in *"'"*) echo "aisbx: install: the prefix may not contain a single quote: choose another --prefix" >&2; exit 125 ;; esac
  rm -f "$bin/aisbx"
  printf '%s\n' '#!/bin/sh' "# Installed by aisbx install: 'run' goes to aisbx-run, which hands to aisbx what it does not take itself." \
    "aisbx_word=\${1-}; case \$aisbx_word in --config) aisbx_word=\${3-} ;; --config=*) aisbx_word=\${2-} ;; esac" \
    "[ \"\$aisbx_word\" = run ] && exec '$lib/aisbx-run' \"\$@\"" \
    "exec '$lib/aisbx' \"\$@\"" >"$bin/aisbx"
  chmod 755 "$bin/aisbx"
  ln -sfn "$lib/aisbx-mcp" "$bin/aisbx-mcp"
  echo "aisbx: installed aisbx and aisbx-mcp in $bin (the programs in $lib)" >&2
  case ":$PATH:" in
    *":$bin:"*) ;;
    *) echo "aisbx: $bin is not on PATH: add it (export PATH=\"$bin:\$PATH\")" >&2 ;;
  esac
}
