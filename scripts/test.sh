#!/bin/sh
# test.sh - sets everything up and runs the whole test suite:
#   1. the normal build's tests (unit, API + threads, CLI and bad inputs, parity against
#      ../shared/data when it exists, skipped otherwise);
#   2. the same tests in an AddressSanitizer + UndefinedBehaviorSanitizer build.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh build
meson test -C build --print-errorlogs

sh scripts/setup.sh build-asan -Db_sanitize=address,undefined -Dc_args=-fno-sanitize-recover=all -Db_lundef=false
ASAN_OPTIONS=detect_leaks=1 meson test -C build-asan --print-errorlogs
echo "test.sh: all suites passed"
