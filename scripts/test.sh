#!/bin/sh
# test.sh - sets everything up and runs the whole test suite:
#   1. the native build: unit tests, kernel-equivalence harness (every ISA this CPU runs),
#      API + threads, tuning profiles and voxtune, CLI and bad inputs, parity against
#      ../shared/data per ISA (skipped when ../shared is absent), byte identity across ISAs,
#      thread counts and profiles;
#   2. the same in an AddressSanitizer + UndefinedBehaviorSanitizer build, then the libFuzzer targets
#      (tests/fuzz: loaders, pipeline, profile, the command's JSON readers, DCD) for a fixed number of runs;
#   3. the aarch64 (NEON) cross build under qemu-user: the kernel harness, unit, API and
#      CLI tests and a parity subset (skipped when ../shared, which has the cross file, is absent);
#   4. the benchmarks: the quick run and the thread-scaling run (timings are reported, never
#      asserted; the scaling run fails only if thread counts give different tables), then the regression
#      gate on deterministic instruction counts against the committed baseline, and a check that
#      the gate catches a deliberately slowed kernel.
set -eu
cd "$(dirname "$0")/.."
T0=$(date +%s)
stage() { echo "test.sh: [$(( $(date +%s) - T0 )) s] $*"; }
stage "native build and tests"
sh scripts/setup.sh build
meson test -C build --print-errorlogs

stage "sanitizer build and tests"
# (MPI stays out of the sanitizer build: OpenMPI's own allocations would trip LeakSanitizer)
sh scripts/setup.sh build-asan -Db_sanitize=address,undefined -Dc_args=-fno-sanitize-recover=all -Db_lundef=false -Dmpi=disabled
ASAN_OPTIONS=detect_leaks=1 meson test -C build-asan --print-errorlogs --timeout-multiplier 3

stage "fuzz targets"
# the libFuzzer targets (clang, ASan + UBSan): each for a fixed number of runs on its seeds and the
# committed regression corpus (sh scripts/fuzz.sh --time S runs them as long as one likes)
sh scripts/fuzz.sh

stage "aarch64 cross build and tests"
if [ -f ../shared/toolchain/aarch64-linux-gnu.ini ]; then
    VOX_CROSS=aarch64 sh scripts/setup.sh build-aarch64 -Dparity_subset='^(cavity|pocket|pore|hub|1aki|1l2y|3o5r)\.'
    meson test -C build-aarch64 --print-errorlogs --timeout-multiplier 3 \
        units api profile voxtune checkasm descriptors header_vox header_version cli dcd xtc parity parity_scalar parity_neon appendix_a
    # dispatch on a core without SVE and with fewer features
    QEMU_CPU=cortex-a53 meson test -C build-aarch64 --print-errorlogs checkasm parity_neon
else
    echo "test.sh: SKIP aarch64 cross build: ../shared/toolchain/aarch64-linux-gnu.ini not found"
fi
stage "benchmarks and the regression gate"
if [ "$(uname -m)" != x86_64 ]; then
    echo "test.sh: SKIP benchmark gate: the committed baseline is for x86_64"
elif [ ! -d ../shared/data/structures ]; then
    echo "test.sh: SKIP benchmark gate: vox's gate set needs ../shared/data/structures"
else
    build/bench/vox-bench run --quick --synthetic build/tests -o build/bench-quick.json
    build/bench/vox-bench threads --quick -o build/bench-threads.json
    build/bench/vox-bench run --gate-set --callgrind --synthetic build/tests -o build/bench-gate.json
    build/bench/vox-bench compare bench/baseline/ci-x86_64.json build/bench-gate.json --gate
    sh scripts/setup.sh build-slow -Dbench_slow_kernel=true
    build-slow/bench/vox-bench run --gate-set --callgrind --synthetic build/tests -o build-slow/bench-gate.json
    if build-slow/bench/vox-bench compare bench/baseline/ci-x86_64.json build-slow/bench-gate.json --gate \
        > build-slow/bench-gate.log; then
        cat build-slow/bench-gate.log
        echo "test.sh: FAIL: the benchmark gate did not catch the deliberately slowed kernel"
        exit 1
    fi
    # the gate must also say where: the slowed occlusion kernel heads the list of functions
    if ! grep -A3 "functions by instruction difference" build-slow/bench-gate.log | grep -q occlusion; then
        cat build-slow/bench-gate.log
        echo "test.sh: FAIL: the benchmark gate did not name the slowed occlusion kernel"
        exit 1
    fi
    echo "bench gate: the deliberately slowed kernel was caught ($(grep -c REGRESSION build-slow/bench-gate.log) cases)"
fi
stage "all suites passed"
