#!/usr/bin/env python3
"""alignment_numpy.py - vox's default frame against volumizer's alignment run by numpy, bit for bit.

The goldens cover 21 real structures; this covers shapes they do not: 3 and 4
atoms (dgesdd without its QR step), flat, collinear and spherical clouds, cubic
lattices (tied singular values: the stable sort and LAPACK's sort orders
decide), clouds far from the origin, random rotations.  For each generated PDB,
`test_alignment --dump` prints vox's cleaned atoms as loaded and as aligned;
the loaded ones go through volumizer's loop (ALGORITHM.md §4.1) in numpy, and
every aligned float32 must have the same bits.

Runs only where numpy's LAPACK is the reference one (Debian's python3-numpy with
liblapack3 selected): with OpenBLAS or MKL behind numpy, volumizer's own signs
differ, so that is reported as SKIP (exit 77), as is a missing numpy.
  alignment_numpy.py TEST_ALIGNMENT_EXE [WRAPPER] [--cases N]
(WRAPPER: the command that runs the executable, e.g. "qemu-aarch64 -L /" for a
cross build: the frame must then be the same bits on the other ISA too.)
"""
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
except ImportError:
    # The numpy on the reference LAPACK is Debian's python3-numpy, which belongs to
    # /usr/bin/python3; the python3 first on PATH (a pyenv, a venv) may lack numpy.
    debian = "/usr/bin/python3"
    if os.path.exists(debian) and os.path.realpath(sys.executable) != os.path.realpath(debian) \
            and not os.environ.get("VOX_ALIGNMENT_NUMPY_REEXEC"):
        os.environ["VOX_ALIGNMENT_NUMPY_REEXEC"] = "1"
        os.execv(debian, [debian, *sys.argv])
    print("SKIP: numpy is not installed")
    sys.exit(77)


def numpy_lapack():
    """The LAPACK library numpy's linalg loaded (from /proc/self/maps), or None."""
    np.linalg.svd(np.eye(3))
    try:
        maps = open("/proc/self/maps").read().split("\n")
    except OSError:
        return None
    libs = {line.split()[-1] for line in maps if "lapack" in line.lower() or "openblas" in line.lower()
            or "mkl" in line.lower()}
    return sorted(libs)


def volumizer_align(coords):
    """volumizer's alignment loop as ALGORITHM.md §4.1 describes it (numpy, f32 input)."""
    centred = coords - coords.mean(axis=0)
    identity = np.eye(3)
    for _ in range(50):
        _, sigma, v_t = np.linalg.svd(centred, full_matrices=False)
        order = sigma.argsort()[::-1]
        perm = np.eye(3)[:, order]
        v, _, w_t = np.linalg.svd(v_t.T @ perm, full_matrices=False)
        if np.linalg.det(v) * np.linalg.det(w_t) < 0:
            v[:, -1] *= -1
        q = v @ w_t
        if np.isclose(q, identity, atol=1e-5).all():
            break
        centred = centred @ q
    return centred.astype(np.float32)


def random_rotation(rng):
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return q


def cloud(rng, case):
    """A point cloud of one of the shapes, in a random orientation and place."""
    kind = case % 9
    n = [3, 4, 5, 6, 7, 12, 60, 400, 2500][(case // 9) % 9]
    if kind == 0:      # anisotropic blob
        p = rng.normal(size=(n, 3)) * [9.0, 4.0, 1.5]
    elif kind == 1:    # flat
        p = rng.normal(size=(n, 3)) * [6.0, 3.0, 0.0]
    elif kind == 2:    # collinear
        p = np.outer(rng.normal(size=n) * 5, [1.0, 0.0, 0.0])
    elif kind == 3:    # round: near-equal variances
        p = rng.normal(size=(n, 3)) * 5
    elif kind == 4:    # cubic lattice: tied singular values (axis-aligned, not rotated)
        k = max(2, round(n ** (1 / 3)))
        g = np.arange(k) * 3.8
        p = np.array([(x, y, z) for x in g for y in g for z in g])
        return p + rng.normal(size=3).round(0) * 10, False
    elif kind == 5:    # duplicates
        p = np.repeat(rng.normal(size=(max(1, n // 3), 3)) * 4, 3, axis=0)[:max(n, 3)]
    elif kind == 6:    # square lattice in a plane (two tied values)
        k = max(2, round(n ** 0.5))
        g = np.arange(k) * 3.8
        p = np.array([(x, y, 0.0) for x in g for y in g])
        return p, False
    elif kind == 7:    # far from the origin
        p = rng.normal(size=(n, 3)) * [7.0, 5.0, 2.0]
        return p @ random_rotation(rng).T + 700, True
    else:              # already aligned: the loop may stop at once
        p = np.sort(rng.normal(size=(n, 3)) * [9.0, 3.0, 1.0], axis=0)
        return p, False
    return p @ random_rotation(rng).T + rng.normal(size=3) * 20, True


def write_pdb(path, p):
    with open(path, "w") as f:
        for i, (x, y, z) in enumerate(p):
            if min(x, y, z) <= -999 or max(x, y, z) >= 9999:
                raise ValueError("coordinate out of the PDB columns' range")
            f.write("ATOM  %5d  CA  ALA A%4d    %8.3f%8.3f%8.3f  1.00  0.00           C\n"
                    % (i + 1, i % 9999 + 1, x, y, z))


def main():
    exe = sys.argv[1]
    wrapper = sys.argv[2].split() if len(sys.argv) > 2 and not sys.argv[2].startswith("--") else []
    cases = int(sys.argv[sys.argv.index("--cases") + 1]) if "--cases" in sys.argv else 243
    libs = numpy_lapack()
    if not libs or not any("/lapack/liblapack.so" in x for x in libs) or any("openblas" in x.lower() or "mkl" in x.lower() for x in libs):
        print(f"SKIP: numpy does not run on the reference LAPACK here ({libs})")
        return 77
    rng = np.random.default_rng(20240917)
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "cloud.pdb")
        for case in range(cases):
            p, _ = cloud(rng, case)
            write_pdb(path, p)
            r = subprocess.run([*wrapper, exe, "--dump", path], capture_output=True, text=True)
            if r.returncode != 0:
                failed += 1
                print(f"FAIL case {case}: test_alignment --dump exited {r.returncode}: {r.stderr.strip()}")
                continue
            lines = r.stdout.split("\n")
            n = int(lines[0])
            rows = np.array([[float(t) for t in line.split()] for line in lines[1:n + 1]])
            raw = rows[:, :3].astype(np.float32)
            ours = rows[:, 3:].astype(np.float32)
            want = volumizer_align(raw)
            if ours.view(np.uint32).tolist() == want.view(np.uint32).tolist():
                passed += 1
            else:
                failed += 1
                bad = np.argwhere(ours.view(np.uint32) != want.view(np.uint32))
                i, a = bad[0]
                print(f"FAIL case {case} ({n} atoms, shape {case % 9}): {len(bad)} coordinates differ; first: atom "
                      f"{i} axis {a}: {ours[i, a]!r} against numpy's {want[i, a]!r}")
    print(f"{passed} passed, {failed} failed (numpy {np.__version__} on {libs[0]})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
