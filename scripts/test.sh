#!/bin/sh
# test.sh - sets everything up and runs the whole test suite:
#   1. the native build: unit tests, kernel-equivalence harness (every ISA this CPU runs),
#      API + threads, CLI and bad inputs, parity against ../shared/data per ISA (skipped
#      when ../shared is absent), cross-ISA byte identity;
#   2. the same in an AddressSanitizer + UndefinedBehaviorSanitizer build;
#   3. the aarch64 (NEON) cross build under qemu-user: the kernel harness, unit, API and
#      CLI tests and a parity subset (skipped when ../shared, which has the cross file, is absent).
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh build
meson test -C build --print-errorlogs

sh scripts/setup.sh build-asan -Db_sanitize=address,undefined -Dc_args=-fno-sanitize-recover=all -Db_lundef=false
ASAN_OPTIONS=detect_leaks=1 meson test -C build-asan --print-errorlogs --timeout-multiplier 3

if [ -f ../shared/toolchain/aarch64-linux-gnu.ini ]; then
    VOX_CROSS=aarch64 sh scripts/setup.sh build-aarch64 -Dparity_subset='^(cavity|pocket|pore|hub|1aki|1l2y|3o5r)\.'
    meson test -C build-aarch64 --print-errorlogs --timeout-multiplier 3 \
        units api checkasm header_vox header_version cli parity parity_scalar parity_neon appendix_a
    # dispatch on a core without SVE and with fewer features
    QEMU_CPU=cortex-a53 meson test -C build-aarch64 --print-errorlogs checkasm parity_neon
else
    echo "test.sh: SKIP aarch64 cross build: ../shared/toolchain/aarch64-linux-gnu.ini not found"
fi
echo "test.sh: all suites passed"
