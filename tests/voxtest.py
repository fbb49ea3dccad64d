"""voxtest.py - what the script tests share: counted checks, running vox, the test main."""
import os
import shutil
import subprocess
import tempfile

counts = {"passed": 0, "failed": 0}


def check(cond, what):
    """Counts one check; prints what failed."""
    counts["passed" if cond else "failed"] += 1
    if not cond:
        print(f"FAIL {what}")


def runner(vox, wrapper=()):
    """A function that runs `vox ARGS...` (through a wrapper such as qemu) and returns the CompletedProcess."""
    def run(*args, **kw):
        kw.setdefault("timeout", 600)
        return subprocess.run([*wrapper, vox, *args], capture_output=True, text=True, errors="replace", **kw)
    return run


def main(tests, prefix):
    """Runs each test(tmp) in one temporary folder, prints the closing line, returns the exit code."""
    only = os.environ.get("VOXTEST_ONLY")  # a comma-separated list of test names, to rerun a few
    if only:
        tests = [t for t in tests if t.__name__ in only.split(",")]
    tmp = tempfile.mkdtemp(prefix=prefix)
    try:
        for t in tests:
            t(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{counts['passed']} passed, {counts['failed']} failed")
    return 1 if counts["failed"] else 0

