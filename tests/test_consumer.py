#!/usr/bin/env python3
"""test_consumer.py - another project builds against the installed vox: `meson install --destdir`,
then only the installed header and pkg-config.

Checks: `pkg-config --cflags --libs vox` works with no .pc file but vox's (no cJSON/hwloc/SLEEF
dev package needed) and names none of them; the public header pulls in nothing but the C
library; a dynamic build needs libvox.so and runs; `pkg-config --static` against a static
install (libvox.a only, as -Ddefault_library=static installs) links libvox.a into the program on
Debian 12 as it is (cJSON, hwloc and SLEEF stay shared) and it prints the same volumes; a fully
static link (-static) is tried when the static archives README "Linking" lists are present.

Usage: test_consumer.py MESON BUILD_DIR PREFIX LIBDIR "CC ..." SANITIZE SYNTHETIC_DIR APP_C
"""
import os
import shutil
import subprocess
import sys

MESON, BUILD, PREFIX, LIBDIR, CC, SANITIZE, SYNTHETIC, APP = sys.argv[1:9]
CC = CC.split()
from voxtest import check, main as run_tests


def sh(cmd, env=None, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300, **kw)


def needed(exe):
    out = sh(["readelf", "-d", exe]).stdout
    return [ln.split("[")[1].split("]")[0] for ln in out.splitlines() if "(NEEDED)" in ln]


def pkg(env, *args):
    p = sh(["pkg-config", *args, "vox"], env=env)
    return p.returncode, p.stdout.split(), p.stderr


def test_consumer(tmp):
    dest = os.path.join(tmp, "dest")
    p = sh([*MESON.split(), "install", "-C", BUILD, "--destdir", dest, "--no-rebuild", "--quiet"])
    check(p.returncode == 0, f"meson install --destdir: {p.stderr}")
    if p.returncode:
        return
    root = dest + PREFIX
    libdir = os.path.join(root, LIBDIR)
    structure = os.path.join(SYNTHETIC, "pocket_box.pdb")
    san = [f"-fsanitize={SANITIZE}"] if SANITIZE not in ("", "none") else []

    def env_for(pcdir):
        e = dict(os.environ)
        e["PKG_CONFIG_LIBDIR"] = pcdir         # only vox's own .pc file is visible
        e["PKG_CONFIG_SYSROOT_DIR"] = dest      # the prefix lives under the destdir
        e.pop("PKG_CONFIG_PATH", None)
        return e

    env = env_for(os.path.join(libdir, "pkgconfig"))
    rc, cflags, err = pkg(env, "--cflags")
    check(rc == 0 and cflags == [f"-I{root}/include"],
          f"--cflags is vox's include folder only, without any other .pc file: {rc} {cflags} {err}")
    rc, libs, err = pkg(env, "--libs")
    check(rc == 0 and "-lvox" in libs and not any(x in " ".join(libs) for x in ("cjson", "hwloc", "sleef")),
          f"--libs: libvox only: {libs} {err}")
    rc, slibs, err = pkg(env, "--static", "--libs")
    check(rc == 0 and all(f"-l{x}" in slibs for x in ("cjson", "hwloc", "sleef", "z")) and "-ludev" not in slibs,
          f"--static adds the private libraries (and no -ludev): {slibs} {err}")

    # the header is self-contained: no cJSON, hwloc, SLEEF or OpenMP header behind it
    p = sh([*CC, "-E", "-H", *cflags, APP, "-o", os.devnull])
    included = [ln.lstrip(". ") for ln in p.stderr.splitlines() if ln.startswith(".")]
    check(p.returncode == 0 and any(h.endswith("vox/vox.h") for h in included)
          and not any(x in h for h in included for x in ("cjson", "cJSON", "hwloc", "sleef", "omp.h")),
          f"<vox/vox.h> includes only the C library: {included}")

    # dynamic
    app_dyn = os.path.join(tmp, "app_dynamic")
    p = sh([*CC, *san, APP, *cflags, *libs, "-o", app_dyn])
    check(p.returncode == 0, f"dynamic link: {p.stderr}")
    if p.returncode == 0:
        check(any(n.startswith("libvox.so") for n in needed(app_dyn)), f"needs libvox.so: {needed(app_dyn)}")
        run_env = dict(os.environ, LD_LIBRARY_PATH=libdir)
        dyn = sh([app_dyn, structure], env=run_env)
        check(dyn.returncode == 0 and "1 volumes" in dyn.stdout and "cavity 0 432.0" in dyn.stdout,
              f"the dynamic program runs: {dyn.stdout} {dyn.stderr}")
    else:
        dyn = None

    # static: a prefix with libvox.a only, as -Ddefault_library=static installs it
    sroot = os.path.join(tmp, "static")
    shutil.copytree(dest, sroot, symlinks=True)
    slibdir = os.path.join(sroot + PREFIX, LIBDIR)
    for f in os.listdir(slibdir):
        if f.startswith("libvox.so"):
            os.remove(os.path.join(slibdir, f))
    senv = env_for(os.path.join(slibdir, "pkgconfig"))
    senv["PKG_CONFIG_SYSROOT_DIR"] = sroot
    rc, sflags, err = pkg(senv, "--static", "--cflags", "--libs")
    app_static = os.path.join(tmp, "app_static")
    p = sh([*CC, *san, APP, *sflags, "-o", app_static])
    check(rc == 0 and p.returncode == 0, f"static libvox link with pkg-config --static: {sflags} {p.stderr}")
    if p.returncode == 0:
        check(not any(n.startswith("libvox") for n in needed(app_static)),
              f"libvox.a is linked in, libvox.so is not needed: {needed(app_static)}")
        st = sh([app_static, structure])
        check(st.returncode == 0 and dyn is not None and st.stdout == dyn.stdout,
              f"the static program prints what the dynamic one does: {st.stdout} {st.stderr}")

    # fully static (-static): needs a static archive of every dependency
    missing = [a for a in ("libcjson.a", "libsleef.a", "libhwloc.a", "libudev.a", "libz.a", "libgomp.a")
               if sh([*CC, f"-print-file-name={a}"]).stdout.strip() == a]
    if missing or san:
        print(f"SKIP fully static link (-static): {', '.join(missing) or 'sanitizers'} not here "
              "(README \"Linking\" says what to provide)")
    else:
        p = sh([*CC, "-static", APP, *sflags, "-ludev", "-o", os.path.join(tmp, "app_full_static")])
        check(p.returncode == 0, f"fully static link: {p.stderr}")


if __name__ == "__main__":
    if not shutil.which("pkg-config") or not shutil.which("readelf"):
        print("SKIP: pkg-config or readelf not found")
        sys.exit(77)
    sys.exit(run_tests([test_consumer], "vox-consumer-"))
