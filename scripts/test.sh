#!/usr/bin/env bash
# The one test command (`npm test`): build, then every test file under test/
# with Node's test runner (TypeScript through tsx).
#   npm test                       build + whole suite
#   npm test -- test/unit/x.test.ts   build + the named files
#   npm run test:unit -- FILES     no build (quick loop while developing)
# fast-check seeds: fixed in CI (CI=true) or by MAILPKI_FC_SEED=N, random otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
build=1
if [ "${1:-}" = "--no-build" ]; then build=0; shift; fi
if [ "$build" = 1 ]; then npm run --silent build; fi
if [ "$#" -gt 0 ]; then files=("$@"); else mapfile -t files < <(find test -name '*.test.ts' | sort); fi
exec node --import tsx --import ./test/helpers/fast-check-seed.ts --test --test-concurrency=2 --test-timeout=900000 --test-reporter=spec "${files[@]}"
