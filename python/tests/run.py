"""run.py - runs the vox Python package's tests with pytest (meson test suite `python`).

    python3 python/tests/run.py python/tests [pytest options]

Exits 77 (meson: skipped) when the interpreter lacks NumPy, pandas or pytest."""
import sys

missing = []
for mod in ("numpy", "pandas", "pytest"):
    try:
        __import__(mod)
    except ImportError:
        missing.append(mod)
if missing:
    print(f"SKIP: {sys.executable} lacks {', '.join(missing)} (Debian: apt-get install "
          + " ".join("python3-" + m for m in missing) + ")")
    sys.exit(77)

import pytest  # noqa: E402

sys.exit(pytest.main(["-p", "no:cacheprovider", "-q", "-rs", *sys.argv[1:]]))
