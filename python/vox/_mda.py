"""_mda.py - MDAnalysis AtomGroups and Universes as vox atom arrays (MDAnalysis itself is only
imported by the caller: these functions read the attributes an AtomGroup carries)."""
import os

import numpy as np

from . import _arrays
from ._errors import InvalidArgumentError, invalid


def atomgroup(obj, select=None):
    """The AtomGroup of a Universe or AtomGroup, narrowed by an MDAnalysis selection string, and
    the alternate locations vox drops dropped (altloc_first): (group, positions), positions the
    place of each of its atoms in the AtomGroup given (None: the same group)."""
    ag = getattr(obj, "atoms", None)  # a Universe's atoms; an AtomGroup's .atoms is itself
    # positions asked of the class: a Universe without a trajectory has the property but no data
    if ag is None or not hasattr(type(ag), "positions") or not hasattr(ag, "universe"):
        raise invalid(f"expected an MDAnalysis Universe or AtomGroup, got {type(obj).__name__}")
    if select:
        if not isinstance(select, str):
            raise invalid(f"select must be an MDAnalysis selection string, got {type(select).__name__}")
        # every selection of residues reads residue names (select="protein", the default, does): a topology
        # without them is said as vox says it of the atoms it needs, not as the selection parser's AttributeError
        _required(ag, "resnames", "residue names")
        try:
            ag = ag.select_atoms(select)
        except Exception as e:  # MDAnalysis' SelectionError and the parser's ValueErrors: no vox.Error
            raise invalid(f"select={select!r}: {e}") from None
    if len(ag) == 0:
        raise invalid(f"the selection {select!r} matched no atoms" if select else "the AtomGroup is empty")
    return altloc_first(ag)


def altloc_first(ag):
    """(group, positions): the atoms vox's file loaders keep of alternate locations (biotite's altloc="first"): in each
    residue (a run of atoms with the same residue number, insertion code, chain and residue name)
    the atoms without altloc and those with the first letter seen in it; numeric altlocs go.
    MDAnalysis keeps every location, which would analyse both copies of a disordered side chain.
    positions: where each kept atom is in ag (None when all are kept), so that an input_index
    names the caller's atom."""
    alt = _attr(ag, "altLocs")
    if alt is None:
        return ag, None
    first = [str(a)[:1] for a in alt.tolist()]
    blank = np.array([c in ("", " ", ".", "?") for c in first], dtype=bool)
    if blank.all():
        return ag, None
    n = len(first)
    key = [np.asarray(v) for v in (ag.resids, _attr(ag, "icodes"), _attr(ag, "chainIDs"), ag.resnames)
           if v is not None]
    new_res = np.ones(n, dtype=bool)
    new_res[1:] = np.logical_or.reduce([k[1:] != k[:-1] for k in key])
    keep = blank.copy()
    letter = None
    for i, c in enumerate(first):
        if new_res[i]:
            letter = None
        if letter is None and c.isascii() and c.isalpha():
            letter = c
        # (an atom before the residue's first letter is blank or numeric: dropped either way)
        if c == letter:
            keep[i] = True
    if keep.all():
        return ag, None
    kept = ag[keep]
    if len(kept) == 0:
        raise invalid("no atoms are left of the AtomGroup once alternate locations are dropped")
    return kept, np.flatnonzero(keep).astype(np.uintp)


def _attr(ag, name):
    try:
        return getattr(ag, name)
    except (AttributeError, ValueError):  # MDAnalysis' NoDataError is both
        return None


def _required(ag, name, what):
    """A topology attribute vox needs: a vox error naming it when the Universe has none (MDAnalysis'
    NoDataError otherwise, which is not a vox.Error)."""
    v = _attr(ag, name)
    if v is None:
        raise invalid(f"the AtomGroup has no {what} (MDAnalysis topology attribute '{name}'): vox needs them; "
                      f"add them with universe.add_TopologyAttr({name!r}, ...)")
    return v


def atom_buffers(ag, xyz=None, positions=None):
    """vox atom arrays for the AtomGroup's atoms at the current frame: elements upper-cased as in
    a PDB file's columns 77-78 (inferred from the atom name as vox's PDB reader does when the
    topology has none), chain IDs (or ""), insertion codes, HETATM flags and the unit cell when
    the topology has them; positions (atomgroup's): each atom's place in the caller's group, which
    the library reports as its input_index in every output."""
    if xyz is None:
        xyz = _attr(ag, "positions")
        if xyz is None:  # (coordinates are no topology attribute: they come with a trajectory)
            raise invalid("the AtomGroup has no coordinates: its Universe has no trajectory; load one "
                          "(Universe(topology, trajectory)), or make it with Universe.empty(..., trajectory=True) "
                          "and set atoms.positions")
    names = _required(ag, "names", "atom names").tolist()
    elements = _attr(ag, "elements")
    elements = [""] * len(names) if elements is None else "\0".join(map(str, elements.tolist())).upper().split("\0")
    for i, e in enumerate(elements):
        if not e:  # none in the topology: vox's PDB reader's guess from the atom name
            elements[i] = _arrays.infer_element(names[i])
    chain = _attr(ag, "chainIDs")
    icodes = _attr(ag, "icodes")
    records = _attr(ag, "record_types")
    hetero = None if records is None else np.asarray(records, dtype=object) == "HETATM"
    box = None
    ts = ag.universe.trajectory.ts
    if getattr(ts, "dimensions", None) is not None:
        tri = ts.triclinic_dimensions
        if tri is not None and np.all(np.isfinite(tri)) and np.any(tri != 0):
            try:
                box = _arrays.cell_box(tri)
            except InvalidArgumentError:  # no unit cell the library can describe: as a Universe without box
                box = None
    return _arrays.AtomBuffers(xyz, elements, names, _required(ag, "resnames", "residue names"),
                               _required(ag, "resids", "residue numbers"),
                               chain=chain, ins_code=icodes, hetero=hetero, box=box, input_number=positions)


def label(ag):
    """The label of an AtomGroup's trajectory (or topology) file, as `vox analyze` labels files."""
    from ._core import make_label
    u = ag.universe
    for f in (getattr(u.trajectory, "filename", None), getattr(u, "filename", None)):
        if isinstance(f, (str, os.PathLike)):
            return make_label(f)
    return "structure"
