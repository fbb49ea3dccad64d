"""_arrays.py - checks and converts what Python callers pass (coordinates, atom arrays, boxes)
into the buffers libvox reads.  Every problem that could make the library read out of bounds
(wrong dtype, wrong shape, wrong length, non-contiguous memory, non-strings) is refused here,
with a message naming the argument; values (finite coordinates, name lengths) are the
library's to check, and its messages name the atom."""
import ctypes

import numpy as np

from . import _lib
from ._errors import invalid

_MAX_ATOMS = 1 << 40


def _numbers(values, what):
    """A pandas Series, array or DataFrame of nullable (masked) dtypes - Int64, Float64, boolean, as
    convert_dtypes() and read_csv give - as the NumPy array of their numbers (NumPy would see
    objects); a missing float is NaN (the library names its atom), a missing int or bool is
    refused here.  Anything else is returned as it is."""
    if isinstance(values, np.ndarray) or not hasattr(values, "to_numpy") or not hasattr(values, "isna"):
        return values
    dtypes = list(values.dtypes) if getattr(values, "ndim", 1) == 2 else [values.dtype]
    plain = [d if isinstance(d, np.dtype) else getattr(d, "numpy_dtype", None) for d in dtypes]
    if not plain or any(d is None for d in plain) or all(isinstance(d, np.dtype) for d in dtypes):
        return values  # NumPy dtypes already, or strings and categories (for _str_list)
    common = np.result_type(*plain)
    missing = np.asarray(values.isna())
    if missing.any():
        if common.kind != "f":
            where = np.argwhere(missing)[0].tolist()
            raise invalid(f"{what}[{', '.join(map(str, where))}] is missing (<NA>)")
        return values.to_numpy(dtype=common, na_value=np.nan)
    return values.to_numpy(dtype=common)


def coords(xyz, n=None, what="coordinates", empty=False):
    """An (n, 3) float32 C-contiguous array from any real floating (or integer-free) array-like.
    float64 and other floating types are converted; integers, booleans, complex, strings and
    objects are refused."""
    if isinstance(xyz, np.ma.MaskedArray) and np.ma.is_masked(xyz):
        # np.asarray would drop the mask and analyse the values under it
        where = np.argwhere(np.ma.getmaskarray(xyz))[0].tolist()
        raise invalid(f"{what}[{', '.join(map(str, where))}] is masked: fill or drop masked atoms first")
    try:
        a = np.asarray(_numbers(xyz, what))
    except Exception as e:  # ragged lists and the like
        raise invalid(f"{what} must be an (n, 3) array of floats: {e}") from None
    if a.dtype.kind != "f":
        raise invalid(f"{what} must be an (n, 3) array of floats, got dtype {a.dtype}")
    if a.ndim != 2 or a.shape[1] != 3:
        raise invalid(f"{what} must have shape (n, 3), got {a.shape}")
    if n is not None and a.shape[0] != n:
        raise invalid(f"{what} hold {a.shape[0]} atoms, the structure has {n}")
    if a.shape[0] == 0 and not empty:
        raise invalid(f"{what} hold no atoms")
    if a.dtype != np.float32 or not a.flags.c_contiguous or not a.flags.aligned:
        check_float32_range(a, what)
        a = np.ascontiguousarray(a, dtype=np.float32)
    return a


def check_float32_range(a, what):
    """Refuses a finite value of a past float32's range, which the conversion to float32 would make
    inf (then "not a finite number"), naming its place in what."""
    if a.dtype.itemsize <= 4:
        return
    with np.errstate(invalid="ignore"):
        big = np.isfinite(a) & (np.abs(a) > np.finfo(np.float32).max)
    if big.any():
        where = np.argwhere(big)[0].tolist()
        raise invalid(f"{what}[{', '.join(map(str, where))}] = {a[tuple(where)]!r} is beyond float32's range "
                      "(±3.4e38), which vox computes in")


