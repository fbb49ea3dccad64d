#!/bin/sh
# demo.sh - sets everything up, then runs `vox analyze` on a generated example structure
# (a block of protein with a pocket, tests/gen_structures.c) and shows what it wrote.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh build
mkdir -p example
build/tests/gen_structures example/structures >/dev/null
echo
echo "\$ build/vox analyze --resolution 2.0 --include-hubs --output-dir example/out --overwrite example/structures/pocket_box.pdb example/structures/pore_box.pdb"
build/vox analyze --resolution 2.0 --include-hubs --output-dir example/out --overwrite \
    example/structures/pocket_box.pdb example/structures/pore_box.pdb
echo
echo "written to example/out:"
ls -1 example/out
