"""conftest.py - what the vox package's tests share: where the built vox, the generated
structures and ../shared/data are (meson test passes them in the environment), a generator
of small structures, and a PDB writer, so that tests needing no shared data run everywhere."""
import os
import subprocess

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))


def _env_path(name, default):
    return os.environ.get(name) or default


DATA = _env_path("VOX_TEST_DATA", os.path.join(SOURCE, "..", "shared", "data"))
SYNTHETIC = _env_path("VOX_TEST_SYNTHETIC", os.path.join(SOURCE, "build", "tests"))
VOX = _env_path("VOX_TEST_VOX", os.path.join(SOURCE, "build", "vox"))


def data(*parts):
    """A path under ../shared/data; the test is skipped when it is absent."""
    p = os.path.join(DATA, *parts)
    if not os.path.exists(p):
        pytest.skip(f"{p} not found (../shared/data is absent)")
    return p


def synthetic(name):
    p = os.path.join(SYNTHETIC, name)
    if not os.path.exists(p):
        pytest.skip(f"{p} not found (build the tests: meson compile -C build)")
    return p


def run_vox(*args):
    if not os.path.exists(VOX):
        pytest.skip(f"{VOX} not found")
    return subprocess.run([VOX, *args], capture_output=True, text=True, timeout=600)


def ring_protein(residues=60, seed=1):
    """A generated protein-like structure: a closed ring of alanines around a hollow, wavy enough to
    have pockets.  Returns coords (n, 3) float32 and the atom arrays as a dict."""
    rng = np.random.default_rng(seed)
    names = ["N", "CA", "C", "O", "CB"]
    elements = ["N", "C", "C", "O", "C"]
    xyz, el, an, rn, ri, ch = [], [], [], [], [], []
    for r in range(residues):
        t = 2 * np.pi * r / residues
        for k, (n, e) in enumerate(zip(names, elements)):
            radius = 9.0 + 1.3 * k + 1.5 * np.sin(5 * t)
            z = (k - 2) * 1.4 + 2.0 * np.cos(3 * t)
            xyz.append([radius * np.cos(t + 0.01 * k), radius * np.sin(t + 0.01 * k), z])
            el.append(e)
            an.append(n)
            rn.append("ALA")
            ri.append(r + 1)
            ch.append("A")
    xyz = np.asarray(xyz) + rng.normal(0, 0.05, (len(xyz), 3))
    return xyz.astype(np.float32), {"element": el, "atom_name": an, "res_name": rn, "res_id": np.array(ri),
                                    "chain": ch}


def pdb_text(xyz, atoms):
    """PDB ATOM records for coords and atom arrays (element in columns 77-78)."""
    lines = []
    for i, (p, e, a, r, n) in enumerate(zip(xyz, atoms["element"], atoms["atom_name"], atoms["res_name"],
                                            atoms["res_id"])):
        c = atoms.get("chain", ["A"] * len(xyz))[i]
        name = f" {a:<3s}" if len(a) < 4 else a
        lines.append(f"ATOM  {i + 1:5d} {name} {r:>3s} {c:1s}{int(n):4d}    {p[0]:8.3f}{p[1]:8.3f}{p[2]:8.3f}"
                     f"  1.00  0.00          {e:>2s}")
    return "\n".join(lines) + "\nEND\n"


def pytest_configure(config):
    # MDAnalysis installs its own warning filters on import; importing it here, quietly, keeps them
    # out of the tests' filters
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import xdrlib  # noqa: F401  (deprecated in 3.11; MDAnalysis imports it)
            import MDAnalysis  # noqa: F401
        except ImportError:
            pass
    # MDAnalysis 2.4 announces its own future changes (DCDReader timesteps, xdrlib) on import
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:MDAnalysis.*")
    config.addinivalue_line("filterwarnings", "ignore:'xdrlib' is deprecated:DeprecationWarning")
