#!/bin/sh
# setup.sh - installs what vox needs on Debian 12 (apt, as root or through sudo) and builds it.
#   sh scripts/setup.sh [BUILD_DIR [meson options...]]
#   VOX_CROSS=aarch64 sh scripts/setup.sh BUILD_DIR   # cross build for aarch64, tests under qemu-user
# Packages already present are not reinstalled; nothing is downloaded but Debian packages and, for
# the HTML report, the 3Dmol.js viewer from npm (share/report/package-lock.json pins it), installed
# into BUILD_DIR/npm (never into the repository).  The browser tests use Debian's chromium: when it
# cannot be installed they report themselves skipped.
set -eu
cd "$(dirname "$0")/.."

PACKAGES="build-essential meson ninja-build pkg-config python3 libsleef-dev libhwloc-dev libcjson-dev zlib1g-dev valgrind openmpi-bin libopenmpi-dev clang libclang-rt-dev python3-matplotlib python3-numpy python3-pandas python3-mdanalysis python3-pytest"
# reference BLAS/LAPACK: only the test lapack_svd loads them (dlopen), to check src/analysis/lapack_svd.c
# and the exports test runs the PyMOL scripts headless (and skips that part without it)
TEST_PACKAGES="libblas3 liblapack3 pymol strace"
CROSS_PACKAGES="gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user libsleef-dev:arm64 libhwloc-dev:arm64 \
libcjson-dev:arm64 zlib1g-dev:arm64 libgomp1:arm64"
cross=${VOX_CROSS:-}

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
apt_install() {
    missing=""
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        echo "setup: installing:$missing"
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
    fi
}
apt_install $PACKAGES $TEST_PACKAGES
# the HTML report: npm for its viewer; chromium for its browser tests (optional: tests skip without it)
command -v npm >/dev/null 2>&1 || apt_install npm
if ! command -v chromium >/dev/null 2>&1; then
    apt_install chromium || echo "setup: chromium could not be installed: the HTML report's browser tests will be skipped"
fi
if [ "$cross" = aarch64 ]; then
    dpkg --print-foreign-architectures | grep -q arm64 || $SUDO dpkg --add-architecture arm64
    apt_install $CROSS_PACKAGES
fi

build=${1:-build}
[ $# -gt 0 ] && shift
# The report's viewer (3Dmol.js) from the npm registry, exactly the locked versions, no install scripts.
mkdir -p "$build/npm"
if ! cmp -s share/report/package-lock.json "$build/npm/package-lock.json" || \
   [ ! -f "$build/npm/node_modules/3dmol/build/3Dmol-min.js" ]; then
    cp share/report/package.json share/report/package-lock.json "$build/npm/"
    (cd "$build/npm" && npm ci --ignore-scripts --omit=dev --no-audit --no-fund --loglevel=error >/dev/null) || {
        rm -f "$build/npm/package-lock.json"
        echo "setup: npm could not install the 3Dmol.js viewer: vox --write html and vox report will not work"
    }
fi
if [ ! -f "$build/build.ninja" ]; then
    if [ "$cross" = aarch64 ]; then
        crossfile=../shared/toolchain/aarch64-linux-gnu.ini
        [ -f "$crossfile" ] || { echo "setup: $crossfile not found (../shared is needed for the cross build)"; exit 3; }
        meson setup "$build" --cross-file "$crossfile" -Dtest_wrapper='qemu-aarch64 -L /' "$@" >/dev/null
    else
        meson setup "$build" "$@" >/dev/null
    fi
fi
ninja -C "$build"
