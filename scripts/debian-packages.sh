# Installs Debian packages for the scripts that need them (sourced, not run):
# wine-setup.sh (Wine) and libfaketime.sh (libfaketime).
#
#   apt_install PACKAGE...   as root, or through sudo; apt's output on stderr

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Refreshes the package lists only if the install cannot find the packages without.
apt_install() {
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2; then
    as_root apt-get update -qq >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
  fi
}
