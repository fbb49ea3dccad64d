#!/bin/sh
# demo.sh - sets everything up, then runs `vox analyze` on a generated example structure
# (a block of protein with a pocket, tests/gen_structures.c) and shows what it wrote: volumizer's
# files, and the descriptors (lining residues, depth, openings) and a docking box of the pocket.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh build
mkdir -p example
build/tests/gen_structures example/structures >/dev/null
echo
echo "\$ build/vox analyze --resolution 2.0 --include-hubs --write descriptors,vina --output-dir example/out --overwrite example/structures/pocket_box.pdb example/structures/pore_box.pdb"
build/vox analyze --resolution 2.0 --include-hubs --write descriptors,vina --output-dir example/out --overwrite \
    example/structures/pocket_box.pdb example/structures/pore_box.pdb
echo
echo "written to example/out:"
ls -1 example/out
echo
echo "the pocket's AutoDock Vina box (example/out/pocket_box.pocket-0.vina.txt, input frame, 4 A padding):"
cat example/out/pocket_box.pocket-0.vina.txt
echo
echo "its descriptors (example/out/pocket_box.volumes.json):"
python3 - example/out/pocket_box.volumes.json <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))["volumes"][0]
print(f"  {v['type']} {v['id']}: {v['volume']} A^3, depth max {v['depth']['max']} A, "
      f"{v['openings']['count']} opening(s) of {v['openings']['area']} A^2, hydropathy {v['hydropathy']}")
res = [f"{c}:{n}{i}{ins}" for c, i, ins, n, _ in v["lining_residues"]]
print(f"  {len(res)} lining residues ({len(v['lining_atoms'])} atoms):", " ".join(res[:10]), "...")
PY
