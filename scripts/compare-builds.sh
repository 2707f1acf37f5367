#!/usr/bin/env bash
# Starts the built-in router of two builds of this project side by side and runs
# `perf-gate compare` between them: the merge-request job's worked example
# (.gitlab-ci.perf.yml, perf-gate:compare). For your own service, start its two builds the
# same way and give their URLs to perf-gate compare.
#
#   scripts/compare-builds.sh BASELINE_DIR CANDIDATE_DIR [perf-gate compare options...]
#
# Each DIR is a checkout with `npm ci` done (dist/ built). Extra options go to perf-gate
# compare (--policy, --scenario, --budget, reports); the targets are filled in here.
# Exits with perf-gate's code: 0 pass, 1 regression, 2 bad input, 3 inconclusive.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 BASELINE_DIR CANDIDATE_DIR [perf-gate compare options...]" >&2
  exit 2
fi
base_dir=$1
cand_dir=$2
shift 2
ROUTER_ARGS=${ROUTER_ARGS:---workers 16 --service-time 2ms --service-dist fixed}

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "${work:-}" ] && rm -rf "$work"
}
trap cleanup EXIT

# Starts one build's router on a free port, its first line (JSON with the URL) to a file.
# In this shell, not a subshell, so the trap above can stop it.
start_router() {
  # shellcheck disable=SC2086
  node "$1/dist/cli/builtin-router.js" --port 0 $ROUTER_ARGS >"$2" 2>"$2.err" &
  pids+=($!)
}

# Prints a started router's base URL once it has said where it listens.
router_url() {
  for _ in $(seq 1 100); do
    if grep -q "^{.*}$" "$1" 2>/dev/null; then
      node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").split("\n")[0]; process.stdout.write(JSON.parse(l).http)' "$1"
      return 0
    fi
    sleep 0.1
  done
  echo "compare-builds: a router did not start: $(cat "$1.err" 2>/dev/null)" >&2
  return 2
}

work=$(mktemp -d)
start_router "$base_dir" "$work/baseline"
start_router "$cand_dir" "$work/candidate"
base_url=$(router_url "$work/baseline")
cand_url=$(router_url "$work/candidate")
here=$(cd "$(dirname "$0")/.." && pwd)
set +e
node "$here/dist/cli/perf-gate.js" compare \
  --baseline-target "$base_url/api/v1/routes/decide" \
  --candidate-target "$cand_url/api/v1/routes/decide" \
  "$@"
code=$?
exit $code
