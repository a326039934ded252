#!/usr/bin/env bash
# Full test run: build, typecheck, jest (unit + e2e against the built daemon), simulation.
# Every stage runs even if an earlier one failed; the last line is always
#   tests: N passed, M failed
# where N/M add up jest's test counts and the simulation's seed counts. A stage that fails without
# reporting any failed test (build or typecheck error, a jest suite that cannot load, a simulator
# crash) adds 1 to M, so the summary never says "0 failed" when the exit status is non-zero.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

SIM_SEEDS="${SIM_SEEDS:-2000}"
passed=0
failed=0
status=0
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

stage() { printf '\n=== %s\n' "$*"; }

stage_failed() { # <name> <rc>
  echo "=== $1 FAILED (exit $2)" >&2
  status=1
}

# Build first: the e2e suite runs the built daemon and CLI from dist/.
stage "build"
rc=0; npm run build || rc=$?
if (( rc != 0 )); then stage_failed build "$rc"; failed=$((failed + 1)); fi

stage "typecheck"
rc=0; npm run typecheck || rc=$?
if (( rc != 0 )); then stage_failed typecheck "$rc"; failed=$((failed + 1)); fi

stage "jest"
rc=0; ./node_modules/.bin/jest -c jest.swc.config.js --ci --json --outputFile="$tmp/jest.json" || rc=$?
jest_counts="$(node -e '
  try {
    const r = require(process.argv[1]);
    const extraFailed = r.numFailedTests === 0 ? r.numFailedTestSuites : 0;
    console.log(r.numPassedTests, r.numFailedTests, extraFailed);
  } catch { console.log("x"); }
' "$tmp/jest.json")"
if [[ "$jest_counts" == x ]]; then
  echo "=== jest wrote no results" >&2
  failed=$((failed + 1))
else
  read -r jp jf jx <<<"$jest_counts"
  passed=$((passed + jp))
  failed=$((failed + jf))
  # Suites that failed outside any test (e.g. a compile error) count once each.
  if (( rc != 0 && jf == 0 )); then failed=$((failed + (jx > 0 ? jx : 1))); fi
fi
if (( rc != 0 )); then stage_failed jest "$rc"; fi

# The simulation, as the daemon runs Raft (leader and follower read leases) and without leases.
sim_stage() { # <extra sim args...>
  local rc=0 summary
  stage "sim --seeds $SIM_SEEDS $*"
  npm run sim -- --seeds "$SIM_SEEDS" --jobs 2 "$@" 2>&1 | tee "$tmp/sim.log" || rc=$?
  summary="$(grep -E '^sim: [0-9]+ passed, [0-9]+ failed$' "$tmp/sim.log" | tail -n 1 || true)"
  if [[ -n "$summary" ]]; then
    read -r _ sp _ sf _ <<<"${summary//,/}"
    passed=$((passed + sp))
    failed=$((failed + sf))
    if (( rc != 0 && sf == 0 )); then failed=$((failed + 1)); fi
  else
    echo "=== sim printed no 'sim: N passed, M failed' line" >&2
    failed=$((failed + 1))
    (( rc != 0 )) || rc=1
  fi
  if (( rc != 0 )); then stage_failed sim "$rc"; fi
}
sim_stage
sim_stage --lease-reads

if (( failed > 0 )); then status=1; fi
echo "tests: $passed passed, $failed failed"
exit "$status"
