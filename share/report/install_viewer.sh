#!/bin/sh
# install_viewer.sh NPM_PACKAGE_DIR DATADIR_SUBDIR - run by `meson install`: copies the 3Dmol.js
# viewer that scripts/setup.sh installed with npm into the build next to the installed report templates.
set -eu
src=$1
dest="${MESON_INSTALL_DESTDIR_PREFIX:-/usr/local}/$2"
if [ -f "$src/build/3Dmol-min.js" ]; then
    mkdir -p "$dest"
    cp "$src/build/3Dmol-min.js" "$dest/3Dmol-min.js"
    if [ -f "$src/LICENSE" ]; then cp "$src/LICENSE" "$dest/3Dmol-LICENSE.txt"; fi
else
    echo "install_viewer: $src/build/3Dmol-min.js not found (run scripts/setup.sh, which installs it with npm):" \
         "vox --write html and vox report will not find their viewer" >&2
fi
