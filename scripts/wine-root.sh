#!/usr/bin/env bash
# A newer Wine than the host's, for node.exe 24 and later: Debian 13's Wine 10
# in a Debian 13 root under .wine/root-trixie/, made once with debootstrap from
# Debian's own mirror (nothing but Debian's packages). Debian 12's Wine 8
# cannot start node.exe 24+ (see scripts/wine-setup.sh, step 5), and
# installing Debian 13's Wine on the host would replace its C library.
#
#   scripts/wine-root.sh setup          make the root (root or sudo; about 3 minutes, 2.3 GB)
#   scripts/wine-root.sh exec CMD...    run CMD inside it, in the current directory
#
# `exec` runs CMD in a mount namespace of its own: the repository is
# bind-mounted at its own path inside the root, with /proc and /dev, so every
# path means the same inside and out, and the mounts end with CMD — nothing
# stays mounted, and deleting .wine/ never reaches into the repository.
# Processes in separate `exec`s share the root's /tmp, so the wineserver one
# starts serves the next.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$repo/.wine/root-trixie"
mirror="http://deb.debian.org/debian"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo --preserve-env "$@"; fi
}

setup() {
  if [ -f "$root/.localwire-ready" ]; then return; fi
  echo "== wine-root.sh: making a Debian 13 root with its Wine in $root (once)"
  if ! command -v debootstrap >/dev/null 2>&1; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap ||
      { as_root apt-get update && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap; }
  fi
  as_root rm -rf "$root"
  mkdir -p "$(dirname "$root")"
  as_root debootstrap --variant=minbase trixie "$root" "$mirror" >"$repo/.wine/debootstrap.log" 2>&1 || {
    tail -n 20 "$repo/.wine/debootstrap.log" >&2
    echo "wine-root.sh: debootstrap of Debian 13 from $mirror failed (log above)" >&2
    exit 1
  }
  as_root cp /etc/resolv.conf "$root/etc/resolv.conf"
  # minbase has no hosts file, and vitest under node.exe looks up localhost.
  printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' |
    as_root tee "$root/etc/hosts" >/dev/null
  as_root chroot "$root" bash -c 'apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wine64 wine' \
    >"$repo/.wine/root-apt.log" 2>&1 || {
    tail -n 20 "$repo/.wine/root-apt.log" >&2
    echo "wine-root.sh: installing Wine in the Debian 13 root failed (log above)" >&2
    exit 1
  }
  as_root touch "$root/.localwire-ready"
  echo "== wine-root.sh: $(run wine --version) ready"
}

# Runs "$@" inside the root, from the current directory.
run() {
  if [ ! -f "$root/.localwire-ready" ]; then
    echo "wine-root.sh: no root yet: run scripts/wine-root.sh setup" >&2
    exit 1
  fi
  # The inner script gets: root, repo, cwd, then the command.
  as_root unshare --mount --propagation private -- bash -c '
    set -e
    root="$1" repo="$2" cwd="$3"
    shift 3
    mkdir -p "$root$repo"
    mount --bind "$repo" "$root$repo"
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    # Wine 10 wants a runtime directory, and complains on every start without one.
    mkdir -p -m 0700 "$root/tmp/xdg-runtime"
    export XDG_RUNTIME_DIR=/tmp/xdg-runtime
    exec chroot "$root" bash -c "cd \"\$0\" && exec \"\$@\"" "$cwd" "$@"
  ' wine-root "$root" "$repo" "$PWD" "$@"
}

case "${1:-}" in
  setup) setup ;;
  exec)
    shift
    run "$@"
    ;;
  *)
    echo "usage: wine-root.sh setup | wine-root.sh exec CMD..." >&2
    exit 2
    ;;
esac
