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
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# Starts one build's router on a free port; prints its base URL once it answers /healthz.
start_router() {
  local dir=$1 out
  out=$(mktemp)
  # shellcheck disable=SC2086
  node "$dir/dist/cli/builtin-router.js" --port 0 $ROUTER_ARGS >"$out" &
  pids+=($!)
  for _ in $(seq 1 100); do
    if [ -s "$out" ]; then
      node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").split("\n")[0]; process.stdout.write(JSON.parse(l).http)' "$out"
      return 0
    fi
    sleep 0.1
  done
  echo "compare-builds: the router in $dir did not start" >&2
  return 2
}

base_url=$(start_router "$base_dir")
cand_url=$(start_router "$cand_dir")
here=$(cd "$(dirname "$0")/.." && pwd)
set +e
node "$here/dist/cli/perf-gate.js" compare \
  --baseline-target "$base_url/api/v1/routes/decide" \
  --candidate-target "$cand_url/api/v1/routes/decide" \
  "$@"
code=$?
exit $code
