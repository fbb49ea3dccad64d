#!/usr/bin/env python3
"""test_cli.py - the `vox` command end to end on generated structures.

Covers: the four volume types on synthetic boxes, corner-case structures,
the output files and their formats, --overwrite, and every bad input the
core issue lists (each with a clear message, the right exit code and no
per-structure output file left behind).

Usage: test_cli.py VOX GENERATED_DIR [WRAPPER]
"""
import gzip
import json
import os
import re
import subprocess
import sys
import zlib

from voxtest import check, main, runner

VOX, GEN = sys.argv[1], sys.argv[2]
WRAPPER = sys.argv[3].split() if len(sys.argv) > 3 else []  # e.g. "qemu-aarch64 -L /" for a cross build
vox = runner(VOX, WRAPPER)


def outputs(d, label):
    return [f for f in os.listdir(d) if f.startswith(label + ".")] if os.path.isdir(d) else []


def largest(outdir, label):
    payload = json.load(open(os.path.join(outdir, label + ".annotation.json")))
    return payload["largest_type"], payload


def test_types(tmp):
    want = {"cavity_box": "cavity", "pocket_box": "pocket", "pore_box": "pore", "hub_box": "hub"}
    for name, kind in want.items():
        out = os.path.join(tmp, "types")
        p = vox("analyze", "--resolution", "2.0", "--include-hubs", "--no-align", "--output-dir", out,
                "--overwrite", os.path.join(GEN, name + ".pdb"))
        check(p.returncode == 0, f"{name}: exit {p.returncode} {p.stderr}")
        got, payload = largest(out, name)
        check(got == kind, f"{name}: largest volume is {got}, expected {kind}")
        # the same with vox's own alignment
        p = vox("analyze", "--resolution", "2.0", "--include-hubs", "--output-dir", out, "--overwrite",
                os.path.join(GEN, name + ".pdb"))
        got2, _ = largest(out, name)
        check(got2 == kind, f"{name} aligned: largest volume is {got2}, expected {kind}")
    # without --include-hubs the hub row disappears from payload and CIF
    out = os.path.join(tmp, "nohub")
    p = vox("analyze", "--resolution", "2.0", "--no-align", "--output-dir", out, os.path.join(GEN, "hub_box.pdb"))
    _, payload = largest(out, "hub_box")
    check(all(v["type"] != "hub" for v in payload["volumes"]), "hubs hidden by default")
    cif = open(os.path.join(out, "hub_box.annotated.cif")).read()
    check(" HUB " not in cif, "no HUB pseudo-atoms without --include-hubs")


