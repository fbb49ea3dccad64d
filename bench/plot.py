#!/usr/bin/env python3
"""plot.py - draws vox-bench results as an SVG: median stage times per structure case.

    python3 bench/plot.py results.json [more.json ...] -o stages.svg

One horizontal bar per case (and per file, when several are given - e.g. one
per ISA), split into the pipeline stages.  Standard library only.
"""
import argparse
import html
import json

STAGES = ["load", "prepare", "shells", "grid", "buried", "components", "classify", "metrics", "render"]
COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results", nargs="+")
    ap.add_argument("-o", "--output", default="stages.svg")
    ap.add_argument("--max-cases", type=int, default=60)
    args = ap.parse_args()
    rows = []
    for path in args.results:
        d = json.load(open(path))
        tag = d.get("isa", "") if len(args.results) > 1 else ""
        for c in d["cases"]:
            if c.get("kind", "structure") != "structure" or "stages" not in c:
                continue
            ms = [1e3 * c["stages"].get(s, {}).get("median", 0.0) for s in STAGES]
            rows.append((c["name"] + (f" [{tag}]" if tag else ""), ms))
    rows = rows[: args.max_cases]
    if not rows:
        raise SystemExit("plot.py: no structure cases with stage timings")
    width, label_w, bar_h, gap, top = 1000, 260, 14, 4, 60
    plot_w = width - label_w - 80
    longest = max(sum(ms) for _, ms in rows) or 1.0
    height = top + len(rows) * (bar_h + gap) + 60
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="10" y="20" font-size="15">vox-bench: median time per stage (ms), whole job of vox analyze</text>']
    x = 10
    for s, col in zip(STAGES, COLOURS):  # legend
        out.append(f'<rect x="{x}" y="32" width="10" height="10" fill="{col}"/><text x="{x + 14}" y="41">{s}</text>')
        x += 14 + 8 * len(s) + 14
    for i, (name, ms) in enumerate(rows):
        y = top + i * (bar_h + gap)
        out.append(f'<text x="{label_w - 6}" y="{y + bar_h - 3}" text-anchor="end">{html.escape(name)}</text>')
        x = label_w
        for v, col in zip(ms, COLOURS):
            w = plot_w * v / longest
            if w > 0:
                out.append(f'<rect x="{x:.2f}" y="{y}" width="{w:.2f}" height="{bar_h}" fill="{col}"/>')
            x += w
        out.append(f'<text x="{x + 4:.2f}" y="{y + bar_h - 3}">{sum(ms):.2f}</text>')
    axis_y = top + len(rows) * (bar_h + gap) + 10
    for k in range(6):
        v = longest * k / 5
        xx = label_w + plot_w * k / 5
        out.append(f'<line x1="{xx:.1f}" y1="{top - 4}" x2="{xx:.1f}" y2="{axis_y}" stroke="#ddd"/>')
        out.append(f'<text x="{xx:.1f}" y="{axis_y + 14}" text-anchor="middle">{v:.1f}</text>')
    out.append("</svg>")
    with open(args.output, "w") as f:
        f.write("\n".join(out) + "\n")
    print(f"plot written to {args.output} ({len(rows)} bars)")


if __name__ == "__main__":
    main()
