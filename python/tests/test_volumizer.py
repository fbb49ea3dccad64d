"""test_volumizer.py - volumizer's API: volumize_pdb's table is byte for byte volumizer's on every
visible golden, set_resolution is what volumize_pdb uses, options and stage timings."""
import glob
import os
import re

import pytest

import vox
from conftest import DATA, data, pdb_text, ring_protein, synthetic


def goldens():
    return sorted(glob.glob(os.path.join(DATA, "golden-native", "*.annotation.json")))


@pytest.mark.parametrize("golden", goldens() or [pytest.param(None, id="no-goldens", marks=pytest.mark.skip("no goldens"))],
                         ids=os.path.basename)
def test_golden_bytes(golden):
    """volumize_pdb("<file>.prepared.cif", resolution=R, align=False)[0].to_json() is volumizer's file."""
    m = re.match(r"(.+)\.r([0-9.]+)\.annotation\.json$", os.path.basename(golden))
    frame = os.path.join(os.path.dirname(golden), m.group(1) + ".prepared.cif")
    df, structure, result = vox.volumize_pdb(frame, resolution=float(m.group(2)), align=False, threads=1)
    with open(golden) as f:
        text = f.read()
    assert df.to_json() == text
    assert isinstance(structure, vox.Structure) and isinstance(result, vox.Result)
    # the DataFrame itself, dtypes and None included, as volumizer makes it from these rows: one
    # DataFrame.from_dict per type, concatenated, sorted (a type whose rows all lack a cross-section
    # value made an object column of None there, which vox had as float64 and NaN)
    import json
    import pandas as pd
    g = json.loads(text)
    rows = [{c: g[c][k] for c in g} for k in g.get("id", {})]
    if rows:
        per_type = [pd.DataFrame.from_dict([r for r in rows if r["type"] == t]) for t in ("hub", "pore", "cavity",
                                                                                         "pocket")]
        theirs = pd.concat(per_type, ignore_index=True).sort_values(
            by=["volume", "type", "id"], ascending=[False, True, True]).reset_index(drop=True)
        assert df.dtypes.to_dict() == theirs.dtypes.to_dict()
        assert df.equals(theirs)


def test_goldens_are_all_there():
    data("golden-native")
    assert len(goldens()) >= 47


def test_set_resolution(tmp_path):
    xyz, atoms = ring_protein()
    path = tmp_path / "ring.pdb"
    path.write_text(pdb_text(xyz, atoms))
    assert vox.get_resolution() == 3.0
    at3 = vox.volumize_pdb(path)[0].to_json()
    try:
        vox.set_resolution(2.0)
        assert vox.get_resolution() == 2.0
        at2 = vox.volumize_pdb(path)[0].to_json()
        assert at2 == vox.volumize_pdb(path, resolution=2.0)[0].to_json()
        assert at2 != at3
        assert vox.volumize_pdb(path, resolution=3.0)[0].to_json() == at3  # an explicit value wins
    finally:
        vox.set_resolution(3.0)
    for bad in (0, -1.0, float("nan"), "2.0", None):
        with pytest.raises(vox.InvalidArgumentError):
            vox.set_resolution(bad)


def test_options_reach_the_library(tmp_path):
    """volumizer's options change what they should, and equal the same Analyzer settings."""
    p = synthetic("pocket_box.pdb")
    base = vox.volumize_pdb(p, threads=1)[0]
    strict = vox.volumize_pdb(p, min_voxels=10 ** 6, threads=1)[0]
    assert len(base) > 0 and strict.to_json() == "{}"
    big = vox.volumize_pdb(p, min_volume=float(base["volume"].max()), threads=1)[0]
    assert len(big) >= 1 and (big["volume"] >= base["volume"].max()).all()
    a = vox.Analyzer(threads=1, surface_connectivity="26", merge_mouth_gap_voxels=0,
                     enable_necked_pocket_cavity=False)
    df = vox.volumize_pdb(p, surface_connectivity="26", merge_mouth_gap_voxels=0, enable_necked_pocket_cavity=False,
                          threads=1)[0]
    assert df.to_json() == a.analyze(p).table.to_json()


def test_stage_timings_and_structure():
    timings = {}
    df, s, r = vox.volumize_pdb(synthetic("cavity_box.pdb"), stage_timings=timings, threads=1)
    assert set(timings) == {"load", "prepare", "shells", "grid", "buried", "components", "classify", "metrics"}
    assert all(v >= 0 for v in timings.values()) and timings["grid"] > 0
    assert len(s) > 0 and s.coords.shape == (len(s), 3)
    assert df.to_json() == r.render("df-json")
    assert (df["type"] == "cavity").any()
