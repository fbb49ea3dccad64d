#!/usr/bin/env python3
"""test_xtc_mdanalysis.py - vox's XTC reader against MDAnalysis's, bit for bit.

MDAnalysis writes XTC files (its XTCWriter, the reference xdrfile coder): random molecules at
several precisions, 7 atoms (stored as plain floats), coordinates over a range wider than 2^24
integers (packed as three separate fields), and, with ../shared, the GROMACS lysozyme run's
traj.dcd.  vox reads each (test_xtc --dump) and must return exactly the float32 coordinates
MDAnalysis's XTCReader returns, the raw box x 10, the time and the step.  Skipped (exit 77)
when MDAnalysis cannot be imported; the shared part is skipped when ../shared is absent.

Usage: test_xtc_mdanalysis.py TEST_XTC SHARED_DATA [WRAPPER]
"""
import os
import subprocess
import sys
import warnings

from voxtest import check, main

TEST_XTC, SHARED = sys.argv[1], sys.argv[2]
WRAPPER = sys.argv[3].split() if len(sys.argv) > 3 else []

try:
    warnings.simplefilter("ignore")
    import numpy as np
    import MDAnalysis as mda
    from MDAnalysis.coordinates.memory import MemoryReader
    from MDAnalysis.coordinates.XTC import XTCReader
    from MDAnalysis.lib.formats.libmdaxdr import XTCFile
except ImportError as e:
    print(f"SKIP: MDAnalysis not available ({e}); Debian: apt-get install python3-mdanalysis, run with /usr/bin/python3")
    sys.exit(77)


def vox_frames(path, tmp):
    """Every frame as vox reads it: (step, time, box[9] in Å, xyz[n, 3] in Å)."""
    out = os.path.join(tmp, "dump.bin")
    r = subprocess.run([*WRAPPER, TEST_XTC, "--dump", path, out], capture_output=True, text=True)
    check(r.returncode == 0, f"test_xtc --dump {path}: {r.stderr}")
    data = open(out, "rb").read()
    n = len(XTCFile(path).read().x) if data else 0
    size = 8 + 8 + 36 + 12 * n
    frames = []
    for off in range(0, len(data), size):
        step = int(np.frombuffer(data, np.int64, 1, off)[0])
        time = float(np.frombuffer(data, np.float64, 1, off + 8)[0])
        box = np.frombuffer(data, np.float32, 9, off + 16)
        xyz = np.frombuffer(data, np.float32, 3 * n, off + 52).reshape(n, 3)
        frames.append((step, time, box, xyz))
    return frames


def compare(path, tmp, what):
    mine = vox_frames(path, tmp)
    ref = [ts.positions.copy() for ts in XTCReader(path)]
    raw = list(XTCFile(path))
    check(len(mine) == len(ref) == len(raw) and len(ref) > 0, f"{what}: vox {len(mine)} frames, MDAnalysis {len(ref)}")
    same = sum(m[3].tobytes() == r.tobytes() for m, r in zip(mine, ref))
    check(same == len(ref), f"{what}: {same} of {len(ref)} frames equal to MDAnalysis bit for bit")
    meta = sum(m[0] == f.step and m[1] == float(f.time) and
               m[2].tobytes() == (f.box.astype(np.float32).ravel() * np.float32(10)).tobytes()
               for m, f in zip(mine, raw))
    check(meta == len(raw), f"{what}: step, time and box equal in {meta} of {len(raw)} frames")
    print(f"  {what}: {len(ref)} frames, {same} equal to MDAnalysis bit for bit")


def write(path, coords, box, precision):
    """coords[frames, n, 3] in Å, written by MDAnalysis's XTCWriter at 10^-precision nm."""
    u = mda.Universe.empty(coords.shape[1], trajectory=True)
    u.load_new(coords, format=MemoryReader, dimensions=box, dt=0.5)
    with mda.Writer(path, n_atoms=coords.shape[1], precision=precision) as w:
        for _ in u.trajectory:
            w.write(u.atoms)


def molecules(rng, frames, n, span):
    """Molecules of 3 atoms about 1 Å apart, spread over span Å, moving a little each frame."""
    centres = rng.uniform(-span / 3, 2 * span / 3, (n // 3 + 1, 3)).repeat(3, axis=0)[:n]
    base = centres + rng.normal(0, 1.0, (n, 3))
    return np.stack([base + rng.normal(0, 0.3, (n, 3)) * k for k in range(frames)]).astype(np.float32)


def test_generated(tmp):
    rng = np.random.default_rng(1995)
    box = [60, 60, 60, 90, 90, 90]
    for precision in (3, 2, 4):
        path = os.path.join(tmp, f"mols-p{precision}.xtc")
        write(path, molecules(rng, 4, 2000, 60), box, precision)
        compare(path, tmp, f"2000 atoms, precision 10^{precision}")
    path = os.path.join(tmp, "seven.xtc")
    write(path, molecules(rng, 3, 7, 20), [30, 40, 50, 60, 70, 80], 3)
    compare(path, tmp, "7 atoms (plain floats)")
    path = os.path.join(tmp, "wide.xtc")
    write(path, molecules(rng, 2, 600, 250000), box, 3)  # 2.5e8 integers per axis: over 2^24
    compare(path, tmp, "range over 2^24")


def test_shared(tmp):
    d = os.path.join(SHARED, "trajectories", "1aki-md")
    if not os.path.isdir(d):
        print("SKIP: ../shared/data/trajectories/1aki-md not found")
        return
    u = mda.Universe(os.path.join(d, "top.pdb"), os.path.join(d, "traj.dcd"))
    path = os.path.join(tmp, "1aki-from-dcd.xtc")
    with mda.Writer(path, n_atoms=u.atoms.n_atoms) as w:
        for _ in u.trajectory:
            w.write(u.atoms)
    compare(path, tmp, "traj.dcd written as XTC by MDAnalysis")
    # read through a link in tmp: MDAnalysis's XTCReader writes its offsets cache
    # (.traj.xtc_offsets.npz) beside the path it is given, and ../shared is data, not a scratch folder
    link = os.path.join(tmp, "traj.xtc")
    os.symlink(os.path.abspath(os.path.join(d, "traj.xtc")), link)
    compare(link, tmp, "traj.xtc (GROMACS)")


if __name__ == "__main__":
    sys.exit(main([test_generated, test_shared], "vox-xtc-mda-"))
