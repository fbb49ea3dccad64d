#!/usr/bin/env python3
"""test_report.py - the offline HTML report: `vox analyze --write html`, `vox report DIR`, and the pages
in a real browser.

    test_report.py files   VOX GENERATED_DIR SHARED_DATA OUT_DIR [WRAPPER]
    test_report.py browser VOX GENERATED_DIR SHARED_DATA OUT_DIR [WRAPPER]

`files` checks what vox writes, without a browser: the pages, the assets, the index after a batch, a
--resume, shards merged into one folder and a failure; the escaping of hostile titles, names and paths
(parsed back with Python's HTML parser: exactly the template's elements, the strings intact); the
Content-Security-Policy; byte-identical pages for any --jobs; clear errors for missing or damaged report
files.  `browser` opens every page from file:// in headless Chromium (Debian's chromium; the test is
skipped, exit 77, only when it is not installed) and fails on any JavaScript error or CSP violation, any
request that is not file:, or a view without the protein's and each volume type's colours; it checks the
table has one row per volume, that clicking a row changes the view and that a type toggle hides that
type.  Screenshots are kept in OUT_DIR (the build folder) for a person to look at.
"""
import colorsys
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys

from voxtest import check, main, runner

MODE, VOX, GEN, DATA, OUT = sys.argv[1:6]
WRAPPER = sys.argv[6].split() if len(sys.argv) > 6 else []
vox = runner(VOX, WRAPPER)
os.makedirs(OUT, exist_ok=True)

TYPE_COLOURS = {"protein": "#6f95c9", "hub": "#8c5fc7", "pore": "#d62728", "pocket": "#ff7f0e", "cavity": "#2ca02c"}
HOSTILE_TITLE = "</script><script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\"> 'q' \"d\" & <!--"
# a folder path that spells </script><script>...</script><img onerror=...> (a file name cannot hold '/')
HOSTILE_DIRS = "a</script><script>window.pwned=3</script><img src=x onerror='window.pwned=4'>&\""
# the title as vox reads it back from two PDB TITLE records (the break falls on a blank)
HOSTILE_CUT = HOSTILE_TITLE.rindex(" ", 0, 70)


class Page(html.parser.HTMLParser):
    """The elements of a page, its scripts, its CSP and the text of its header."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags, self.scripts, self.csp, self.texts, self.cur, self.data = [], [], None, {}, None, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "script":
            self.scripts.append(a)
        if tag == "meta" and a.get("http-equiv", "").lower() == "content-security-policy":
            self.csp = a.get("content")
        self.cur = a.get("id") or tag
        if tag == "script" and a.get("id") == "vox-data":
            self.data = ""

    def handle_data(self, d):
        if self.cur == "vox-data":
            self.data += d
        elif self.cur:
            self.texts[self.cur] = self.texts.get(self.cur, "") + d

    def handle_endtag(self, tag):
        self.cur = None


def analyze(out, *inputs, extra=(), env=None):
    return vox("analyze", "--quiet", "--progress-interval", "0", "--write", "html", *extra, "--output-dir", out,
               *inputs, env=env)


def page_of(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    p = Page(text)
    return text, p, json.loads(p.data) if p.data is not None else None


def check_page(path, annotation, what):
    """The page's structure, its CSP and its data against the structure's annotation.json."""
    text, p, d = page_of(path)
    check(d is not None and d.get("kind") == "structure", f"{what}: the page embeds its data as JSON")
    if d is None:
        return None
    srcs = [s.get("src") for s in p.scripts if s.get("src")]
    check(srcs == ["vox-report/3Dmol-min.js", "vox-report/report.js"], f"{what}: scripts by relative path: {srcs}")
    check(len(p.scripts) == 3 and sum(1 for s in p.scripts if s.get("type") == "application/json") == 1,
          f"{what}: no inline code, one data block: {p.scripts}")
    csp = p.csp or ""
    check("default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe" not in csp and "http" not in csp,
          f"{what}: CSP allows no network and no inline code: {csp}")
    check(not re.search(r"(src|href)=\"(https?:|//)", text), f"{what}: nothing refers to the network")
    check("<" not in p.data and ">" not in p.data and "&" not in p.data, f"{what}: the JSON has no < > &")
    ann = json.load(open(annotation))
    check(len(d["volumes"]) == len(ann["volumes"]), f"{what}: one volume per row of annotation.json")
    check([(v["type"], v["id"], v["volume"]) for v in d["volumes"]] ==
          [(v["type"], v["id"], v["volume"]) for v in ann["volumes"]], f"{what}: the same volumes, in order")
    check([(v["x"], v["y"], v["z"], v["circularity"], v["uniformity"]) for v in d["volumes"]] ==
          [(v["x"], v["y"], v["z"], v["cross_section_circularity"], v["cross_section_uniformity"]) for v in ann["volumes"]],
          f"{what}: the same values as annotation.json")
    for v in d["volumes"]:
        check(len(v["xyz"]) == 3 * v["outer"] and 0 < v["outer"] <= v["voxels"], f"{what}: voxels of {v['type']} {v['id']}")
    check(d["frame"] == "input", f"{what}: drawn in the input frame")
    return d


def decoded(a):
    last, out = [0, 0, 0], []
    for i, v in enumerate(a):
        last[i % 3] += v
        out.append(last[i % 3] / 100)
    return out


def pdb_atoms(path):
    return [(float(l[30:38]), float(l[38:46]), float(l[46:54])) for l in open(path) if l.startswith(("ATOM", "HETATM"))]


def turned(path, out):
    """A structure turned and moved, so the input frame is not vox's aligned frame."""
    with open(path) as f, open(out, "w") as o:
        for line in f:
            if line.startswith(("ATOM", "HETATM")):
                x, y, z = float(line[30:38]), float(line[38:46]), float(line[46:54])
                line = f"{line[:30]}{0.6 * x - 0.8 * y + 7.0:8.3f}{0.8 * x + 0.6 * y - 3.0:8.3f}{z + 1.5:8.3f}{line[54:]}"
            o.write(line)