def cell_box(b):
    """The unit cell as a (3, 3) float32 array of cell vectors (rows), or None."""
    if b is None:
        return None
    a = np.asarray(b)
    if a.dtype.kind not in "fiu" or a.shape != (3, 3):
        raise invalid(f"box must be a (3, 3) array of cell vectors (rows, Å), got shape {a.shape} dtype {a.dtype}")
    with np.errstate(over="ignore", invalid="ignore"):
        b = np.ascontiguousarray(a, dtype=np.float32)
        # the library keeps float32 and writes the cell's lengths and angles (annotated mmCIF):
        # each must be a number there
        lengths = np.sqrt((b * b).sum(axis=1, dtype=np.float32))
    if not (np.all(np.isfinite(b)) and np.all(np.isfinite(lengths))):
        raise invalid(f"box must hold finite cell vectors (float32 lengths), got {a.tolist()}")
    if not np.any(b):
        raise invalid("box is all zeros: pass box=None for a structure without a unit cell")
    if not np.all(lengths > 0):
        raise invalid(f"box row {int(np.argmin(lengths))} is a zero-length cell vector: {a.tolist()}")
    if not np.all(lengths >= 5e-4):  # the annotated mmCIF writes lengths to 0.001 Å: this one as 0.000
        raise invalid(f"box row {int(np.argmin(lengths))} is a cell vector {float(lengths.min())!r} Å long, "
                      f"shorter than 0.0005 Å: {a.tolist()}")
    # vectors in one plane make no cell (a zero angle or volume in the annotated mmCIF): the volume
    # against the product of the lengths, the sine-like measure of how far from flat the cell is
    u = b.astype(np.float64) / lengths.astype(np.float64)[:, None]
    if abs(np.linalg.det(u)) < 1e-6:
        raise invalid(f"box's cell vectors lie in one plane (no volume): {a.tolist()}")
    return b


def _str_list(name, values, n):
    """The n strings of values (a sequence, or a NumPy array of str, bytes or objects) as a list of
    ASCII str, or an InvalidArgumentError naming the field and the entry."""
    if isinstance(values, (str, bytes)):
        raise invalid(f"{name} must be a sequence of {n} strings, got a single string")
    a = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
    if a.ndim != 1:
        raise invalid(f"{name} must be a 1-D sequence of strings, got shape {a.shape}")
    if a.shape[0] != n:
        raise invalid(f"{name} has {a.shape[0]} entries for {n} atoms")
    if a.dtype.kind not in "OUS":
        raise invalid(f"{name} must hold strings, got dtype {a.dtype}")
    items = a.tolist()
    kinds = set(map(type, items))
    if not kinds <= {str, bytes}:
        # subclasses (NumPy's str_ and bytes_, from list(np.array([...]))) are strings too: plain ones
        # from here on (the exact-type test found them, and then no entry that is not a string)
        bad = next((i for i, v in enumerate(items) if not isinstance(v, (str, bytes))), None)
        if bad is not None:
            raise invalid(f"{name}[{bad}] is {type(items[bad]).__name__}, expected a string")
        # the string itself: str() of a str Enum member is "E.ALA"
        items = [str.__str__(v) if isinstance(v, str) else bytes(v) for v in items]
        kinds = set(map(type, items))
    if bytes in kinds:
        for i, v in enumerate(items):
            if isinstance(v, bytes):
                try:
                    items[i] = v.decode("ascii")
                except UnicodeDecodeError:
                    raise invalid(f"{name}[{i}] = {v!r} is not ASCII") from None
    for i, v in enumerate(items):
        # a NUL would end the name where the library reads it (a name cut short, unsaid)
        if "\0" in v:
            raise invalid(f"{name}[{i}] = {v!r} contains a NUL character")
    return items


def _packed(name, items):
    """The strings one after another, each ending with NUL, and a char * to each: no copy of the
    library's width limits here (the library refuses a name too long, naming the atom)."""
    try:
        blob = np.frombuffer(("\0".join(items) + "\0").encode("ascii"), dtype=np.uint8)
    except UnicodeEncodeError:
        i = next(i for i, v in enumerate(items) if not v.isascii())
        raise invalid(f"{name}[{i}] = {items[i]!r} is not ASCII") from None
    starts = np.zeros(len(items), dtype=np.uintp)
    if len(items) > 1:
        np.cumsum(np.fromiter(map(len, items[:-1]), dtype=np.uintp, count=len(items) - 1) + 1, out=starts[1:])
    return blob, starts + np.uintp(blob.ctypes.data)


