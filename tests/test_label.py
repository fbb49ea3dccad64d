"""test_label.py - the labels of `vox analyze` against volumizer's rule (cli.py, _sanitize_label): every
character that Python's str.isalnum() does not keep, '-' and '_' apart, becomes '_', '_' is stripped at
both ends, the rest lower-cased (str.lower), "structure" when nothing is left.  Every code point from
U+0080 to U+10FFFF in lines of a few, names in several scripts, and bytes that are not UTF-8 (a file name
read with os.fsdecode: each such byte a lone surrogate, never kept).  Run with the Python whose Unicode
version label_tables.h follows (Debian's /usr/bin/python3)."""
import os
import random
import subprocess
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from voxtest import check, main  # noqa: E402

LABEL_OF = sys.argv[1]
TABLES = sys.argv[2]


def volumizer_label(name):
    out = "".join(c if (c.isalnum() or c in {"-", "_"}) else "_" for c in name)
    out = out.strip("_").lower()
    return out if out else "structure"


def labels(lines):
    data = b"".join(line + b"\n" for line in lines)
    r = subprocess.run([LABEL_OF], input=data, capture_output=True, timeout=600)
    return r.stdout.split(b"\n")[: len(lines)]


def test_every_code_point(tmp):
    # each code point also between a capital sigma after a cased letter and another one: whether it is
    # case-ignorable or cased decides which of the two is a final sigma
    points = [c for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000]
    names = []
    for i in range(0, len(points), 24):  # 24 code points of 4 bytes at most: below the 127-byte label
        names.append("a" + "".join(chr(c) for c in points[i:i + 24]) + "b")
    names += ["A\u03a3" + chr(c) + "\u03a3" for c in points]
    got = labels([n.encode("utf-8") for n in names])
    wrong = [(n, g) for n, g in zip(names, got) if g.decode("utf-8", "replace") != volumizer_label(n)]
    check(len(got) == len(names) and not wrong,
          f"every code point: {len(wrong)} of {len(names)} lines differ, e.g. "
          f"{[(ascii(n), g) for n, g in wrong[:2]]}")


def test_names(tmp):
    names = ["Protéine_Kinase A.pdb", "蛋白质结构", "Белок-1", "ΑΒΓ", "Ǆemal", "İstanbul", "ＡＢＣ１２３", "x²", "½-pore",
             "--x--", "___", "", "E-coli (2)", "مرحبا", "한국어", "ﬁle", "ⅫⅣ", "a\u0301b"]
    rng = random.Random(5)
    alphabet = [chr(c) for c in (list(range(0x20, 0x7F)) + list(range(0xA0, 0x250)) + list(range(0x370, 0x400)) +
                                 list(range(0x4E00, 0x4E40)) + [0x130, 0x3A3, 0x1E9E, 0x2160])]
    names += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 20))) for _ in range(3000)]
    # Python's final sigma: a capital sigma that ends a word (a cased letter before it, case-ignorable
    # ones passed over; no cased letter after them) lowers to U+03C2
    names += ["ΟΔΟΣ", "ΟΔΟΣ ΣΑΣ", "Σ", "ΑΣΣ", "ΑΣ1", "Α1Σ", "ΑʰΣ", "ΑΣʰ", "ΑΣʰΒ", "ΑΣ-Β", "ΑΣ_", "_ΑΣ_",
              "ΑΣ.pdb", "ΑΣ'Β", "ΑΣ\u0301Β", "ΣΣΣ", "aΣ", "ªΣ", "ΑΣ\xe9"]
    sigma = [chr(c) for c in (0x3A3, 0x2B0, 0x2B0, 0x27, 0x2E, 0x301, 0xAA, 0x41, 0x31, 0x5F, 0x2D, 0x3042)]
    names += ["".join(rng.choice(sigma) for _ in range(rng.randint(1, 8))) for _ in range(3000)]
    got = labels([n.encode("utf-8") for n in names])
    wrong = [(n, g) for n, g in zip(names, got) if g.decode("utf-8") != volumizer_label(n)]
    check(not wrong, f"names: {[(ascii(n), g) for n, g in wrong[:3]]}")


def test_not_utf8(tmp):
    raw = [b"ab\xe9cd", b"\xff\xfe", b"x\xe2\x82y", b"\xc0\xafz", b"\xed\xa0\x80q", b"\xf4\x90\x80\x80w",
           b"caf\xc3\xa9\xe9"]
    got = labels(raw)
    for b, g in zip(raw, got):
        want = volumizer_label(os.fsdecode(b)).encode("utf-8", "surrogateescape")
        check(g == want, f"not UTF-8 {b!r}: {g!r}, volumizer {want!r}")


if __name__ == "__main__":
    if f"(Unicode {unicodedata.unidata_version})" not in open(TABLES, encoding="utf-8").read(300):
        print(f"SKIP: {TABLES} follows another Unicode than this Python's {unicodedata.unidata_version} "
              "(Debian 12's /usr/bin/python3 is the one it was generated with)")
        sys.exit(77)
    sys.exit(main([test_every_code_point, test_names, test_not_utf8], "vox-label-"))
