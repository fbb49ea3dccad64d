#!/bin/sh
# fuzz.sh - builds the libFuzzer targets (tests/fuzz, clang + ASan + UBSan, in build-fuzz), makes
# their seed corpora, and runs every target on its seeds, the committed regression corpus
# (tests/fuzz/regress/<target>: the reproducers of past bugs) and whatever earlier runs found.
#
#   sh scripts/fuzz.sh                     # CI: each target for FUZZ_RUNS executions (default 4000), 2 at once,
#                                          # from the fixed seed FUZZ_SEED (default 1)
#   sh scripts/fuzz.sh --time 600          # each target for 600 s (as long as you like); finds are kept
#   sh scripts/fuzz.sh --time 3600 --only pipeline,load_cif --jobs 1
#
# Inputs found interesting are kept in build-fuzz/corpus/<target> (the next run starts from them);
# a crash, leak, undefined behaviour, hang (over 20 s) or a target's own check failing stops that
# target, saves the input as build-fuzz/crashes/<target>-..., and makes this script exit 1.  Add a
# fixed bug's input to tests/fuzz/regress/<target>/ so every run replays it.  The closing lines give
# each target's executions and the total.
#
# A run limited by executions (CI's) draws its mutations from a fixed seed: on a clean clone it
# tries the same inputs every time, so CI fails for a change of the code or the seeds, never by the
# luck of the draw (a random find would fail someone else's unrelated change).  --time runs draw
# at random (FUZZ_SEED=0) and go on finding what the fixed draw does not.
set -eu
cd "$(dirname "$0")/.."

time_s=""
only=""
jobs=2
runs=${FUZZ_RUNS:-4000}
while [ $# -gt 0 ]; do
    case "$1" in
        --time) time_s=$2; shift 2 ;;
        --only) only=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        *) echo "fuzz.sh: unknown option $1 (see --help)"; exit 2 ;;
    esac
done

targets="load_pdb load_cif load_gzip pipeline profile dcd manifest summary checkpoint annotation merge"
if [ -n "$only" ]; then
    targets=$(echo "$only" | tr ',' ' ')
fi

# the normal build writes the seeds' JSON files; the fuzz build is clang's
sh scripts/setup.sh build >/dev/null
if [ ! -f build-fuzz/build.ninja ]; then
    CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
        -Dmpi=disabled -Dopenmp=disabled -Dc_args=-fno-sanitize-recover=all >/dev/null
fi
ninja -C build-fuzz >/dev/null
python3 tests/fuzz/make_corpus.py build/vox build/tests build-fuzz/seeds ../shared/data
mkdir -p build-fuzz/crashes build-fuzz/logs

run_target() {
    t=$1
    mkdir -p "build-fuzz/corpus/$t"
    regress="tests/fuzz/regress/$t"
    [ -d "$regress" ] || regress=""
    if [ -n "$time_s" ]; then
        limit="-max_total_time=$time_s -seed=${FUZZ_SEED:-0}"
    else
        limit="-runs=$runs -seed=${FUZZ_SEED:-1}"
    fi
    # the first folder receives new finds; the seeds and the regression corpus are only read
    if ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
        "build-fuzz/tests/fuzz/fuzz_$t" $limit -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="build-fuzz/crashes/$t-" "build-fuzz/corpus/$t" "build-fuzz/seeds/$t" $regress \
        > "build-fuzz/logs/$t.log" 2>&1; then
        echo "ok $t"
    else
        echo "FAILED $t"
    fi
}

status=0
n=0
for t in $targets; do
    [ -x "build-fuzz/tests/fuzz/fuzz_$t" ] || { echo "fuzz.sh: no target $t"; exit 2; }
    run_target "$t" > "build-fuzz/logs/$t.result" &
    n=$((n + 1))
    if [ "$n" -ge "$jobs" ]; then wait; n=0; fi
done
wait

total=0
for t in $targets; do
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "build-fuzz/logs/$t.log" | tail -1)
    execs=${execs:-0}
    total=$((total + execs))
    result=$(cat "build-fuzz/logs/$t.result")
    printf 'fuzz %-11s %10s executions  %s\n' "$t" "$execs" "$result"
    case "$result" in
        ok*) ;;
        *) status=1; tail -40 "build-fuzz/logs/$t.log" ;;
    esac
done
echo "fuzz: $total executions over $(echo $targets | wc -w) targets"
exit $status
