#!/usr/bin/env python3
"""plot.py - draws vox-bench results: median stage times per structure case.

    python3 bench/plot.py results.json [more.json ...] -o stages.png
    vox-bench-plot results.json -o stages.pdf          (installed by meson install)

One horizontal bar per structure case (and per file, when several are given -
e.g. one per ISA), split into the pipeline stages.  The format is the one the
output name asks for (.png, .svg, .pdf, ... - whatever matplotlib writes);
an unknown suffix is an error, never a file of another format under that name.
Cases without stage timings (kernel micro-cases, failed cases) and cases
beyond --max-cases are left out, and the script says which and why, on the
terminal and under the picture.  Needs matplotlib (Debian: python3-matplotlib).
"""
import argparse
import json
import os
import sys

STAGES = ["load", "prepare", "shells", "grid", "buried", "components", "classify", "metrics", "render"]
COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"]


def collect(paths, max_cases):
    """The bars (label, per-stage ms) and the cases left out, as (label, reason)."""
    rows, left_out, files = [], [], []
    for path in paths:
        with open(path) as f:
            d = json.load(f)
        if not isinstance(d, dict) or not isinstance(d.get("cases"), list):
            raise SystemExit(f"plot.py: {path} is not a vox-bench result file")
        files.append(d)
    # several files: tell their bars apart by ISA when that differs, else by file name
    isas = [d.get("isa", "") for d in files]
    by_isa = len(set(isas)) == len(isas) and all(isas)
    for path, d in zip(paths, files):
        tag = "" if len(paths) == 1 else f" [{d['isa'] if by_isa else os.path.basename(path)}]"
        for c in d["cases"]:
            label = c.get("name", "?") + tag
            if "error" in c:
                left_out.append((label, f"failed: {c['error']}"))
            elif c.get("kind", "structure") != "structure":
                left_out.append((label, "kernel micro-case (no pipeline stages)"))
            elif "stages" not in c:
                left_out.append((label, "no stage timings"))
            else:
                rows.append((label, [1e3 * c["stages"].get(s, {}).get("median", 0.0) for s in STAGES]))
    if max_cases and len(rows) > max_cases:
        left_out += [(label, f"beyond --max-cases {max_cases}") for label, _ in rows[max_cases:]]
        rows = rows[:max_cases]
    return rows, left_out


def summarise(left_out):
    """Left-out cases grouped by reason: one line per reason."""
    by_reason = {}
    for label, reason in left_out:
        by_reason.setdefault(reason, []).append(label)
    return [f"{len(v)} left out ({k}): {', '.join(v)}" for k, v in by_reason.items()]


def main():
    ap = argparse.ArgumentParser(description="median stage times of vox-bench results as a picture")
    ap.add_argument("results", nargs="+")
    ap.add_argument("-o", "--output", default="stages.svg",
                    help="output file; its suffix picks the format (.png, .svg, .pdf, ...)")
    ap.add_argument("--max-cases", type=int, default=0, help="draw at most this many bars (0: all)")
    args = ap.parse_args()
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SystemExit("plot.py: needs matplotlib (Debian: apt-get install python3-matplotlib)")
    suffix = os.path.splitext(args.output)[1].lower().lstrip(".")
    formats = plt.figure().canvas.get_supported_filetypes()
    plt.close("all")
    if suffix not in formats:
        raise SystemExit(f"plot.py: cannot tell the format from '{args.output}': name it .png, .svg, .pdf "
                         f"(matplotlib here writes: {', '.join(sorted(formats))})")

    rows, left_out = collect(args.results, args.max_cases)
    notes = summarise(left_out)
    for n in notes:
        print(f"plot.py: {n}")
    if not rows:
        raise SystemExit("plot.py: no structure cases with stage timings to draw")

    height = 1.6 + 0.22 * len(rows) + 0.18 * len(notes)
    fig, ax = plt.subplots(figsize=(11, height))
    y = list(range(len(rows)))[::-1]  # first case on top
    left = [0.0] * len(rows)
    for k, (stage, colour) in enumerate(zip(STAGES, COLOURS)):
        widths = [ms[k] for _, ms in rows]
        ax.barh(y, widths, left=left, color=colour, label=stage, height=0.8)
        left = [a + b for a, b in zip(left, widths)]
    for yy, total in zip(y, left):
        ax.text(total, yy, f" {total:.2f}", va="center", fontsize=7)
    ax.set_yticks(y)
    ax.set_yticklabels([label for label, _ in rows], fontsize=7)
    ax.set_xlabel("median time (ms), whole job of vox analyze")
    ax.set_title("vox-bench: median time per stage", pad=24)
    ax.legend(ncol=len(STAGES), fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    ax.margins(x=0.08)
    if notes:
        # the cases not drawn, under the axes (long lists are cut with a count)
        text = "\n".join(n if len(n) <= 180 else n[:170] + " ..." for n in notes)
        fig.text(0.01, 0.005, text, fontsize=7, va="bottom", ha="left", wrap=True)
    fig.tight_layout(rect=(0, 0.18 * len(notes) / height, 1, 1))
    fig.savefig(args.output, format=suffix)
    print(f"plot written to {args.output} ({suffix}, {len(rows)} bars, {len(left_out)} cases left out)")


if __name__ == "__main__":
    sys.exit(main())