class AtomBuffers:
    """The arrays of a vox_atom_arrays, kept alive while the library reads them."""

    def __init__(self, xyz, element, atom_name, res_name, res_id, chain=None, ins_code=None, hetero=None,
                 box=None, input_number=None):
        self.xyz = coords(xyz)
        n = self.xyz.shape[0]
        if n > _MAX_ATOMS:
            raise invalid(f"{n} atoms is more than vox accepts")
        self.n = n
        self.keep = []
        self.arrays = _lib.AtomArrays()
        _lib.lib.vox_atom_arrays_init(ctypes.byref(self.arrays))
        a = self.arrays
        a.count = n
        a.xyz = self.xyz.ctypes.data
        a.element = self._strings("element", element, n)
        a.atom_name = self._strings("atom_name", atom_name, n)
        a.res_name = self._strings("res_name", res_name, n)
        a.chain = self._strings("chain", chain, n, optional=True)
        a.res_id = self._keep(_res_id(res_id, n))
        if ins_code is not None:
            codes = _str_list("ins_code", ins_code, n)
            if max(map(len, codes), default=0) > 1:
                raise invalid("ins_code must hold one character (or '') per atom")
            if any(codes):  # (none at all: the library's NULL, the common case)
                try:
                    raw = np.array(codes, dtype="S1")
                except UnicodeEncodeError:
                    raise invalid("ins_code: not ASCII") from None
                a.ins_code = self._keep(np.ascontiguousarray(raw).view(np.uint8))
        if hetero is not None:
            h = np.asarray(_numbers(hetero, "hetero"))
            if h.ndim != 1 or h.shape[0] != n or h.dtype.kind not in "biu":
                raise invalid(f"hetero must be {n} booleans, got shape {h.shape} dtype {h.dtype}")
            a.hetero = self._keep(np.ascontiguousarray(h != 0, dtype=np.uint8))
        b = cell_box(box)
        if b is not None:
            a.box = self._keep(b)
        if input_number is not None:  # each atom's own number (an AtomGroup position): what outputs report
            a.input_number = self._keep(np.ascontiguousarray(input_number, dtype=np.uintp))

    def _keep(self, arr):
        self.keep.append(arr)
        return arr.ctypes.data

    def _strings(self, name, values, n, optional=False):
        if values is None:
            if optional:
                return None
            raise invalid(f"{name} is required (one string per atom)")
        blob, pointers = _packed(name, _str_list(name, values, n))
        self.keep.append(blob)
        return self._keep(pointers)


def _res_id(values, n):
    if values is None:
        raise invalid("res_id is required (one residue number per atom)")
    a = np.asarray(_numbers(values, "res_id"))
    if a.ndim != 1 or a.shape[0] != n:
        raise invalid(f"res_id must be {n} integers, got shape {a.shape}")
    if a.dtype.kind not in "iu":
        raise invalid(f"res_id must hold integers, got dtype {a.dtype}")
    if n and (a.min() < -(1 << 31) or a.max() >= (1 << 31)):
        raise invalid("res_id values must fit in 32 bits")
    return np.ascontiguousarray(a, dtype=np.int32)


# Element symbols vox's PDB reader knows when it infers one from an atom name (as biotite).
_ELEMENTS = set("""H HE LI BE B C N O F NE NA MG AL SI P S CL AR K CA SC TI V CR MN FE CO NI CU ZN GA GE AS SE BR
KR RB SR Y ZR NB MO TC RU RH PD AG CD IN SN SB TE I XE CS BA LA CE PR ND PM SM EU GD TB DY HO ER TM YB LU HF TA
W RE OS IR PT AU HG TL PB BI PO AT RN FR RA AC TH PA U NP PU AM CM BK CF ES FM MD NO LR RF DB SG BH HS MT DS RG
CN NH FL MC LV TS OG""".split())


def infer_element(atom_name):
    """The element vox's PDB reader infers from an atom name when columns 77-78 are blank."""
    n = "".join(c for c in atom_name if not c.isdigit()).upper()[:7]
    if not n:
        return ""
    if n[0] in "CNOSH":
        return n[0]
    if len(n) > 1 and n[:2] in _ELEMENTS:
        return n[:2]
    return n[0] if n[0] in _ELEMENTS else ""
