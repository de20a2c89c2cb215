#!/usr/bin/env bash
# Prints the path of libfaketime.so.1 (Debian's libfaketime), installing the
# package with apt-get first if it is missing, as root or through sudo. The
# clock tests of packages/rpc-server (test/reliability/clock.test.ts) preload
# it into a server process to move that process's wall clock.
set -euo pipefail
# shellcheck source=debian-packages.sh
source "$(dirname "${BASH_SOURCE[0]}")/debian-packages.sh"

find_library() {
  dpkg -L libfaketime 2>/dev/null | grep -m1 '/libfaketime\.so\.1$' || true
}

library="$(find_library)"
if [ -z "$library" ]; then
  echo "libfaketime: installing Debian's libfaketime (apt-get)" >&2
  apt_install libfaketime
  library="$(find_library)"
fi
if [ -z "$library" ] || [ ! -e "$library" ]; then
  echo "libfaketime: libfaketime.so.1 not found; install libfaketime (Debian, Ubuntu: apt-get install libfaketime)" >&2
  exit 1
fi
echo "$library"