def test_outputs(tmp):
    out = os.path.join(tmp, "out")
    src = os.path.join(GEN, "pocket_box.pdb")
    p = vox("analyze", "--input", src, "--resolution", "2.0", "--output-dir", out, "--write", "df-json,pdb",
            "--stage-timings")
    check(p.returncode == 0, f"analyze exit {p.returncode}: {p.stderr}")
    check("pocket" in p.stdout and "volume" in p.stdout, "volume table printed")
    check("stages (ms)" in p.stderr and "shells=" in p.stderr, "stage timings printed")
    names = sorted(outputs(out, "pocket_box"))
    check(names == ["pocket_box.annotated.cif", "pocket_box.annotated.pdb", "pocket_box.annotation.json",
                    "pocket_box.df.json"], f"output files: {names}")
    payload_text = open(os.path.join(out, "pocket_box.annotation.json")).read()
    payload = json.loads(payload_text)
    check(list(payload) == ["source", "input_path", "output_structure_cif", "backend", "resolution", "num_volumes",
                            "largest_type", "largest_volume", "volumes", "frac_alpha", "frac_beta", "frac_coil"],
          f"payload keys {list(payload)}")
    check(payload_text == json.dumps(payload, indent=2), "payload is byte-identical to json.dumps(indent=2)")
    check(payload["source"] == "pocket_box" and payload["resolution"] == 2.0 and payload["backend"] == "native",
          "payload header")
    check(payload["num_volumes"] == len(payload["volumes"]), "num_volumes")
    df_text = open(os.path.join(out, "pocket_box.df.json")).read()
    df = json.loads(df_text)
    check(list(df) == ["id", "type", "volume", "x", "y", "z", "cross_section_circularity",
                       "cross_section_uniformity"] and not df_text.endswith("\n") and " " not in df_text,
          "df json layout")
    pdb = open(os.path.join(out, "pocket_box.annotated.pdb")).read().splitlines()
    check(pdb.count("END") == 2 and pdb[-1] == "END", "annotated pdb has protein END pseudo-atoms END")
    check(any(" POK " in l for l in pdb), "pocket pseudo-atoms in the PDB")
    cif = open(os.path.join(out, "pocket_box.annotated.cif")).read()
    check(cif.startswith("data_structure\n#\nloop_\n_atom_site.group_PDB \n") and cif.endswith("#\n")
          and "_entity.type \n" in cif, "annotated cif layout")
    summary = json.load(open(os.path.join(out, "run.summary.json")))
    check(summary["num_processed"] == 1 and summary["num_failed"] == 0 and
          summary["results"][0]["source"] == "pocket_box" and summary["config"]["resolution"] == 2.0,
          "run summary")
    # existing outputs without --overwrite: a per-structure error, exit 1
    p = vox("analyze", "--input", src, "--resolution", "2.0", "--output-dir", out)
    check(p.returncode == 1 and "--overwrite" in p.stderr, f"existing outputs refused: {p.returncode} {p.stderr}")
    p = vox("analyze", "--input", src, "--resolution", "2.0", "--output-dir", out, "--reannotate", "--quiet")
    check(p.returncode == 0 and p.stdout == "", "--reannotate and --quiet")
    # gzip input detected by content
    gz = os.path.join(tmp, "pocket_gz.dat")
    with open(src, "rb") as f, gzip.open(gz, "wb") as g:
        g.write(f.read())
    p = vox("analyze", gz, "--resolution", "2.0", "--output-dir", out, "--quiet")
    check(p.returncode == 0, f"gzip by content: {p.stderr}")
    check(json.load(open(os.path.join(out, "pocket_gz.annotation.json")))["largest_type"] == "pocket", "gzip result")
    # two members with zero bytes after each (tape padding), as Python's gzip reads them
    text = open(src, "rb").read()
    half = text.index(b"\n", len(text) // 2) + 1
    padded = os.path.join(tmp, "pocket_padded.pdb.gz")
    open(padded, "wb").write(gzip.compress(text[:half]) + bytes(700) + gzip.compress(text[half:]) + bytes(3))
    p = vox("analyze", padded, "--resolution", "2.0", "--output-dir", out, "--quiet")
    check(p.returncode == 0 and json.load(open(os.path.join(out, "pocket_padded_pdb.annotation.json")))["num_volumes"] ==
          json.load(open(os.path.join(out, "pocket_gz.annotation.json")))["num_volumes"],
          f"gzip members with zero padding: {p.stderr}")


def test_degenerate_cell(tmp):
    """A CRYST1 with a zero length (some tools write 0.000 for no cell): volumizer's angles are NaN,
    which Python's '%5.3f' writes as "nan" (glibc's printf: "-nan")."""
    src = os.path.join(tmp, "zero_cell.pdb")
    with open(os.path.join(GEN, "cavity_box.pdb")) as f:
        rows = [line for line in f if not line.startswith("CRYST1")]
    with open(src, "w") as f:
        f.write("CRYST1   10.000   10.000    0.000  90.00  90.00  90.00 P 1           1\n" + "".join(rows))
    out = os.path.join(tmp, "out")
    p = vox("analyze", "--input", src, "--output-dir", out)
    check(p.returncode == 0, f"zero cell: exit {p.returncode}: {p.stderr}")
    cell = [line for line in open(os.path.join(out, "zero_cell.annotated.cif")) if line.startswith("_cell.")]
    want = ["_cell.length_a      10.000\n", "_cell.length_b      10.000\n", "_cell.length_c       0.000\n",
            "_cell.angle_alpha     nan\n", "_cell.angle_beta      nan\n", "_cell.angle_gamma   90.000\n"]
    check(cell == want, f"zero cell: {cell}")


def test_corner_structures(tmp):
    out = os.path.join(tmp, "corner")
    p = vox("analyze", "--output-dir", out, "--quiet", os.path.join(GEN, "three_atoms.pdb"))
    check(p.returncode == 0, f"three atoms analyse: {p.stderr}")
    payload = json.load(open(os.path.join(out, "three_atoms.annotation.json")))
    check(payload["num_volumes"] == 0 and payload["volumes"] == [] and payload["largest_type"] is None,
          "three atoms: no volumes")
    for name in ("one_atom", "two_atoms"):
        p = vox("analyze", "--output-dir", out, "--quiet", os.path.join(GEN, name + ".pdb"))
        check(p.returncode == 1 and "at least 3 atoms" in p.stderr and not outputs(out, name),
              f"{name}: {p.returncode} {p.stderr}")
        p = vox("analyze", "--output-dir", out, "--quiet", "--no-align", os.path.join(GEN, name + ".pdb"))
        check(p.returncode == 0, f"{name} --no-align analyses: {p.stderr}")
    p = vox("analyze", "--output-dir", out, "--quiet", "--no-align", "--resolution", "3.0", "--write", "df-json",
            os.path.join(GEN, "edge_atoms.pdb"))
    check(p.returncode == 0, f"edge atoms: {p.stderr}")
    df = json.load(open(os.path.join(out, "edge_atoms.df.json")))
    check(df and "cavity" in df["type"].values(), f"edge atoms: sealed hole found: {df}")
    p = vox("analyze", "--output-dir", out, "--quiet", "--no-align", "--resolution", "4.0", "--include-hubs",
            os.path.join(GEN, "flat_sheet.pdb"), "--stage-timings")
    m = re.search(r"grid=(\d+)x(\d+)x(\d+)", p.stderr)
    check(p.returncode == 0 and m and m.group(3) == "1", f"flat sheet: one voxel thick along z: {p.stderr}")
    payload = json.load(open(os.path.join(out, "flat_sheet.annotation.json")))
    check(all(v["type"] != "cavity" for v in payload["volumes"]), "no cavities on a one-voxel axis")


def bad_input_cases(tmp):
    d = os.path.join(tmp, "bad")
    os.makedirs(os.path.join(d, "emptydir", "sub"), exist_ok=True)
    open(os.path.join(d, "emptydir", "notes.txt"), "w").write("not a structure\n")

    def w(name, data):
        path = os.path.join(d, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    good = open(os.path.join(GEN, "pocket_box.pdb"), "rb").read()
    gz = gzip.compress(good)
    line = b"ATOM      1  CA  ALA A   1       1.000   2.000   3.000  1.00  0.00           C\n"
    return [
        ("missing file", os.path.join(d, "nope.pdb"), ["No such file"]),
        ("directory without structures", os.path.join(d, "emptydir"), ["no structure files"]),
        ("empty file", os.path.join(GEN, "empty.pdb"), ["empty file"]),
        ("binary garbage", w("garbage.pdb", bytes(range(256)) * 40), ["binary data"]),
        ("truncated gzip", w("trunc.pdb.gz", gz[: len(gz) // 2]), ["truncated gzip"]),
        ("corrupt gzip", w("corrupt.pdb.gz", gz[:20] + b"\x00" * 50 + gz[70:]), ["gzip"]),
        # Python's gzip (volumizer's reader) refuses bytes after the last member that are not zero padding: vox
        # ignored them
        ("gzip with text appended", w("tail.pdb.gz", gz + b"trailing garbage\n"), ["tail.pdb.gz", "not a gzip member"]),
        # a label whose outputs' names fit NAME_MAX but not their temporaries': said as such, whatever the pid (it
        # was "File name too long" of the final name, and passed or failed by the digits of the pid)
        ("label too long for the temporaries", w("l" * 223 + ".pdb", good), ["its name is 237 bytes",
                                                                            "at most 236 bytes"]),
        ("non-numeric coordinate", w("nonnum.pdb", line.replace(b"   2.000", b"   abcde")),
         ["nonnum.pdb:1", "y coordinate", "not a number"]),
        ("short line", w("short.pdb", line[:40] + b"\n"), ["short.pdb:1", "line too short"]),
        ("cif without atom_site", w("noatoms.cif", b"data_x\n_cell.length_a 10.0\n"), ["atom_site"]),
        ("cif missing coordinate column", w("nocoord.cif", b"data_x\nloop_\n_atom_site.group_PDB\n_atom_site.Cartn_x\n"
                                             b"_atom_site.Cartn_y\nATOM 1.0 2.0\n"), ["Cartn_z"]),
        ("no protein after cleaning", w("water.pdb", line.replace(b"ATOM  ", b"HETATM").replace(b"ALA", b"HOH") * 5),
         ["no protein atoms"]),
        ("not a structure", w("text.pdb", b"hello world\nthis is not a structure\n"), ["no ATOM or HETATM records"]),
        ("unknown content", w("text.dat", b"hello world\n"), ["not a PDB or mmCIF"]),
        # a vertical tab once stalled the mmCIF lexer (found by fuzzing): it must end, with a message
        ("vertical tab in mmCIF", w("vt.cif", b"data_x\nloop_\n_atom_site.group_PDB\n_atom_site.Cartn_x\n"
                                    b"_atom_site.Cartn_y\n_atom_site.Cartn_z\nATOM\x0b1.0 2.0 3.0\n"), ["no protein"]),
        ("absurd resolution", os.path.join(GEN, "pocket_box.pdb"), ["voxels", "limit"], ["--resolution", "0.0005"]),
        # refused from the first bytes or at the limit, never read or decompressed in full (timed in test_bounded_inputs)
        ("gzip of zeros", w("zeros.pdb.gz", zeros_gz(64)), ["binary data", "after gzip decompression"]),
        ("/dev/zero", "/dev/zero", ["binary data"]),
        ("gzip text over --max-input-bytes", w("long.pdb.gz", atom_text_gz(16)), ["more than 4194304 bytes", "input limit"],
         ["--max-input-bytes", "4M"]),
        ("text over --max-input-bytes", w("long.pdb", good * 40), ["more than 1024 bytes", "input limit"],
         ["--max-input-bytes", "1K"]),
        # found by an adversarial pass: said at the line and field, not later as an empty grid axis
        ("coordinate past the float range", w("huge.pdb", line.replace(b"   1.000", b"  1e+39 ")),
         ["huge.pdb:1", "x coordinate '1e+39'", "out of range"]),
        ("mmCIF coordinate past the float range", w("huge.cif", b"data_x\nloop_\n_atom_site.group_PDB\n"
                                                  b"_atom_site.Cartn_x\n_atom_site.Cartn_y\n_atom_site.Cartn_z\n"
                                                  b"ATOM 1.0 -4e38 3.0\n"), ["huge.cif:7", "Cartn_y", "out of range"]),
        # found by an adversarial pass: a NUL byte past the first 64 KiB (the binary-data probe) ended the field
        # there, so "   2\0.000" was an x of 2 (exit 0, a wrong structure); C's hexadecimal 0x1p4 was 16. Python's
        # float() (volumizer) refuses both.
        ("NUL byte in a coordinate past 64 KiB", w("latenul.pdb", b"REMARK   1 PADDING\n" * 4000 +
                                                   line.replace(b"   1.000", b"   1\x00000")),
         ["latenul.pdb:4001", "NUL byte"]),
        ("NUL byte in an mmCIF value past 64 KiB", w("latenul.cif", b"data_x\n" + b"# padding\n" * 7000 +
                                                    b"loop_\n_atom_site.group_PDB\n_atom_site.Cartn_x\n"
                                                    b"_atom_site.Cartn_y\n_atom_site.Cartn_z\nATOM 1\x005 2.0 3.0\n"),
         ["latenul.cif:7007", "NUL byte"]),
        ("hexadecimal coordinate", w("hex.pdb", line.replace(b"   1.000", b"   0x1p4")),
         ["hex.pdb:1", "x coordinate '0x1p4'", "not a number"]),
        ("hexadecimal mmCIF coordinate", w("hex.cif", b"data_x\nloop_\n_atom_site.group_PDB\n_atom_site.Cartn_x\n"
                                          b"_atom_site.Cartn_y\n_atom_site.Cartn_z\nATOM 0x1p4 2.0 3.0\n"),
         ["hex.cif:7", "Cartn_x '0x1p4'", "not a number"]),
        # a single _atom_site value after the loop was added as a column: every row after the first was read shifted
        # (an odd row count of such items gave exit 0 and every other atom); a column given twice was read from
        # its first copy here and its last in vox trajectory
        ("mmCIF single value of a looped category", w("scalarafter.cif", b"data_x\nloop_\n_atom_site.group_PDB\n"
                                                     b"_atom_site.Cartn_x\n_atom_site.Cartn_y\n_atom_site.Cartn_z\n"
                                                     b"ATOM 1.0 2.0 3.0\nATOM 4.0 5.0 6.0\n_atom_site.extra 7\n"),
         ["scalarafter.cif:9", "single value of a category given as a loop at line 2"]),
        ("mmCIF column given twice", w("twice.cif", b"data_x\nloop_\n_atom_site.group_PDB\n_atom_site.Cartn_x\n"
                                      b"_atom_site.Cartn_y\n_atom_site.Cartn_z\n_atom_site.Cartn_x\n"
                                      b"ATOM 1.0 2.0 3.0 9.0\n"), ["twice.cif:7", "given twice"]),
        ("unterminated mmCIF text field", w("opentext.cif", b"data_x\n_struct.title\n;a title that\nnever ends\n"
                                           b"loop_\n_atom_site.group_PDB\n_atom_site.Cartn_x\n"),
         ["opentext.cif:3", "text field starting at line 3", "never ends"]),
    ]


def zeros_gz(mib):
    """mib MiB of zero bytes as mib concatenated gzip members of 1 MiB each (about 1 KiB per MiB)."""
    return gzip.compress(bytes(1 << 20), 9) * mib


def atom_text_gz(mib):
    """mib MiB of valid-looking PDB ATOM lines, gzip-compressed."""
    line = b"ATOM      1  CA  ALA A   1      11.104   6.134  -6.504  1.00  0.00           C  \n"
    block = line * ((1 << 20) // len(line) + 1)
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    return b"".join([c.compress(block) for _ in range(mib)] + [c.flush()])


def peak(*args):
    """(CompletedProcess, seconds, peak RSS in MiB) of `vox ARGS`, run from a fresh Python child."""
    code = ("import resource, subprocess, sys, time, json; t = time.monotonic(); "
            "p = subprocess.run(sys.argv[1:], capture_output=True, text=True, errors='replace'); "
            "print(json.dumps([p.returncode, p.stderr, time.monotonic() - t, "
            "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]))")
    q = subprocess.run([sys.executable, "-c", code, *WRAPPER, VOX, *args], capture_output=True, text=True, timeout=600)
    rc, err, secs, mib = json.loads(q.stdout)
    return rc, err, secs, mib


def test_bounded_inputs(tmp):
    """A gzip bomb, /dev/zero and text past --max-input-bytes fail fast, in bounded memory (the issue's reproducers
    cost 1-5 GB and seconds)."""
    d = os.path.join(tmp, "bounded")
    os.makedirs(d)
    bomb = os.path.join(d, "bomb.pdb.gz")
    open(bomb, "wb").write(zeros_gz(1024))  # 1 GiB of zeros in about 1 MB
    one = os.path.join(d, "one_member.pdb.gz")  # 256 MiB of zeros in one gzip member
    c = zlib.compressobj(1, zlib.DEFLATED, 31)
    open(one, "wb").write(c.compress(bytes(256 << 20)) + c.flush())
    text = os.path.join(d, "text.pdb.gz")
    open(text, "wb").write(atom_text_gz(256))
    cases = [("gzip of 1 GiB of zeros", [bomb], "binary data"), ("/dev/zero", ["/dev/zero"], "binary data"),
             ("gzip of 256 MiB of zeros in one member", [one], "binary data"),
             ("256 MiB of gzipped text over --max-input-bytes 8M", [text, "--max-input-bytes", "8M"], "input limit")]
    for what, args, needle in cases:
        rc, err, secs, mib = peak("analyze", "--quiet", "--output-dir", os.path.join(d, "out"), *args)
        check(rc == 1 and needle in err, f"{what}: refused: {rc} {err}")
        if WRAPPER:
            continue  # qemu's own memory and speed say nothing about vox's
        # generous bounds (sanitizer builds keep shadow memory); an unbounded read costs over 250 MB here. The time
        # is a hang guard only (a loaded 2-core CI machine under ASan is slow), not a speed check
        check(mib < 200 and secs < 120, f"{what}: {mib:.0f} MiB peak, {secs:.1f} s")
    for bad in ("0", "abc", "12Q", "-5"):
        p = vox("analyze", "--max-input-bytes", bad, "--output-dir", os.path.join(d, "u"), os.path.join(GEN, "pore_box.pdb"))
        check(p.returncode == 2 and "--max-input-bytes" in p.stderr, f"--max-input-bytes {bad}: usage error")


def test_bad_inputs(tmp):
    for case in bad_input_cases(tmp):
        what, path, needles = case[0], case[1], case[2]
        extra = case[3] if len(case) > 3 else []
        out = os.path.join(tmp, "badout_" + re.sub(r"\W", "_", what))
        p = vox("analyze", "--quiet", "--output-dir", out, *extra, path)
        msg = p.stderr
        check(p.returncode == 1, f"{what}: exit {p.returncode} (expected 1): {msg}")
        check(all(n in msg for n in needles), f"{what}: message lacks {needles}: {msg!r}")
        check(os.path.basename(path) in msg or path in msg, f"{what}: message does not name the file: {msg!r}")
        left = [f for f in os.listdir(out) if f not in ("run.summary.json", "run.checkpoint.json", ".vox.lock")] if os.path.isdir(out) else []
        check(left == [], f"{what}: files left behind: {left}")
        if os.path.isdir(out):
            s = json.load(open(os.path.join(out, "run.summary.json")))
            check(s["num_failed"] == 1 and s["errors"][0]["error"], f"{what}: error recorded in the summary")
    # usage errors: exit 2
    for args, needle in [
        (["--resolution", "0"], "--resolution"), (["--resolution", "-1"], "--resolution"),
        (["--resolution", "nan"], "--resolution"), (["--resolution", "abc"], "--resolution"),
        (["--surface-connectivity", "12"], "--surface-connectivity"), (["--assembly-policy", "x"], "--assembly-policy"),
        (["--bogus"], "unknown option"), (["--overwrite", "--reannotate"], "mutually exclusive"),
        (["--min-voxels", "x"], "--min-voxels"), (["--write", "xml"], "--write")]:
        p = vox("analyze", "--output-dir", os.path.join(tmp, "u"), *args, os.path.join(GEN, "pocket_box.pdb"))
        check(p.returncode == 2 and needle in p.stderr, f"usage {args}: {p.returncode} {p.stderr}")
    p = vox("analyze", os.path.join(GEN, "pocket_box.pdb"))
    check(p.returncode == 2 and "--output-dir" in p.stderr, "missing --output-dir")
    # unwritable output directory (a path below a regular file: even root cannot create it)
    blocker = os.path.join(tmp, "afile")
    open(blocker, "w").close()
    p = vox("analyze", "--output-dir", os.path.join(blocker, "sub"), os.path.join(GEN, "pocket_box.pdb"))
    check(p.returncode == 1 and "cannot write to output directory" in p.stderr, f"unwritable dir: {p.stderr}")
    # one bad input does not stop the others
    out = os.path.join(tmp, "mixed")
    p = vox("analyze", "--quiet", "--output-dir", out, os.path.join(GEN, "empty.pdb"), os.path.join(GEN, "pore_box.pdb"))
    s = json.load(open(os.path.join(out, "run.summary.json")))
    check(p.returncode == 1 and s["num_processed"] == 1 and s["num_failed"] == 1, "mixed batch continues")
    p = vox("analyze", "--quiet", "--fail-fast", "--output-dir", os.path.join(tmp, "ff"), os.path.join(GEN, "empty.pdb"),
            os.path.join(GEN, "pore_box.pdb"))
    s = json.load(open(os.path.join(tmp, "ff", "run.summary.json")))
    check(p.returncode == 1 and s["num_processed"] == 0, "--fail-fast stops")


def test_misc():
    p = vox("--version")
    check(p.returncode == 0 and re.match(r"vox \d+\.\d+\.\d+", p.stdout), "--version")
    p = vox("info")
    check(p.returncode == 0 and "cpu features:" in p.stdout and "in use: isa=" in p.stdout, f"info: {p.stdout}")
    p = vox("analyze", "--help")
    check(p.returncode == 0 and "--surface-connectivity" in p.stdout, "analyze --help")
    p = vox("frobnicate")
    check(p.returncode == 2, "unknown command")
    p = vox()
    check(p.returncode == 2, "no command")


def test_unclear_errors(tmp):
    """Messages that once said too little now say what, where and why."""
    pore = os.path.join(GEN, "pore_box.pdb")
    out = os.path.join(tmp, "clear")
    p = vox("analyze", "--max-grid-voxels", "1000000000000", "--output-dir", out, pore)
    check(p.returncode == 2 and "4294967295" in p.stderr and "32-bit" in p.stderr,
          f"--max-grid-voxels over 2^32-1 refused at parse time: {p.stderr}")
    p = vox("analyze", "--quiet", "--max-grid-voxels", "4294967295", "--resolution", "0.01", "--output-dir", out, pore)
    check(p.returncode == 1 and "hard limit" in p.stderr and "2^32 - 1" in p.stderr, f"the hard limit is named: {p.stderr}")
    afile = os.path.join(tmp, "plain_file")
    open(afile, "w").write("x")
    p = vox("analyze", "--output-dir", afile, pore)
    check(p.returncode == 1 and "a regular file, not a directory" in p.stderr and "File exists" not in p.stderr
          and "cannot sync" not in p.stderr, f"an output directory that is a file: one message: {p.stderr}")
    # a symbolic link to nothing as the output folder: said so (it was "No such file or directory"), and so
    # is a file given to vox trajectory (it was "File exists")
    dangling = os.path.join(tmp, "dangling")
    os.symlink(os.path.join(tmp, "nowhere"), dangling)
    p = vox("analyze", "--output-dir", dangling, pore)
    check(p.returncode == 1 and "symbolic link to" in p.stderr and "which does not exist" in p.stderr,
          f"a dangling link as the output folder: {p.stderr}")
    p = vox("trajectory", "--topology", pore, "--output-dir", afile)
    check(p.returncode == 1 and "a regular file, not a directory" in p.stderr, f"vox trajectory into a file: {p.stderr}")
    env = dict(os.environ, VOX_ISA="bogus")
    p = vox("analyze", "--output-dir", out, pore, env=env)
    check(p.returncode == 2 and "VOX_ISA='bogus'" in p.stderr and "unknown instruction set" in p.stderr,
          f"VOX_ISA=bogus named: {p.stderr}")
    p = vox("analyze", "--isa", "bogus", "--output-dir", out, pore)
    check(p.returncode == 2 and "--isa 'bogus'" in p.stderr, f"--isa bogus named: {p.stderr}")
    # the same message and exit 2 from every command, and no output folder made first (an adversarial pass:
    # vox trajectory said only "cannot create a context", exit 1; validate exited 1, a code it does not list)
    # what getopt refused, named as given (an adversarial pass: -xh was "unknown option 'o'", the word before it;
    # --quiet=1 and an ambiguous --out were "unknown"); help on stdout with exit 0 everywhere
    for args, said in ((["analyze", "--output-dir", out, "-xh", pore], "unknown option '-x'"),
                       (["analyze", "--quiet=1", "--output-dir", out, pore], "option '--quiet' takes no value"),
                       (["analyze", "--out", out, pore], "ambiguous option '--out' (--output-dir, --output-frame)"),
                       (["trajectory", "--topology", pore, "--output-dir", out, "--quiet=1"], "'--quiet' takes no value"),
                       (["validate", "--bogus", pore], "unknown option '--bogus'"),
                       (["info", "--fingerprint", "--settings"], "give one of them")):
        p = vox(*args)
        check(p.returncode == 2 and said in p.stderr, f"{args}: {p.returncode} {p.stderr[:300]}")
    for args in (["merge-summaries", "--help"], ["merge-summaries", "-h", "a.json", "b.json"]):
        p = vox(*args)
        check(p.returncode == 0 and p.stdout.startswith("usage: vox merge-summaries"), f"{args}: {p.returncode}")
    never = os.path.join(tmp, "isa-never")
    p = vox("analyze", "--isa", "bogus", "--output-dir", never, pore)
    check(p.returncode == 2 and not os.path.exists(never), f"--isa bogus makes no folder: {os.path.exists(never)}")
    p = vox("trajectory", "--topology", pore, "--output-dir", never, env=env)
    check(p.returncode == 2 and "VOX_ISA='bogus'" in p.stderr and "unknown instruction set" in p.stderr
          and not os.path.exists(never), f"vox trajectory names VOX_ISA: {p.returncode} {p.stderr}")
    missing = next((i for i in ("neon", "avx512", "avx2") if i not in vox("info").stdout.split("available")[-1][:200]), None)
    if missing:
        p = vox("validate", pore, env=dict(os.environ, VOX_ISA=missing))
        check(p.returncode == 2 and "not available" in p.stderr, f"validate with VOX_ISA={missing}: {p.returncode} {p.stderr}")
    p = vox("info", env=env)
    check("VOX_ISA='bogus'" in p.stdout, f"vox info names VOX_ISA: {p.stdout}")
    p = vox("analyze", "--threads", "4097", "--output-dir", out, pore)
    check(p.returncode == 2 and "1 to 4096" in p.stderr, "--threads stops at 4096")
    env = dict(os.environ, VOX_THREADS="abc", VOX_BIND="sideways")
    p = vox("analyze", "--quiet", "--jobs", "2", "--overwrite", "--output-dir", out, pore,
            os.path.join(GEN, "pocket_box.pdb"), env=env)
    check(p.returncode == 0 and p.stderr.count("VOX_THREADS='abc'") == 1 and p.stderr.count("VOX_BIND='sideways'") == 1,
          f"each warning once: {p.stderr}")
    check("done (" not in p.stderr, f"--quiet prints no lone closing progress line: {p.stderr}")


def test_profile_warnings(tmp):
    """A named profile vox cannot use (--profile or $VOX_PROFILE: corrupt, missing) warns once on stderr,
    --quiet or not (--quiet hides only the volume tables), and the analysis goes on with the defaults."""
    pore, pocket = os.path.join(GEN, "pore_box.pdb"), os.path.join(GEN, "pocket_box.pdb")
    bad = os.path.join(tmp, "bad-profile.json")
    with open(bad, "w") as f:
        f.write('{"format": "vox-profile", "sch')
    missing = os.path.join(tmp, "no-such-profile.json")
    base = {k: v for k, v in os.environ.items() if k not in ("VOX_PROFILE", "VOX_VERBOSE")}
    cases = [(["--profile", bad], {}, bad), (["--profile", missing], {}, missing),
             ([], {"VOX_PROFILE": bad}, bad), ([], {"VOX_PROFILE": missing}, missing)]
    for i, (args, env, named) in enumerate(cases):
        for quiet in ([], ["--quiet"]):
            out = os.path.join(tmp, f"pw{i}{len(quiet)}")
            p = vox("analyze", *quiet, *args, "--jobs", "2", "--output-dir", out, pore, pocket, env=dict(base, **env))
            warnings = [l for l in p.stderr.splitlines() if "warning" in l and named in l]
            check(p.returncode == 0 and len(warnings) == 1 and "default settings" in warnings[0],
                  f"{args or env} {quiet}: one warning naming the profile, and the analysis goes on: {p.returncode} {p.stderr}")
            check(os.path.exists(os.path.join(out, "pore_box.annotation.json")), f"{args or env} {quiet}: outputs written")
    # no profile asked for: nothing to warn about
    for args, env in ((["--profile", ""], {}), ([], {"VOX_PROFILE": ""})):
        p = vox("analyze", "--quiet", *args, "--output-dir", os.path.join(tmp, "pw-none"), "--overwrite", pore,
                env=dict(base, **env))
        check(p.returncode == 0 and "profile" not in p.stderr, f"{args or env}: no profile, no warning: {p.stderr}")


if __name__ == "__main__":
    sys.exit(main([test_types, test_outputs, test_degenerate_cell, test_corner_structures, test_bad_inputs, test_bounded_inputs, test_unclear_errors,
                  test_profile_warnings, lambda tmp: test_misc()],
                  "vox-cli-"))
