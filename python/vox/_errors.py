"""_errors.py - the exceptions of the vox package: one base class, vox.Error, and one subclass
per vox_status of the C library, each carrying the library's detail (file, line, field)."""


class Error(Exception):
    """Base class of every error the vox package raises.

    Attributes:
        status: the C library's vox_status (a negative int), or None for a check made in Python.
        detail: the library's detail message (file, line and field where it applies), or "".
    """

    status = None
    code = "VOX_ERROR"

    def __init__(self, message, detail="", status=None):
        super().__init__(message)
        self.detail = detail
        if status is not None:
            self.status = status


class InvalidArgumentError(Error, ValueError):
    """An argument is out of range, of the wrong type, dtype or shape (VOX_E_INVALID_ARG)."""
    status, code = -1, "VOX_E_INVALID_ARG"


class OutOfMemoryError(Error, MemoryError):
    """An allocation failed (VOX_E_NOMEM)."""
    status, code = -2, "VOX_E_NOMEM"


class FileError(Error, OSError):
    """A file could not be read or written (VOX_E_IO)."""
    status, code = -3, "VOX_E_IO"


class ParseError(Error):
    """A malformed structure or trajectory file; the detail names the file, line and field (VOX_E_PARSE)."""
    status, code = -4, "VOX_E_PARSE"


class FormatError(Error):
    """An unknown or unsupported file format (VOX_E_FORMAT)."""
    status, code = -5, "VOX_E_FORMAT"


class NoAtomsError(Error):
    """No atoms left, e.g. no protein after cleaning (VOX_E_NO_ATOMS)."""
    status, code = -6, "VOX_E_NO_ATOMS"


class TooFewAtomsError(Error):
    """Alignment needs at least 3 atoms (VOX_E_TOO_FEW_ATOMS)."""
    status, code = -7, "VOX_E_TOO_FEW_ATOMS"


class GridTooLargeError(Error):
    """The grid would exceed the voxel limit (max_grid_voxels) (VOX_E_GRID_TOO_LARGE)."""
    status, code = -8, "VOX_E_GRID_TOO_LARGE"


class EmptyGridError(Error):
    """An axis of the grid has no voxels (VOX_E_EMPTY_GRID)."""
    status, code = -9, "VOX_E_EMPTY_GRID"


class ISAUnavailableError(Error):
    """The requested instruction set is not supported by this CPU or build (VOX_E_ISA_UNAVAILABLE)."""
    status, code = -10, "VOX_E_ISA_UNAVAILABLE"


class ISAUnknownError(Error):
    """The requested instruction-set name is not known (VOX_E_ISA_UNKNOWN)."""
    status, code = -11, "VOX_E_ISA_UNKNOWN"


class DecompressError(Error):
    """Corrupt or truncated gzip data (VOX_E_DECOMPRESS)."""
    status, code = -12, "VOX_E_DECOMPRESS"


class AssemblyError(Error):
    """The file's assembly description cannot be applied (VOX_E_ASSEMBLY)."""
    status, code = -13, "VOX_E_ASSEMBLY"


class InternalError(Error):
    """A bug in vox: please report it (VOX_E_INTERNAL)."""
    status, code = -14, "VOX_E_INTERNAL"


BY_STATUS = {cls.status: cls for cls in (
    InvalidArgumentError, OutOfMemoryError, FileError, ParseError, FormatError, NoAtomsError, TooFewAtomsError,
    GridTooLargeError, EmptyGridError, ISAUnavailableError, ISAUnknownError, DecompressError, AssemblyError,
    InternalError)}


def from_status(status, message, detail="", context=None):
    """The exception for a vox_status; context (e.g. "frame 12") is put in front of the message."""
    cls = BY_STATUS.get(status, Error)
    if context:
        message = f"{context}: {message}"
    return cls(message, detail, status)


def invalid(message):
    """An InvalidArgumentError for a check made in Python (wrong type, dtype, shape, length)."""
    return InvalidArgumentError(message, message)