def hostile_pdb(src, out):
    """pocket_box with a hostile title, residue names, atom names and chain ids on some atoms."""
    names = ["</s", "<im", "'\"&"]
    with open(src) as f, open(out, "w") as o:
        o.write("TITLE     " + HOSTILE_TITLE[:HOSTILE_CUT] + "\n")
        o.write("TITLE    2 " + HOSTILE_TITLE[HOSTILE_CUT + 1:] + "\n")
        k = 0
        for line in f:
            if line.startswith("ATOM") and k % 7 == 0:
                line = line[:12] + "<\"'>" + line[16] + names[(k // 7) % 3] + " " + "<" + line[22:]
            if line.startswith("ATOM"):
                k += 1
            o.write(line)


def hostile_cif(out):
    """A small mmCIF with a hostile _struct.title (a text field) and quoted hostile names."""
    rows = []
    n = 0
    for i in range(-4, 5):
        for j in range(-4, 5):
            for kk in range(-4, 5):
                if max(abs(i), abs(j), abs(kk)) < 3:  # hollow: a cavity inside
                    continue
                n += 1
                res, chain = ("ALA", "A") if n % 5 else ("'<b>'", "'\"<>'")
                rows.append(f"ATOM {n} C CA . {res} {chain} 1 {n} ? {1.5 * i:.3f} {1.5 * j:.3f} {1.5 * kk:.3f} 1.0 0.0 ? "
                            f"{n} {res} {chain} CA 1")
    with open(out, "w") as f:
        f.write("data_EVIL\n_struct.title\n;" + HOSTILE_TITLE + "\n;\nloop_\n")
        for c in ("group_PDB", "id", "type_symbol", "label_atom_id", "label_alt_id", "label_comp_id", "label_asym_id",
                  "label_entity_id", "label_seq_id", "pdbx_PDB_ins_code", "Cartn_x", "Cartn_y", "Cartn_z", "occupancy",
                  "B_iso_or_equiv", "pdbx_formal_charge", "auth_seq_id", "auth_comp_id", "auth_asym_id", "auth_atom_id",
                  "pdbx_PDB_model_num"):
            f.write(f"_atom_site.{c}\n")
        f.write("\n".join(rows) + "\n")


# ---- files ---------------------------------------------------------------------------------------------------------

def test_pages(tmp):
    out = os.path.join(OUT, "batch")
    shutil.rmtree(out, ignore_errors=True)
    src = [os.path.join(GEN, f"{t}_box.pdb") for t in ("cavity", "pocket", "pore", "hub")]
    bad = os.path.join(tmp, "broken.pdb")
    with open(bad, "w") as f:
        f.write("ATOM      1  CA  ALA A   1     abcdefg   0.000   0.000  1.00  0.00           C\n")
    r = analyze(out, *src, bad, extra=("--include-hubs", "--resolution", "2.0"))
    check(r.returncode == 1, f"a batch with a broken file exits 1: {r.returncode} {r.stderr}")
    for a in ("3Dmol-min.js", "report.js", "report.css"):
        check(os.path.isfile(os.path.join(out, "vox-report", a)), f"the asset {a} is in vox-report/")
    for s in src:
        label = os.path.basename(s)[:-4]
        d = check_page(os.path.join(out, label + ".html"), os.path.join(out, label + ".annotation.json"), label)
        if d:
            check(d["include_hubs"] is True and d["protein"]["atoms"] and len(decoded(d["protein"]["xyz"])) ==
                  3 * len(d["protein"]["atoms"]), f"{label}: the protein's atoms")
    check(not os.path.exists(os.path.join(out, "broken.html")), "no page for the failed structure")
    _, p, d = page_of(os.path.join(out, "index.html"))
    check(d and d["kind"] == "index" and [s["label"] for s in d["structures"]] ==
          ["broken", "cavity_box", "hub_box", "pocket_box", "pore_box"], f"index: every structure: {d and d['structures']}")
    st = {s["label"]: s for s in d["structures"]} if d else {}
    check(st.get("broken", {}).get("status") == "failed" and "abcdefg" in st.get("broken", {}).get("error", ""),
          "index: the failure, with its error")
    check(st.get("pore_box", {}).get("status") == "done" and st["pore_box"]["page"] and st["pore_box"]["pore"] == 1 and
          st["pore_box"]["largest_type"] == "pore", f"index: counts, largest type, link: {st.get('pore_box')}")
    check([s.get("src") for s in p.scripts if s.get("src")] == ["vox-report/report.js"], "index: only the page script")

    # --jobs 2 writes the same bytes; --resume keeps the pages and the index
    out2 = os.path.join(tmp, "jobs2")
    analyze(out2, *src, extra=("--include-hubs", "--resolution", "2.0", "--jobs", "2"))
    for s in src:
        label = os.path.basename(s)[:-4]
        check(open(os.path.join(out, label + ".html"), "rb").read() == open(os.path.join(out2, label + ".html"), "rb").read(),
              f"{label}: the same page bytes with --jobs 2")
    os.unlink(os.path.join(out2, "index.html"))
    r = analyze(out2, *src, extra=("--include-hubs", "--resolution", "2.0", "--resume"))
    _, _, d = page_of(os.path.join(out2, "index.html"))
    check(r.returncode == 0 and d and all(s["status"] == "done" and s["page"] for s in d["structures"]) and
          len(d["structures"]) == 4, f"--resume: the index lists the kept pages: {r.stderr}")
    # a structure without its page (analysed without --write html, or the page damaged) is redone
    page = os.path.join(out2, "pore_box.html")
    with open(page, "r+") as f:
        f.truncate(100)
    before = os.path.getmtime(os.path.join(out2, "cavity_box.html"))
    r = analyze(out2, *src, extra=("--include-hubs", "--resolution", "2.0", "--resume"))
    sm = json.load(open(os.path.join(out2, "run.summary.json")))
    check(r.returncode == 0 and [e["source"] for e in sm["results"]] == ["pore_box"] and len(sm["skipped"]) == 3 and
          open(page).read().endswith("</html>\n") and os.path.getmtime(os.path.join(out2, "cavity_box.html")) == before,
          f"--resume --write html redoes the structure whose page is damaged, and only it: {r.stderr}")


def test_report_command(tmp):
    """`vox report DIR` after shards run at once into one folder, with their summaries merged."""
    out = os.path.join(tmp, "shards")
    src = [os.path.join(GEN, f"{t}_box.pdb") for t in ("cavity", "pocket", "pore")]
    bad = os.path.join(tmp, "empty.pdb")
    open(bad, "w").close()
    shards = [subprocess.Popen([*WRAPPER, VOX, "analyze", "--quiet", "--progress-interval", "0", "--write", "html",
                                "--num-shards", "2", "--shard-index", str(k), "--output-dir", out, *src, bad],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for k in (0, 1)]
    errs = [p.communicate(timeout=600)[1] for p in shards]
    check([p.returncode for p in shards] == [0, 1] and "in use" not in "".join(errs),
          f"two shards at once in one folder (shard 1 has the empty file): {errs}")
    vox("merge-summaries", os.path.join(out, "merged.summary.json"),
        *(os.path.join(out, f"run.shard-{k}-of-2.summary.json") for k in (0, 1)))
    os.unlink(os.path.join(out, "index.html"))
    os.unlink(os.path.join(out, "vox-report", "report.js"))
    open(os.path.join(out, "stale.html.tmp.ABC123"), "w").close()
    r = vox("report", out)
    check(r.returncode == 0 and os.path.isfile(os.path.join(out, "vox-report", "report.js")),
          f"vox report: rebuilt the index and the assets: {r.stderr}")
    check(not os.path.exists(os.path.join(out, "stale.html.tmp.ABC123")), "vox report: a killed run's temporary removed")
    _, _, d = page_of(os.path.join(out, "index.html"))
    st = {s["label"]: s["status"] for s in d["structures"]} if d else {}
    check(st == {"cavity_box": "done", "pocket_box": "done", "pore_box": "done", "empty": "failed"},
          f"vox report: both shards' structures and the failure: {st}")
    r = vox("report", os.path.join(tmp, "nowhere"))
    check(r.returncode == 1 and "No such file or directory" in r.stderr, f"vox report on a missing folder: {r.stderr}")
    r = vox("report")
    check(r.returncode == 2, "vox report without a folder: usage error")


def test_killed_shard(tmp):
    """A shard killed (or still running) before its summary is written is in the index from its checkpoint
    (run.shard-K-of-N.checkpoint.json), failures included, for `vox report` and for the index the other
    shard writes at its end."""
    out = os.path.join(tmp, "killed")
    src = [os.path.join(GEN, f"{t}_box.pdb") for t in ("cavity", "pocket", "pore")]
    bad = os.path.join(tmp, "empty_k.pdb")
    open(bad, "w").close()
    # shard 1 of 2 takes pocket_box and empty_k (positions 1 and 3); its summary is what a kill leaves out
    r = analyze(out, *src, bad, extra=("--num-shards", "2", "--shard-index", "1"))
    ckpt = os.path.join(out, "run.shard-1-of-2.checkpoint.json")
    check(r.returncode == 1 and os.path.isfile(ckpt), f"shard 1 ran and left its checkpoint: {r.stderr}")
    os.unlink(os.path.join(out, "run.shard-1-of-2.summary.json"))
    want = {"cavity_box": "done", "pocket_box": "done", "pore_box": "done", "empty_k": "failed"}
    for how in ("shard 0's run", "vox report"):
        if how == "vox report":
            os.unlink(os.path.join(out, "index.html"))
            check(vox("report", out).returncode == 0, "vox report")
        else:
            r = analyze(out, *src, bad, extra=("--num-shards", "2", "--shard-index", "0"))
            check(r.returncode == 0, f"shard 0: {r.stderr}")
        rows = {s["label"]: s for s in index_rows(out)}
        check({k: v["status"] for k, v in rows.items()} == want,
              f"{how}: the killed shard's entries (its failure too) are rows: {rows}")
        check("empty file" in rows.get("empty_k", {}).get("error", ""),
              f"{how}: the failure's error from the checkpoint: {rows.get('empty_k')}")
        check(rows.get("pocket_box", {}).get("input") == src[1] and rows["pocket_box"]["page"] is True,
              f"{how}: the killed shard's done entry, its input and page: {rows.get('pocket_box')}")


def index_rows(out):
    _, _, d = page_of(os.path.join(out, "index.html"))
    return d["structures"] if d else []


def test_index_is_the_run(tmp):
    """The index says what the run's summary says: a structure that failed in the run is failed, with its error and
    no link to a page an earlier run left; every summary entry has its row, label collisions included; of two
    summaries naming a structure, the newer decides."""
    src = os.path.join(tmp, "this_run")
    os.makedirs(src)
    x = os.path.join(src, "x.pdb")
    shutil.copy(os.path.join(GEN, "pocket_box.pdb"), x)
    out = os.path.join(tmp, "this_run_out")
    r = analyze(out, x)
    rows = index_rows(out)
    check(r.returncode == 0 and [(s["label"], s["status"], s["page"]) for s in rows] == [("x", "done", True)],
          f"x done, with its page: {r.stderr} {rows}")
    with open(x, "w") as f:
        f.write("ATOM      1  N   ALA A   1      11.104  abcde   1.000  1.00  0.00           N\n")
    r = analyze(out, x, extra=("--overwrite",))
    sm = json.load(open(os.path.join(out, "run.summary.json")))
    for how in ("vox analyze", "vox report"):
        if how == "vox report":
            os.unlink(os.path.join(out, "index.html"))
            check(vox("report", out).returncode == 0, "vox report")
        rows = index_rows(out)
        check(r.returncode == 1 and sm["num_failed"] == 1 and len(rows) == 1 and rows[0]["status"] == "failed" and
              "abcde" in rows[0].get("error", "") and rows[0]["page"] is False and "volumes" not in rows[0],
              f"{how}: x failed in this run: failed, its error, no link to the earlier page: {rows}")
    check(os.path.isfile(os.path.join(out, "x.html")), "the earlier run's page is left in place")
    # an older summary that says x failed does not outweigh the newer run where it is done again
    old = os.path.join(out, "before.summary.json")
    os.replace(os.path.join(out, "run.summary.json"), old)
    os.utime(old, (1e9, 1e9))
    shutil.copy(os.path.join(GEN, "pocket_box.pdb"), x)
    r = analyze(out, x, extra=("--overwrite",))
    rows = index_rows(out)
    check(r.returncode == 0 and [(s["label"], s["status"], s["page"]) for s in rows] == [("x", "done", True)],
          f"the newer summary decides: {rows}")
    os.unlink(old)

    # label collisions: every entry of the summary has its row
    tree = os.path.join(tmp, "collide")
    os.makedirs(os.path.join(tree, "sub"))
    shutil.copy(os.path.join(GEN, "pocket_box.pdb"), os.path.join(tree, "pocket.pdb"))
    shutil.copy(os.path.join(GEN, "pore_box.pdb"), os.path.join(tree, "sub", "POCKET.pdb"))
    shutil.copy(os.path.join(GEN, "cavity_box.pdb"), os.path.join(tree, "trunc.pdb"))
    with open(os.path.join(tree, "trunc.cif"), "w") as f:
        f.write("data_trunc\n_entry.id trunc\n")
    shutil.copy(os.path.join(GEN, "hub_box.pdb"), os.path.join(tree, "hub.pdb"))
    out = os.path.join(tmp, "collide_out")
    r = analyze(out, tree, extra=("--include-hubs",))
    sm = json.load(open(os.path.join(out, "run.summary.json")))
    want = sorted([(e["source"], e["input_path"], "done") for e in sm["results"]] +
                  [(e["source"], e["input_path"], "failed") for e in sm["errors"]])
    for how in ("vox analyze", "vox report"):
        if how == "vox report":
            check(vox("report", out).returncode == 0, "vox report")
        rows = index_rows(out)
        got = sorted((s["label"], s["input"], s["status"]) for s in rows)
        check(r.returncode == 1 and len(want) == 5 and got == want, f"{how}: one row per summary entry: {got} {want}")
        links = sorted((s["label"], s["input"]) for s in rows if s["page"])
        check(links == sorted((e["source"], e["input_path"]) for e in sm["results"]),
              f"{how}: only the entries analysed link to the label's page: {links}")


def report_of(d, timeout=60):
    """vox report d, or None when it did not finish within timeout seconds."""
    try:
        return vox("report", d, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


def test_report_special_files(tmp):
    """vox report on a folder where a summary, an annotation file or a frames.csv is a FIFO (or another file that is
    not regular) reads none of them and finishes; before, it waited forever for a writer on the FIFO."""
    src = os.path.join(GEN, "pocket_box.pdb")
    for name in ("evil.annotation.json", "evil.summary.json", "evil.frames.csv", "run.shard-0-of-2.checkpoint.json"):
        out = os.path.join(tmp, "fifo_" + name.replace(".", "_"))
        r = analyze(out, src)
        os.mkfifo(os.path.join(out, name))
        r = report_of(out, timeout=120)  # a hang guard: a loaded machine under ASan is slow
        check(r is not None, f"vox report with a FIFO named {name} finishes")
        rows = index_rows(out) if r is not None else []
        check([(s["label"], s["status"]) for s in rows] == [("pocket_box", "done")],
              f"{name}: the index holds the run: {rows}")


def test_report_label_outside(tmp):
    """A summary's label that names a path (a hand-edited or crafted "../outside") is listed, never linked: the index
    linked ../outside.html, a page outside the folder, when one was there."""
    out = os.path.join(tmp, "crafted", "run")
    analyze(out, os.path.join(GEN, "pocket_box.pdb"))
    with open(os.path.join(tmp, "crafted", "outside.html"), "w") as f:
        f.write("<!DOCTYPE html><html></html>\n")
    path = os.path.join(out, "run.summary.json")
    s = json.load(open(path))
    entry = dict(s["results"][0], source="../outside")
    s["results"].append(entry)
    json.dump(s, open(path, "w"))
    vox("report", out)
    rows = {r["label"]: r for r in index_rows(out)}
    check("../outside" in rows and not rows["../outside"]["page"] and "href" not in rows["../outside"],
          f"a label with a slash is not linked: {rows.get('../outside')}")
    check(rows.get("pocket_box", {}).get("page") is True, "the run's own structure is linked")


def test_report_cannot_write(tmp):
    """An index.html or an asset that cannot be replaced is named with the reason; it said "cannot write
    .../index.html: Success" (errno read after the temporary file's cleanup)."""
    out = os.path.join(tmp, "index_is_a_folder")
    analyze(out, os.path.join(GEN, "pocket_box.pdb"))
    os.remove(os.path.join(out, "index.html"))
    os.mkdir(os.path.join(out, "index.html"))
    r = vox("report", out)
    check(r.returncode != 0 and "index.html: it is a directory" in r.stderr and "Success" not in r.stderr,
          f"vox report says why index.html cannot be written: rc {r.returncode}, {r.stderr!r}")


def test_non_utf8_names(tmp):
    """Inputs whose file names are not UTF-8 (Latin-1 names, say): the run's summary and annotation files write
    those bytes as lone surrogates (\\udce9, as Python's json does), and the index still has the run's rows, the
    failure included, for vox analyze and vox report. Before, those files did not parse and the rows were missing."""
    d = os.path.join(tmp, "latin1_in")
    os.makedirs(d)
    good = os.fsdecode(os.path.join(os.fsencode(d), b"caf\xe9.pdb"))
    bad = os.fsdecode(os.path.join(os.fsencode(d), b"br\xfbl\xe9.pdb"))
    shutil.copy(os.path.join(GEN, "pocket_box.pdb"), good)
    with open(bad, "w") as f:
        f.write("ATOM      1  CA  ALA A   1     abcdefg   0.000   0.000  1.00  0.00           C\n")
    out = os.path.join(tmp, "latin1_out")
    r = analyze(out, good, bad)
    for how in ("vox analyze", "vox report"):
        if how == "vox report":
            os.unlink(os.path.join(out, "index.html"))
            r = vox("report", out)
        rows = index_rows(out)
        got = sorted((s["status"], s["page"], s["input"].endswith("\ufffd.pdb")) for s in rows)
        check(got == [("done", True, True), ("failed", False, True)],
              f"{how}: the structure done and the failure are rows, the paths' bad bytes as U+FFFD: {r.stderr} {rows}")


def test_report_damaged_files(tmp):
    """vox report on a folder with damaged run files (a summary cut short, an annotation file that is not JSON or not
    an object, an empty checkpoint): the index of what can be read, a warning naming each file left out and why, exit
    status 1. Before, they were left out without a word and vox report said nothing was wrong."""
    src = [os.path.join(GEN, f"{t}_box.pdb") for t in ("cavity", "pocket")]
    out = os.path.join(tmp, "damaged_run")
    bad = os.path.join(tmp, "damaged_bad.pdb")
    open(bad, "w").close()
    r = analyze(out, *src, bad)
    summary = os.path.join(out, "run.summary.json")
    text = open(summary).read()
    with open(summary, "w") as f:
        f.write(text[:len(text) // 2])
    with open(os.path.join(out, "pocket_box.annotation.json"), "w") as f:
        f.write('{"volumes": [1, 2,, ]}')
    with open(os.path.join(out, "other.annotation.json"), "w") as f:
        f.write("[]")
    open(os.path.join(out, "run.shard-1-of-2.checkpoint.json"), "w").close()
    os.unlink(os.path.join(out, "run.checkpoint.json"))
    r = vox("report", out)
    named = [n for n in ("run.summary.json", "pocket_box.annotation.json", "other.annotation.json",
                         "run.shard-1-of-2.checkpoint.json") if os.path.join(out, n) in r.stderr]
    check(r.returncode == 1 and len(named) == 4 and "truncated" in r.stderr and "not a JSON object" in r.stderr
          and "empty" in r.stderr, f"vox report names each damaged file and why, exit 1: {r.returncode} {r.stderr}")
    rows = index_rows(out)
    check([(s["label"], s["status"]) for s in rows] == [("cavity_box", "done")],
          f"the index of what can be read is written: {rows}")
    # wherever the cut falls (in a string, an escape, a number, a word, after a comma or a colon), the summary is
    # said to end early; before, only where cJSON gave up at the last byte (the cut above passed or not by chance)
    cuts = {"in a string": text.index('"source"') + 3, "after a key": text.index('"schema"') + 8,
            "after a colon": text.index('":') + 2, "after a comma": text.index(",") + 1}
    for what, near in (("in a number", r"[0-9]\.[0-9]"), ("in a word", r"\b(true|false|null)\b"),
                       ("in an escape", r"\\")):
        m = re.search(near, text)
        if m:
            cuts[what] = m.start() + 2
    for what, at in cuts.items():
        with open(summary, "w") as f:
            f.write(text[:at])
        r = vox("report", out)
        check(r.returncode == 1 and f"{summary}: not valid JSON: it ends early, at byte {at} (truncated?)" in r.stderr,
              f"a summary cut {what} (at byte {at}) is said to end early: {r.stderr}")
    with open(summary, "w") as f:
        f.write("{]" + text[1:])
    r = vox("report", out)
    check(f"{summary}: not valid JSON at byte offset 1 of {len(text) + 1}" in r.stderr,
          f"a damaged summary is said to be damaged where it is: {r.stderr}")


def test_report_temporaries(tmp):
    """vox report removes what killed runs left (page, index and asset temporaries of dead writers: NAME.tmp.PID.XXXXXX)
    and only when no run holds the folder: while a run writes there (its lock held, perhaps from another host where
    pids say nothing), it removes none, and still writes the index. Before, it removed only the older form
    NAME.html.tmp.XXXXXX, and that even while a run was writing, but never a dead writer's NAME.tmp.PID.XXXXXX."""
    import fcntl
    out = os.path.join(tmp, "temporaries")
    r = analyze(out, os.path.join(GEN, "pocket_box.pdb"))
    p = subprocess.Popen(["true"])
    p.wait()
    dead, live = p.pid, os.getpid()
    stale = [f"x.html.tmp.{dead}.ABCDEF", f"index.html.tmp.{dead}.ABCDEF", f"vox-report/report.js.tmp.{dead}.ABCDEF",
             "old.html.tmp.ABC123"]
    kept = [f"y.html.tmp.{live}.ABCDEF", f"run.summary.json.tmp.{dead}.ABCDEF"]
    for n in stale + kept:
        open(os.path.join(out, n), "w").close()
    r = vox("report", out)
    left = [n for n in stale + kept if os.path.exists(os.path.join(out, n))]
    check(r.returncode == 0 and left == kept, f"no run on the folder: the dead writers' page temporaries removed: {left} {r.stderr}")
    # a run holds the folder (as one on another host would): nothing removed, the index written
    for n in stale:
        open(os.path.join(out, n), "w").close()
    os.unlink(os.path.join(out, "index.html"))
    fd = os.open(os.path.join(out, ".vox.lock"), os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.pwrite(fd, b"pid 1 on host elsewhere, vox analyze started now\n", 0)
        r = vox("report", out)
    finally:
        os.close(fd)
    left = [n for n in stale + kept if os.path.exists(os.path.join(out, n))]
    check(r.returncode == 0 and left == stale + kept and os.path.isfile(os.path.join(out, "index.html")),
          f"while a run holds the folder: every temporary kept, the index written: {left} {r.returncode} {r.stderr}")
    check("host elsewhere" in r.stderr, f"vox report says a run is writing there: {r.stderr}")


def test_report_of_no_run(tmp):
    """vox report on a folder without a run (a typo, one's home) writes nothing there and says why; before, it
    left an index.html and vox-report/ in any folder."""
    for name, files in (("empty", []), ("notes", ["notes.txt", "data.pdb"])):
        d = os.path.join(tmp, "norun_" + name)
        os.makedirs(d)
        for f in files:
            open(os.path.join(d, f), "w").write("x\n")
        r = vox("report", d)
        check(r.returncode == 1 and "holds no run" in r.stderr and sorted(os.listdir(d)) == sorted(files),
              f"{name}: refused, nothing written: {r.returncode} {r.stderr} {os.listdir(d)}")


def test_structure_named_index(tmp):
    """A structure labelled "index" has its page as index.structure.html, linked from the run's index.html, which
    stays the index; --resume keeps it, vox report links it. Before, the index page overwrote the structure's."""
    src = os.path.join(tmp, "idx_in")
    os.makedirs(src)
    for name in ("index", "other"):
        shutil.copy(os.path.join(GEN, "pocket_box.pdb"), os.path.join(src, name + ".pdb"))
    out = os.path.join(tmp, "idx_out")
    r = analyze(out, src)
    _, p, d = page_of(os.path.join(out, "index.html"))
    st = {s["label"]: s for s in d["structures"]} if d else {}
    check(r.returncode == 0 and d and d["kind"] == "index" and st.get("index", {}).get("href") == "index.structure.html"
          and st.get("other", {}).get("href") == "other.html", f"the index links index.structure.html: {st}")
    check_page(os.path.join(out, "index.structure.html"), os.path.join(out, "index.annotation.json"), "index")
    r = analyze(out, src, extra=("--resume",))
    s = json.load(open(os.path.join(out, "run.summary.json")))
    check(r.returncode == 0 and s["num_skipped"] == 2, f"--resume keeps both structures and pages: {r.stderr} {s['skipped']}")
    os.unlink(os.path.join(out, "index.html"))
    r = vox("report", out)
    _, _, d = page_of(os.path.join(out, "index.html"))
    check(r.returncode == 0 and d and d["kind"] == "index" and
          {s["label"]: s.get("href") for s in d["structures"]} == {"index": "index.structure.html", "other": "other.html"},
          f"vox report: the same links: {r.stderr}")


def test_frame(tmp):
    """The page's coordinates are the input file's (the protein within rounding, the voxels moved with it)."""
    src = os.path.join(tmp, "turned.pdb")
    turned(os.path.join(GEN, "pocket_box.pdb"), src)
    out = os.path.join(tmp, "frame")
    r = analyze(out, src, extra=("--resolution", "2.0", "--write", "pdb", "--output-frame", "input"))
    check(r.returncode == 0, f"turned structure: {r.stderr}")
    _, _, d = page_of(os.path.join(out, "turned.html"))
    xyz = decoded(d["protein"]["xyz"])
    inp = pdb_atoms(src)
    check(len(xyz) == 3 * len(inp) and max(abs(xyz[3 * i + a] - inp[i][a]) for i in range(len(inp)) for a in range(3)) <= 0.006,
          "the protein's atoms are the input file's coordinates")
    pseudo = set()
    blocks = open(os.path.join(out, "turned.annotated.pdb")).read().split("END")
    for l in blocks[1].splitlines():
        if l.startswith(("ATOM", "HETATM")):
            pseudo.add((round(float(l[30:38]), 1), round(float(l[38:46]), 1), round(float(l[46:54]), 1)))
    vx = decoded(d["volumes"][0]["xyz"])
    near = sum(1 for i in range(0, len(vx), 3) if (round(vx[i], 1), round(vx[i + 1], 1), round(vx[i + 2], 1)) in pseudo)
    check(len(vx) > 0 and near >= 0.9 * (len(vx) // 3), f"the voxels sit on the input-frame pseudo-atoms ({near}/{len(vx) // 3})")


def test_title_sources(tmp):
    """The page's title: read again from a regular file only (a FIFO input was read once, by the loader: opening it
    again waited for a writer for ever), and an mmCIF value's quotes dropped when a blank ends its line (as wwPDB files
    write _struct.title: the quotes were shown)."""
    cif = os.path.join(tmp, "quoted.cif")
    hostile_cif(cif)
    with open(cif) as f:
        text = f.read()
    with open(cif, "w") as f:
        f.write(text.replace("_struct.title\n;" + HOSTILE_TITLE + "\n;\n", "_struct.title   'A quoted title' \n"))
    out = os.path.join(tmp, "titles")
    r = analyze(out, cif, extra=("--resolution", "2.0"))
    check(r.returncode == 0, f"quoted title: {r.stderr}")
    _, _, d = page_of(os.path.join(out, "quoted.html"))
    check(d is not None and d.get("title") == "A quoted title", f"the title without its quotes: {d and d.get('title')!r}")
    fifo = os.path.join(tmp, "piped.pdb")
    os.mkfifo(fifo)
    src = os.path.join(GEN, "pocket_box.pdb")
    feeder = subprocess.Popen(["sh", "-c", 'cat "$1" > "$2"', "sh", src, fifo])
    try:
        r = vox("analyze", "--quiet", "--write", "html", "--resolution", "2.0", "--output-dir", out, fifo, timeout=60)
    except subprocess.TimeoutExpired:
        r = None
    finally:
        feeder.kill()
        feeder.wait()
    check(r is not None and r.returncode == 0, f"a FIFO input with --write html finishes: {r and r.stderr}")
    check(os.path.isfile(os.path.join(out, "piped.html")), "and has its page")


def test_memory_skip_in_index(tmp):
    """A structure --max-memory skipped is not analysed: the index shows it skipped, with the reason, and links no
    page an earlier run left (it showed "done" with the earlier run's volumes and page, and no reason at all)."""
    src = os.path.join(GEN, "pocket_box.pdb")
    out = os.path.join(tmp, "memskip")
    r = analyze(out, src, extra=("--resolution", "2.0"))
    check(r.returncode == 0, f"the first run: {r.stderr}")
    r = analyze(out, src, extra=("--resolution", "1.0", "--overwrite", "--max-memory", "1K"))
    rows = {e["label"]: e for e in index_rows(out)}
    e = rows.get("pocket_box", {})
    check(e.get("status") == "skipped" and not e.get("page") and "max-memory" in e.get("error", "").replace("_", "-"),
          f"the skipped structure's row: {e}")


def hostile_inputs(tmp):
    base = os.path.join(tmp, HOSTILE_DIRS)
    os.makedirs(base, exist_ok=True)
    pdb = os.path.join(base, "evil.pdb")
    hostile_pdb(os.path.join(GEN, "pocket_box.pdb"), pdb)
    cif = os.path.join(base, "evil2.cif")
    hostile_cif(cif)
    return pdb, cif


def test_hostile(tmp):
    pdb, cif = hostile_inputs(tmp)
    check("</script>" in pdb, "the hostile path holds </script>")
    out = os.path.join(OUT, "hostile")
    shutil.rmtree(out, ignore_errors=True)
    r = analyze(out, pdb, cif, extra=("--keep-non-protein", "--resolution", "2.0"))
    check(r.returncode == 0, f"hostile structures are analysed: {r.stderr}")
    for label, title in (("evil", HOSTILE_TITLE), ("evil2", HOSTILE_TITLE)):
        path = os.path.join(out, label + ".html")
        if not os.path.exists(path):
            check(False, f"{label}: page written")
            continue
        text, p, d = page_of(path)
        check(p.tags == ["html", "head", "meta", "meta", "meta", "meta", "meta", "title", "link", "script", "script",
                         "body", "header", "h1", "p", "main", "noscript", "p", "script"],
              f"{label}: exactly the template's elements: {p.tags}")
        check(p.texts.get("subtitle", "").strip() == title.strip(), f"{label}: the title is shown as text: {p.texts.get('subtitle')!r}")
        check(d and d["title"].strip() == title.strip() and d["input"] == (pdb if label == "evil" else cif),
              f"{label}: title and path intact in the data")
        pr = d["protein"] if d else {"resn": [], "chains": [], "kinds": []}
        want = ("</s", "<", "<\"'>") if label == "evil" else ("<b>", "\"<>", None)
        check(want[0] in pr["resn"] and want[1] in pr["chains"] and (not want[2] or [want[2], "C"] in pr["kinds"]),
              f"{label}: hostile names kept as data: {pr['resn']} {pr['chains']}")
    _, p, d = page_of(os.path.join(out, "index.html"))
    check(d and {s["input"] for s in d["structures"]} == {pdb, cif}, "index: the hostile paths intact")
    # bytes that are not UTF-8 (a stray byte, an encoded surrogate): U+FFFD, the page stays valid UTF-8
    raw = os.path.join(tmp, "bytes.pdb")
    with open(os.path.join(GEN, "pocket_box.pdb"), "rb") as f, open(raw, "wb") as o:
        o.write(b"TITLE     caf\xc3\xa9 \xff\xed\xa0\x80 ok\n" + f.read())
    out2 = os.path.join(tmp, "bytes")
    analyze(out2, raw)
    _, p, d = page_of(os.path.join(out2, "bytes.html"))  # strict UTF-8 decoding
    want = "caf\u00e9 \ufffd\ufffd\ufffd\ufffd ok"
    check(p.texts.get("subtitle") == want and d["title"] == want, f"invalid UTF-8: {p.texts.get('subtitle')!r} {d['title']!r}")


def test_errors(tmp):
    # a vox without its report files (copied away from the build tree): a clear error, nothing analysed
    alone = os.path.join(tmp, "bin")
    os.makedirs(alone)
    shutil.copy(VOX, os.path.join(alone, "vox"))
    out = os.path.join(tmp, "noassets")
    env = dict(os.environ)
    env.pop("VOX_REPORT_ASSETS", None)
    r = runner(os.path.join(alone, "vox"), WRAPPER)("analyze", "--quiet", "--write", "html", "--output-dir", out,
                                                     os.path.join(GEN, "pocket_box.pdb"), env=env)
    check(r.returncode == 1 and "setup.sh" in r.stderr and "3Dmol" in r.stderr, f"missing report files: {r.stderr}")
    check(not os.path.exists(os.path.join(out, "pocket_box.annotation.json")), "missing report files: nothing analysed")
    # damaged templates: the structure fails with a clear message and leaves none of its outputs
    assets = os.path.join(tmp, "assets")
    shutil.copytree(os.path.join(os.path.dirname(VOX), "share", "report"), assets)
    shutil.copy(os.path.join(os.path.dirname(VOX), "npm", "node_modules", "3dmol", "build", "3Dmol-min.js"), assets)
    page = os.path.join(assets, "page.html")
    original = open(page).read()
    open(page, "w").write(original.replace("</html>", "{{html:data}}</html>"))
    out = os.path.join(tmp, "damaged")
    r = analyze(out, os.path.join(GEN, "pocket_box.pdb"), env=dict(os.environ, VOX_REPORT_ASSETS=assets))
    check(r.returncode == 1 and "page.html" in r.stderr and "{{html:data}}" in r.stderr, f"damaged template: {r.stderr}")
    check(not any(f.startswith("pocket_box.") for f in os.listdir(out)), f"damaged template: no outputs left: {os.listdir(out)}")
    # templates that are not vox's (empty: empty pages were written, exit 0, that vox validate then refused), and
    # a VOX_REPORT_ASSETS that is not there (vox's own files were used without a word): refused before analysing
    for text, env_dir, said in (("", assets, "is not vox's"), (original, os.path.join(tmp, "nowhere"), "are not all there")):
        open(page, "w").write(text)
        out = os.path.join(tmp, "notvox-" + os.path.basename(env_dir))
        r = analyze(out, os.path.join(GEN, "pocket_box.pdb"), env=dict(os.environ, VOX_REPORT_ASSETS=env_dir))
        check(r.returncode == 1 and said in r.stderr and not os.path.exists(os.path.join(out, "pocket_box.annotation.json")),
              f"report files {said}: {r.returncode} {r.stderr}")
    r = vox("analyze", "--write", "htm", "--output-dir", out, os.path.join(GEN, "pocket_box.pdb"))
    check(r.returncode == 2 and "html" in r.stderr, "--write htm: a usage error naming html")


def ensemble(tmp, models=12):
    """pocket_box.pdb as a topology and a multi-model file of it, breathing a little from model to model."""
    import math
    src = os.path.join(GEN, "pocket_box.pdb")
    lines = [l for l in open(src) if l.startswith("ATOM")]
    ens = os.path.join(tmp, "breathing.pdb")
    with open(ens, "w") as f:
        for m in range(models):
            s = 1.0 + 0.04 * math.sin(m)
            f.write(f"MODEL     {m + 1:4d}\n")
            for l in lines:
                x, y, z = (float(l[30 + 8 * a:38 + 8 * a]) * s for a in range(3))
                f.write(f"{l[:30]}{x:8.3f}{y:8.3f}{z:8.3f}{l[54:]}")
            f.write("ENDMDL\n")
    return src, ens


def test_trajectory(tmp):
    top, ens = ensemble(tmp)
    out = os.path.join(OUT, "trajectory")
    shutil.rmtree(out, ignore_errors=True)
    r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", ens, "--output-dir", out, "--align", "reference",
            "--resolution", "2.0", "--write", "html,occupancy")
    check(r.returncode == 0, f"vox trajectory --write html: {r.stderr}")
    path = os.path.join(out, "breathing.trajectory.html")
    if not os.path.exists(path):
        check(False, "the trajectory page is written")
        return
    text, p, d = page_of(path)
    check(d and d["kind"] == "trajectory" and d["frames"] == 12 and d["align"] == "reference", "trajectory: the run")
    check(1 <= len(d["frames3d"]) <= 8 and d["frames3d"][0]["index"] == 0, f"trajectory: a bounded set of 3D frames")
    rows = [l.split(",") for l in open(os.path.join(out, "breathing.frames.csv")).read().splitlines()[1:]]
    for f in d["frames3d"]:
        want = [(w[2], int(w[3]), float(w[6])) for w in rows if int(w[0]) == f["index"]]
        got = [(v["type"], v["id"], v["volume"]) for v in f["volumes"]]
        check(got == want, f"trajectory: frame {f['index']}'s volumes are frames.csv's rows: {got} {want}")
        check(all("track" in v for v in f["volumes"]), "trajectory: volumes carry their track")
        check(len(decoded(f["xyz"])) == 3 * len(d["protein"]["atoms"]), "trajectory: a frame's atoms")
    check(d["series"]["by"] == "track" and d["series"]["sets"] and len(d["series"]["x"]) == 12,
          f"trajectory: a curve per track: {d['series'].get('sets')}")
    ntracks = len(open(os.path.join(out, "breathing.tracks.csv")).read().splitlines()) - 1
    check(len(d["tracks"]) == ntracks, "trajectory: every track in the table")
    _, _, idx = page_of(os.path.join(out, "index.html"))
    check(idx and idx["trajectories"] and idx["trajectories"][0]["label"] == "breathing" and
          idx["trajectories"][0]["page"] and idx["trajectories"][0]["frames"] == 12, "index: the trajectory")
    # --align each: no tracks, one curve per type
    out2 = os.path.join(tmp, "each")
    r = vox("trajectory", "--quiet", "--topology", top, "--trajectory", ens, "--output-dir", out2, "--write", "html",
            "--resolution", "2.0")
    _, _, d2 = page_of(os.path.join(out2, "breathing.trajectory.html"))
    check(r.returncode == 0 and d2["series"]["by"] == "type" and not d2["tracks"], "trajectory --align each: types")
    r = vox("trajectory", "--topology", top, "--output-dir", out2, "--write", "pdf")
    check(r.returncode == 2 and "html" in r.stderr, "trajectory --write pdf: a usage error naming html")
    # frames without volumes have no rows in frames.csv: the index counts the frames the run analysed (its
    # summary's), not the frames that have rows (before: 0 frames here)
    one = os.path.join(GEN, "one_atom.pdb")
    ens1 = os.path.join(tmp, "lone.pdb")
    atom = [l for l in open(one) if l.startswith(("ATOM", "HETATM"))]
    with open(ens1, "w") as f:
        for m in range(3):
            f.write(f"MODEL     {m + 1:4d}\n" + "".join(atom) + "ENDMDL\n")
    out3 = os.path.join(tmp, "lone")
    r = vox("trajectory", "--quiet", "--topology", one, "--trajectory", ens1, "--output-dir", out3, "--write", "html",
            "--align", "none", "--resolution", "2.0")
    _, _, idx3 = page_of(os.path.join(out3, "index.html")) if r.returncode == 0 else (None, None, None)
    check(idx3 and idx3["trajectories"][0]["frames"] == 3 and idx3["trajectories"][0]["rows"] == 0,
          f"index: frames without volumes count: {r.returncode} {r.stderr} {idx3 and idx3['trajectories']}")


def test_trajectory_times(tmp):
    """A long run's times on the page as frames.csv writes them: with %.6g, a run starting at 1,000,000 ps with 0.1 ps
    between frames showed 60 frames as 2 times, and each kept frame's time rounded.  A long run's track note names
    its tracks.csv."""
    md = os.path.join(DATA, "trajectories", "1aki-md")
    if not os.path.isfile(os.path.join(md, "traj.dcd")):
        print("  skipped: no ../shared/data/trajectories/1aki-md")
        return
    import struct
    b = bytearray(open(os.path.join(md, "traj.dcd"), "rb").read())
    delta = struct.unpack("<f", b[44:48])[0]  # AKMA units: 0.04888821 ps each
    b[12:16] = struct.pack("<i", round(1e6 / (delta * 0.04888821)))  # ISTART: the first frame at 1e6 ps
    late = os.path.join(tmp, "late.dcd")
    with open(late, "wb") as f:
        f.write(b)
    out = os.path.join(tmp, "late")
    r = vox("trajectory", "--quiet", "--topology", os.path.join(md, "top.pdb"), "--trajectory", late, "--stop", "40",
            "--align", "reference", "--resolution", "3.0", "--write", "html", "--output-dir", out)
    check(r.returncode == 0, f"a late trajectory: {r.stderr}")
    _, _, d = page_of(os.path.join(out, "late.trajectory.html"))
    times = {int(w[0]): float(w[1]) for w in (l.split(",") for l in open(os.path.join(out, "late.frames.csv")).read().splitlines()[1:])}
    x = d["series"]["x"]
    check(d["series"]["xlabel"] == "time (ps)" and len(set(x)) == len(x) and x[0] >= 1e6,
          f"every point of the curve at its own time: {len(set(x))} of {len(x)}")
    check(all(f["time"] == times[f["index"]] for f in d["frames3d"] if f["index"] in times),
          f"kept frames at frames.csv's times: {[(f['index'], f['time']) for f in d['frames3d']]}")
    # over 200 tracks (the real run 12 times over): the note names the run's own tracks.csv (it said "<label>")
    xtc = os.path.join(tmp, "long12.xtc")
    with open(xtc, "wb") as f:
        f.write(open(os.path.join(md, "traj.xtc"), "rb").read() * 12)
    out = os.path.join(tmp, "long12")
    r = vox("trajectory", "--quiet", "--topology", os.path.join(md, "top.pdb"), "--trajectory", xtc, "--align",
            "reference", "--write", "html", "--output-dir", out)
    _, _, d = page_of(os.path.join(out, "long12.trajectory.html"))
    check(r.returncode == 0 and "long12.tracks.csv has them all" in d.get("tracks_note", ""),
          f"the tracks note names the file: {d.get('tracks_note')!r}")


def test_4jpn(tmp):
    src = os.path.join(DATA, "structures", "4jpn.pdb")
    if not os.path.exists(src):
        print(f"SKIP 4jpn size check: {src} not found")
        return
    out = os.path.join(OUT, "4jpn")
    shutil.rmtree(out, ignore_errors=True)
    r = analyze(out, src, extra=("--resolution", "2.0"))
    check(r.returncode == 0, f"4jpn: {r.stderr}")
    size = os.path.getsize(os.path.join(out, "4jpn.html"))
    print(f"4jpn at 2.0 A: page {size} bytes (viewer {os.path.getsize(os.path.join(out, 'vox-report', '3Dmol-min.js'))} "
          "bytes, shared)")
    check(size <= 1 << 20, f"4jpn at 2.0 A: the page is at most 1 MB ({size})")
    check_page(os.path.join(out, "4jpn.html"), os.path.join(out, "4jpn.annotation.json"), "4jpn")


# ---- browser --------------------------------------------------------------------------------------------------------

def hue_counts(rows, names):
    """Pixels per colour of names: same hue (within 16 degrees), saturated and not too dark."""
    targets = {}
    for n in names:
        c = TYPE_COLOURS[n]
        h, s, v = colorsys.rgb_to_hsv(int(c[1:3], 16) / 255, int(c[3:5], 16) / 255, int(c[5:7], 16) / 255)
        targets[n] = (h, s)
    counts = dict.fromkeys(names, 0)
    for row in rows:
        for r, g, b in row[::2]:
            h, s, v = colorsys.rgb_to_hsv(r / 255, g / 255, b / 255)
            if v < 0.2 or s < 0.3:
                continue
            best, bd = None, 16 / 360
            for n, (th, ts) in targets.items():
                d = min(abs(h - th), 1 - abs(h - th))
                if d < bd and abs(s - ts) < 0.35:
                    best, bd = n, d
            if best:
                counts[best] += 1
    return counts


def viewer_shot(b, name):
    import browser
    rect = b.eval("(function(){var r=document.getElementById('viewer').getBoundingClientRect();"
                  "return {x:r.left+scrollX,y:r.top+scrollY,width:r.width,height:r.height};})()")
    png = b.screenshot(rect)
    with open(os.path.join(OUT, name + ".png"), "wb") as f:
        f.write(png)
    return browser.decode_png(png)[2]


def open_page(b, path, what):
    b.console_errors.clear()
    b.requests.clear()
    b.open("file://" + os.path.abspath(path))
    try:
        secs = b.wait_for("document.body && document.body.dataset.voxState === 'drawn'", timeout=120)
    except TimeoutError:
        check(False, f"{what}: the page draws (errors: {b.console_errors})")
        return False
    b.pump(0.3)
    check(not b.console_errors, f"{what}: no JavaScript error or CSP violation: {b.console_errors}")
    net = [u for u in b.requests if not u.startswith(("file:", "data:", "blob:"))]
    check(not net, f"{what}: no network request: {net}")
    print(f"{what}: drawn after {secs:.2f} s (wall, this machine's load included)")
    return True


def browse_structure(b, path, name):
    if not open_page(b, path, name):
        return
    d = b.eval("JSON.parse(document.getElementById('vox-data').textContent)")
    types = sorted({v["type"] for v in d["volumes"]})
    rows = b.eval("document.querySelectorAll('#volumes tbody tr[data-index]').length")
    check(rows == len(d["volumes"]), f"{name}: one table row per volume ({rows} / {len(d['volumes'])})")
    before = viewer_shot(b, name)
    counts = hue_counts(before, ["protein"] + types)
    check(all(counts[t] >= 20 for t in ["protein"] + types), f"{name}: the view holds the protein's and each type's colours: {counts}")
    # hovering a volume in the view shows its values
    t0 = d["volumes"][0]["type"]
    c = TYPE_COLOURS[t0]
    target = tuple(int(c[k:k + 2], 16) for k in (1, 3, 5))
    def near(px):
        return sum(abs(px[k] - target[k]) for k in range(3)) < 90
    spot = None  # a pixel well inside a sphere of that colour (its 9 x 9 neighbourhood has the colour too)
    for y in range(5, len(before) - 5, 2):
        for x in range(5, len(before[0]) - 5, 2):
            if near(before[y][x]) and all(near(before[y + dy][x + dx]) for dy in (-4, 0, 4) for dx in (-4, 0, 4)):
                spot = (x, y)
                break
        if spot:
            break
    check(spot is not None, f"{name}: a volume to hover")
    if spot:
        vx = b.eval("(function(){var r=document.getElementById('viewer').getBoundingClientRect();return [r.left,r.top];})()")
        b.move(vx[0] + spot[0], vx[1] + spot[1])
        b.move(vx[0] + spot[0] + 1, vx[1] + spot[1])
        try:
            b.wait_for("document.querySelector('.info strong') !== null", timeout=120)
            info = b.eval("document.querySelector('.info').textContent")
            check(any(v["type"] in info for v in d["volumes"]) and "volume" in info, f"{name}: hovering a volume shows its values: {info!r}")
        except TimeoutError:
            check(False, f"{name}: hovering a volume shows its values")
        b.move(2, 2)
        b.pump(0.8)
    views = b.eval("Number(document.body.dataset.voxViews)")
    xy = b.eval("(function(){var r=document.querySelector('#volumes tbody tr').getBoundingClientRect();"
                "return [r.left+r.width/2, r.top+r.height/2];})()")
    b.click(*xy)
    try:
        b.wait_for(f"Number(document.body.dataset.voxViews) > {views}", timeout=120)
    except TimeoutError:
        check(False, f"{name}: clicking a row draws the view again")
        return
    check(b.eval("document.querySelector('#volumes tbody tr').classList.contains('selected')"), f"{name}: the row is selected")
    after = viewer_shot(b, name + "-selected")
    changed = sum(1 for ra, rb in zip(before, after) for pa, pb in zip(ra, rb) if pa != pb)
    total = len(before) * len(before[0])
    check(changed > 0.02 * total, f"{name}: the view changed after the click ({changed} of {total} pixels)")
    info = b.eval("document.querySelector('.info').textContent")
    check(d["volumes"][0]["type"] in info, f"{name}: the info line shows the selected volume: {info!r}")
    # a type toggle hides that type (deselect first so nothing is kept visible).  The deselected view is counted
    # before the toggle's is waited for: read at once, the count could still lack the deselection's view (marked
    # two animation frames later), and then that view, not the toggle's, ended the wait for the hidden type
    views = b.eval("Number(document.body.dataset.voxViews)")
    b.click(*xy)
    try:
        b.wait_for(f"Number(document.body.dataset.voxViews) > {views}", timeout=120)
    except TimeoutError:
        check(False, f"{name}: clicking the selected row again draws the whole view")
        return
    t = d["volumes"][0]["type"]
    views = b.eval("Number(document.body.dataset.voxViews)")
    b.eval(f"(function(){{var c=document.querySelector('input[data-type=\"{t}\"]'); c.click(); return 1;}})()")
    b.wait_for(f"Number(document.body.dataset.voxViews) > {views}", timeout=120)
    b.pump(0.2)
    hidden = hue_counts(viewer_shot(b, name + "-hidden-" + t), [t])
    check(hidden[t] < 5, f"{name}: unticking {t} hides it ({hidden[t]} pixels left)")
    check(not b.console_errors, f"{name}: no error while clicking: {b.console_errors}")


def browse_big_index(b, tmp, src_out):
    """An index of 3,500 structures (3,000 done, 500 failed; made from one run's files) opens, holds one page of
    rows at a time, and its filter, sort and pager reach every row. Before, the table held every row: tens of
    seconds to open an index of 20,000 and seconds per key typed in the filter."""
    out = os.path.join(tmp, "big_index")
    os.makedirs(out)
    ann = json.load(open(os.path.join(src_out, "pocket_box.annotation.json")))
    sm = json.load(open(os.path.join(src_out, "run.summary.json")))
    one = sm["results"][0]
    results = []
    for i in range(3000):
        label = f"big{i:05d}"
        with open(os.path.join(out, label + ".annotation.json"), "w") as f:
            json.dump(dict(ann, input_path=f"/data/{label}.pdb"), f)
        results.append(dict(one, source=label, input_path=f"/data/{label}.pdb"))
        open(os.path.join(out, label + ".html"), "w").close()
    sm["results"] = results
    sm["errors"] = [{"source": f"bad{i:04d}", "input_path": f"/data/bad{i:04d}.pdb", "error": "ValueError: x"}
                    for i in range(500)]
    with open(os.path.join(out, "run.summary.json"), "w") as f:
        json.dump(sm, f)
    r = vox("report", out)
    check(r.returncode == 0, f"big index: vox report: {r.stderr}")
    if not open_page(b, os.path.join(out, "index.html"), "index of 3,500 structures"):
        return
    def rows():
        return b.eval("Array.from(document.querySelectorAll('#structures tbody tr')).map(r => r.cells[0].textContent)")
    first = rows()
    check(len(first) == 500 and first[0] == "bad0000", f"big index: one page of 500 rows: {len(first)} {first[:2]}")
    check("of 3,500" in b.eval("(document.getElementById('pager') || {}).textContent || ''"), "big index: the pager counts every row")
    b.eval("(function(){var n=document.getElementById('pager-next'); if (n) n.click(); return 1;})()")
    check(rows()[:1] == ["big00000"], f"big index: the next page: {rows()[:1]}")
    b.eval("(function(){var f=document.getElementById('filter'); f.value='big02999'; f.dispatchEvent(new Event('input'));"
           "return 1;})()")
    got = rows()
    check(got == ["big02999"] and b.eval("document.querySelector('#structures a').getAttribute('href')") == "big02999.html",
          f"big index: the filter finds a row past the first page, with its link: {got}")
    b.eval("(function(){var f=document.getElementById('filter'); f.value=''; f.dispatchEvent(new Event('input'));"
           "document.querySelector('#structures th').click(); return 1;})()")
    check(rows()[:1] == ["big02999"], f"big index: sorting by label, descending, starts at the last row: {rows()[:1]}")
    check(not b.console_errors, f"big index: no error: {b.console_errors}")


def test_browser(tmp):
    import browser
    try:
        b = browser.Browser(width=1400, height=1000)
    except browser.Unavailable as e:
        print(f"SKIP the browser tests: {e}")
        sys.exit(77)
    with b:
        out = os.path.join(OUT, "browser")
        shutil.rmtree(out, ignore_errors=True)
        src = [os.path.join(GEN, f"{t}_box.pdb") for t in ("cavity", "pocket", "pore", "hub")]
        r = analyze(out, *src, extra=("--include-hubs", "--resolution", "2.0"))
        check(r.returncode == 0, f"synthetic pages: {r.stderr}")
        for s in src:
            label = os.path.basename(s)[:-4]
            browse_structure(b, os.path.join(out, label + ".html"), label)
        pdb, cif = hostile_inputs(tmp)
        r = analyze(out, pdb, cif, extra=("--keep-non-protein", "--resolution", "2.0"))
        for label in ("evil", "evil2"):
            if open_page(b, os.path.join(out, label + ".html"), label):
                check(b.eval("window.pwned === undefined"), f"{label}: no hostile code ran")
                check(b.eval("document.getElementById('subtitle').textContent").strip() == HOSTILE_TITLE.strip(),
                      f"{label}: the title is shown as text")
                check(b.eval("document.querySelector('.details').textContent").find("</script>") >= 0,
                      f"{label}: the path is shown as text")
                browse_structure(b, os.path.join(out, label + ".html"), label)
        if open_page(b, os.path.join(out, "evil2.html"), "surface"):
            views = b.eval("Number(document.body.dataset.voxViews)")
            b.eval("(function(){var s=document.getElementById('protein-style'); s.value='surface';"
                   "s.dispatchEvent(new Event('change')); return 1;})()")
            b.wait_for(f"Number(document.body.dataset.voxViews) > {views}", timeout=120)
            b.pump(0.3)
            check(not b.console_errors and b.eval("voxReport.scene.surface !== null"),
                  f"the protein's surface is drawn without error: {b.console_errors}")
            tinted = sum(1 for row in viewer_shot(b, "surface") for r, g, bl in row if bl - r > 15 and r < 235)
            check(tinted > 20000, f"the (translucent) surface tints the view with the protein's colour: {tinted} pixels")
        if open_page(b, os.path.join(out, "index.html"), "index"):
            n = b.eval("document.querySelectorAll('#structures tbody tr').length")
            check(n == 6, f"index: one row per structure ({n})")
            links = b.eval("Array.from(document.querySelectorAll('#structures a')).map(a => a.getAttribute('href'))")
            check(sorted(links) == sorted(["cavity_box.html", "pocket_box.html", "pore_box.html", "hub_box.html",
                                           "evil.html", "evil2.html"]), f"index: links to the pages: {links}")
            check(b.eval("window.pwned === undefined"), "index: no hostile code ran")
            with open(os.path.join(OUT, "index.png"), "wb") as f:
                f.write(b.screenshot())
        browse_big_index(b, tmp, out)
        # a page whose viewer file is missing says so (it said WebGL was missing), and one copied without its
        # vox-report folder shows a line that says what it needs (it showed its heading alone)
        bare = os.path.join(tmp, "no-viewer")
        os.makedirs(os.path.join(bare, "vox-report"))
        shutil.copy(os.path.join(out, "pocket_box.html"), bare)
        for f in os.listdir(os.path.join(out, "vox-report")):
            if f != "3Dmol-min.js":
                shutil.copy(os.path.join(out, "vox-report", f), os.path.join(bare, "vox-report"))
        b.open("file://" + os.path.join(bare, "pocket_box.html"))
        try:
            b.wait_for("!!document.querySelector('.no-webgl')", timeout=60)
            said = b.eval("document.querySelector('.no-webgl').textContent")
        except TimeoutError:
            said = ""
        check("3Dmol-min.js" in said and "WebGL" not in said, f"a page without its viewer says so: {said!r}")
        alone = os.path.join(tmp, "alone")
        os.makedirs(alone)
        shutil.copy(os.path.join(out, "pocket_box.html"), alone)
        b.open("file://" + os.path.join(alone, "pocket_box.html"))
        b.pump(1.0)
        said = b.eval("document.getElementById('app').innerText")
        check("vox-report" in said, f"a page without its folder says what it needs: {said!r}")
        top, ens = ensemble(tmp)
        outt = os.path.join(OUT, "trajectory-browser")
        vox("trajectory", "--quiet", "--topology", top, "--trajectory", ens, "--output-dir", outt, "--align", "reference",
            "--resolution", "2.0", "--write", "html")
        tpage = os.path.join(outt, "breathing.trajectory.html")
        if open_page(b, tpage, "trajectory"):
            check(b.eval("document.querySelectorAll('svg.chart path.series').length") >= 1, "trajectory: curves drawn")
            n = b.eval("document.querySelectorAll('#frame option').length")
            check(n >= 2, f"trajectory: frames to choose from ({n})")
            # a type toggled off before another frame is chosen stays muted in that frame's rows (they were not)
            d0 = b.eval("JSON.parse(document.getElementById('vox-data').textContent)")
            both = sorted({v["type"] for v in d0["frames3d"][0]["volumes"]} & {v["type"] for v in d0["frames3d"][-1]["volumes"]})
            check(both, "trajectory: a type in the first and the last kept frame, to toggle")
            hidden = both[0] if both else ""
            if hidden:
                b.eval(f"(function(){{var c=document.querySelector('#app input[type=checkbox][data-type={hidden}]');"
                       "c.checked=false; c.dispatchEvent(new Event('change')); return 1;})()")
            views = b.eval("Number(document.body.dataset.voxViews)")
            b.eval("(function(){var s=document.getElementById('frame'); s.value=String(s.options.length-1);"
                   "s.dispatchEvent(new Event('change')); return 1;})()")
            b.wait_for(f"Number(document.body.dataset.voxViews) > {views}", timeout=120)
            d = b.eval("JSON.parse(document.getElementById('vox-data').textContent)")
            rows = b.eval("document.querySelectorAll('#volumes tbody tr[data-index]').length")
            check(rows == len(d["frames3d"][-1]["volumes"]), "trajectory: the table shows the chosen frame's volumes")
            if hidden:
                unmuted = b.eval(f"document.querySelectorAll('#volumes tbody tr.t-{hidden}:not(.muted)').length")
                shown = b.eval(f"document.querySelectorAll('#volumes tbody tr.t-{hidden}').length")
                check(shown > 0 and unmuted == 0, f"trajectory: the {hidden} rows of the new frame stay muted ({unmuted} of {shown} not)")
            check(not b.console_errors, f"trajectory: no error: {b.console_errors}")
            with open(os.path.join(OUT, "trajectory.png"), "wb") as f:
                f.write(b.screenshot())
        src4 = os.path.join(DATA, "structures", "4jpn.pdb")
        if os.path.exists(src4):
            out4 = os.path.join(OUT, "4jpn-browser")
            analyze(out4, src4, extra=("--resolution", "2.0"))
            browse_structure(b, os.path.join(out4, "4jpn.html"), "4jpn")
            b.eval("scrollTo(0, 0)")
            with open(os.path.join(OUT, "4jpn-page.png"), "wb") as f:
                f.write(b.screenshot())
        else:
            print(f"SKIP 4jpn in the browser: {src4} not found")
        print(f"screenshots in {OUT}")


def test_validate_report_files(tmp):
    """vox validate of a run that wrote pages checks the folder's own report files too: the viewer, script and
    style in vox-report/ (present, and the bytes this vox installs where it finds its copies) and index.html
    (whole, as the pages are held to); each damaged one is named with how to make it again (exit 5), and
    `vox report DIR` makes the folder valid again.  Before, a folder whose pages could not show (no viewer, no
    script) or without its index passed."""
    out = os.path.join(tmp, "validated")
    src = [os.path.join(GEN, f"{t}_box.pdb") for t in ("pocket", "pore")]
    r = analyze(out, *src, extra=("--resolution", "2.0"))
    check(r.returncode == 0, r.stderr)
    p = vox("validate", "--output-dir", out)
    check(p.returncode == 0, f"vox validate: complete: {p.stdout} {p.stderr}")

    def cut(path):
        with open(path, "r+b") as f:
            f.truncate(os.path.getsize(path) // 2)

    def zeroed(path):
        with open(path, "r+b") as f:
            f.seek(os.path.getsize(path) // 3)
            f.write(b"\0" * 64)
    damages = [("vox-report/report.js", os.unlink, "missing"), ("vox-report/3Dmol-min.js", cut, ""),
               ("vox-report/report.css", zeroed, ""), ("vox-report/report.js", lambda f: open(f, "w").close(), ""),
               ("index.html", cut, ""), ("index.html", os.unlink, "missing")]
    def a_directory(path):
        os.unlink(path)
        os.makedirs(path)

    def a_file(path):
        shutil.rmtree(path)
        open(path, "w").write("not a folder")
    damages += [("index.html", a_directory, "remove it"), ("vox-report/report.css", a_directory, "remove it"),
                ("vox-report", a_file, "not a directory")]
    for name, damage, word in damages:
        damage(os.path.join(out, name))
        p = vox("validate", "--output-dir", out)
        check(p.returncode == 5 and name in p.stdout and "vox report" in p.stdout and word in p.stdout,
              f"vox validate: {name} damaged ({damage.__name__}): {p.returncode} {p.stdout[-400:]}")
        if "remove it" in p.stdout:
            target = os.path.join(out, name)
            shutil.rmtree(target) if os.path.isdir(target) else os.unlink(target)
        r = vox("report", out)
        p = vox("validate", "--output-dir", out)
        check(r.returncode == 0 and p.returncode == 0, f"vox report {name}: valid again: {r.stderr} {p.stdout[-300:]}")
    # the viewer's licence is a text for the reader, loaded by no page: a folder without it is whole
    lic = os.path.join(out, "vox-report", "3Dmol-LICENSE.txt")
    if os.path.exists(lic):
        os.unlink(lic)
    p = vox("validate", "--output-dir", out)
    check(p.returncode == 0, f"vox validate: no licence file, no fault: {p.stdout[-300:]}")


def test_report_folder_link(tmp):
    """A vox-report that is a symbolic link (to a folder outside the output directory) is refused by vox analyze
    --write html and vox report, named by vox validate, and never written or cleaned through: before, the viewer,
    script and style overwrote the other folder's files of those names, and its *.tmp.<dead pid>.* files were
    deleted."""
    src = os.path.join(GEN, "pocket_box.pdb")
    out, elsewhere = os.path.join(tmp, "linked_out"), os.path.join(tmp, "elsewhere")
    os.makedirs(out)
    os.makedirs(elsewhere)
    theirs = {"report.js": "the user's own file\n", "thesis.docx.tmp.999999.Ab12Cd": "the user's draft\n"}
    for name, text in theirs.items():
        open(os.path.join(elsewhere, name), "w").write(text)
    os.symlink("../elsewhere", os.path.join(out, "vox-report"))
    def untouched():
        return {f: open(os.path.join(elsewhere, f)).read() for f in os.listdir(elsewhere)} == theirs
    r = analyze(out, src)
    check(r.returncode != 0 and "symbolic link" in r.stderr, f"vox analyze refuses the link: {r.stderr[-300:]}")
    check(untouched(), f"nothing written or removed through the link: {sorted(os.listdir(elsewhere))}")
    os.remove(os.path.join(out, "vox-report"))
    r = analyze(out, src)
    check(r.returncode == 0, f"without the link: {r.stderr[-300:]}")
    shutil.rmtree(os.path.join(out, "vox-report"))
    os.symlink("../elsewhere", os.path.join(out, "vox-report"))
    r = report_of(out)
    check(r is not None and r.returncode != 0 and "symbolic link" in r.stderr, f"vox report refuses the link: "
          f"{r and r.stderr[-300:]}")
    check(untouched(), f"vox report wrote or removed nothing through it: {sorted(os.listdir(elsewhere))}")
    p = vox("validate", "--output-dir", out)
    check(p.returncode == 5 and "vox-report: not a directory (a symbolic link" in p.stdout, f"vox validate names it: "
          f"{p.stdout[-400:]}")
    check("temporary" not in p.stdout, f"vox validate counts no temporary behind the link: {p.stdout[-300:]}")


def test_report_bad_frames_tables(tmp):
    """A <label>.frames.csv that is not a frames table of vox trajectory (a FIFO, a directory, a link to /dev/zero or
    to itself, binary bytes, an empty file) is named on stderr and left out of the index, and vox report exits 1, as
    for an unreadable annotation file; before, each became a trajectory row without a word.  A folder whose only such
    name is a directory is no run's folder: nothing written there."""
    out = os.path.join(tmp, "bad_frames")
    r = analyze(out, os.path.join(GEN, "cavity_box.pdb"))
    check(r.returncode == 0, f"analysed: {r.stderr[-300:]}")
    os.mkfifo(os.path.join(out, "fifo.frames.csv"))
    os.makedirs(os.path.join(out, "dir.frames.csv"))
    os.symlink("/dev/zero", os.path.join(out, "zero.frames.csv"))
    os.symlink("loop.frames.csv", os.path.join(out, "loop.frames.csv"))
    open(os.path.join(out, "bin.frames.csv"), "wb").write(b"garbage\n\xff\xfe")
    open(os.path.join(out, "empty.frames.csv"), "wb").close()
    r = report_of(out)
    _, _, d = page_of(os.path.join(out, "index.html"))
    names = ("fifo", "dir", "zero", "loop", "bin", "empty")
    check(r is not None and r.returncode == 1 and all(f"{n}.frames.csv" in r.stderr for n in names),
          f"each named, exit 1: {r and r.returncode} {r and r.stderr[-600:]}")
    check(d and d["trajectories"] == [] and [x["label"] for x in d["structures"]] == ["cavity_box"],
          f"none of them is a trajectory row: {d and d['trajectories']}")
    only_dir = os.path.join(tmp, "holiday")
    os.makedirs(os.path.join(only_dir, "holiday.frames.csv"))
    r = report_of(only_dir)
    check(r is not None and r.returncode == 1 and sorted(os.listdir(only_dir)) == ["holiday.frames.csv"],
          f"a folder with only a directory named like a frames table: nothing written ({sorted(os.listdir(only_dir))})")


def test_report_arguments(tmp):
    """vox report -- DIR takes a folder whose name starts with '-'; a path that is missing or is a file says which,
    and an empty string is a usage error (they all said "not a directory", and "--" was a usage error)."""
    out = os.path.join(tmp, "-dashed")
    r = analyze(out, os.path.join(GEN, "cavity_box.pdb"))
    check(r.returncode == 0, f"analysed: {r.stderr[-300:]}")
    r = vox("report", "--", out)
    check(r.returncode == 0 and os.path.exists(os.path.join(out, "index.html")), f"vox report -- DIR: {r.stderr}")
    r = vox("report", os.path.join(tmp, "missing"))
    check(r.returncode == 1 and "No such file or directory" in r.stderr, f"a missing folder: {r.stderr}")
    r = vox("report", os.path.join(GEN, "cavity_box.pdb"))
    check(r.returncode == 1 and "a regular file, not a directory" in r.stderr, f"a file: {r.stderr}")
    r = vox("report", "")
    check(r.returncode == 2 and "empty string" in r.stderr, f"an empty string: {r.stderr}")


def test_report_odd_annotations_and_lock(tmp):
    """An annotation file that is JSON but not vox analyze's ("volumes" not a list of typed volumes, or absent) is
    named and left out (exit 1): it was a finished structure with 0 or 5 untyped volumes.  A lock file vox cannot
    use (a symbolic link) is said: vox report wrote the index without the lock and without a word."""
    out = os.path.join(tmp, "odd_annotations")
    os.makedirs(out)
    for name, text in (("weird", '{"volumes":"not a list"}'), ("scalars", '{"volumes":[1,2,3,null,"x"]}'),
                       ("emptyobj", "{}")):
        open(os.path.join(out, name + ".annotation.json"), "w").write(text)
    r = report_of(out)
    check(r is not None and r.returncode == 1 and r.stderr.count("not an annotation of vox analyze") == 3,
          f"each named: {r and r.stderr[-600:]}")
    check(index_rows(out) == [], f"none is a row: {index_rows(out)}")
    out2 = os.path.join(tmp, "linked_lock")
    check(analyze(out2, os.path.join(GEN, "cavity_box.pdb")).returncode == 0, "analysed")
    os.remove(os.path.join(out2, ".vox.lock"))
    os.symlink(os.path.join(GEN, "cavity_box.pdb"), os.path.join(out2, ".vox.lock"))
    r = report_of(out2)
    check(r is not None and r.returncode == 0 and "without the folder's lock" in r.stderr, f"said: {r and r.stderr}")


def test_page_of_a_rewrite_without_html(tmp):
    """A structure written again without --write html loses the page an earlier run made of it: the page showed the
    earlier result beside the new annotation (and the index linked it)."""
    src = os.path.join(GEN, "pocket_box.pdb")
    out = os.path.join(tmp, "rewrite")
    r = analyze(out, src, extra=("--resolution", "2.0"))
    page = os.path.join(out, "pocket_box.html")
    check(r.returncode == 0 and os.path.exists(page), f"first run with a page: {r.stderr[-300:]}")
    r = vox("analyze", "--quiet", "--overwrite", "--resolution", "3.0", "--output-dir", out, src)
    check(r.returncode == 0 and not os.path.exists(page), f"the earlier page is gone: {r.stderr[-300:]}")
    # the run writes the folder's index again, so that it links no page that is gone
    check([(x["label"], x["page"]) for x in index_rows(out)] == [("pocket_box", False)],
          f"the index refreshed by the run: {index_rows(out)}")
    r = report_of(out)
    rows = index_rows(out)
    check([(x["label"], x["page"]) for x in rows] == [("pocket_box", False)], f"the index links no page: {rows}")


if __name__ == "__main__":
    tests = [test_browser] if MODE == "browser" else [test_pages, test_report_command, test_killed_shard,
                                                      test_index_is_the_run, test_structure_named_index, test_report_of_no_run,
                                                      test_report_special_files, test_report_cannot_write, test_report_label_outside,
                                                      test_non_utf8_names,
                                                      test_report_damaged_files,
                                                      test_report_temporaries, test_validate_report_files,
                                                      test_report_folder_link, test_page_of_a_rewrite_without_html, test_report_bad_frames_tables, test_report_arguments, test_report_odd_annotations_and_lock,
                                                      test_frame, test_title_sources, test_memory_skip_in_index, test_hostile,
                                                      test_errors, test_trajectory, test_trajectory_times, test_4jpn]
    sys.exit(main(tests, "vox-report-"))
