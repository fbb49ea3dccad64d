"""site_dir.py PREFIX - prints the site-packages folder directly under PREFIX (PREFIX/lib/...) that this
interpreter searches, or nothing: where `meson install` puts the vox package so that it imports."""
import os
import sys

prefix = os.path.abspath(sys.argv[1])
for p in sys.path:
    rel = os.path.relpath(os.path.abspath(p), prefix)
    if rel.split(os.sep)[0] == "lib" and os.path.basename(p) in ("site-packages", "dist-packages"):
        print(os.path.abspath(p))
        break
