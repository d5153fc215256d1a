"""Files written whole or not at all: one atomic writer for drawings, step pages and model files.

The data goes to a temporary file beside the target, is flushed to disk, and then replaces the
target in one ``os.replace``, so a reader sees the old file or the new one, never half of either,
and a failure (a full disk, an interrupt) leaves the old file as it was and no temporary file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

# The temporary name keeps at most this many characters of the target's name. Names may be 255
# bytes long; this keeps ".{name}.{16 hex digits}.tmp" under that even at 4 bytes a character.
_NAME_KEPT = 48


def write_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return ``path`` as a Path.

    - The folder must exist: a missing one is a FileNotFoundError naming it (nothing is created).
    - A symbolic link is followed: the file it points to is replaced, and the link stays.
    - An existing file keeps its permission bits; a new one gets those the umask allows.
    - Every error names ``path``, never the temporary file.
    """
    target = Path(path)
    # Write where a link points (os.path.realpath follows a chain of links, even a dangling one),
    # so that the link itself survives; the temporary file sits beside the real file, on the
    # same filesystem, which is what makes os.replace atomic.
    real = Path(os.path.realpath(target)) if target.is_symlink() else target
    directory = real.parent
    if not directory.is_dir():
        what = "is not a directory" if directory.exists() else "does not exist"
        error = NotADirectoryError if directory.exists() else FileNotFoundError
        raise error(f"cannot write {str(target)!r}: directory {str(directory)!r} {what}")
    if real.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
    try:
        old: os.stat_result | None = real.stat()
    except FileNotFoundError:
        old = None  # a new file: os.open's 0o666 lets the umask decide, as for any new file
    # os.urandom rather than the secrets module, which would cost `import autograd` 5 ms.
    temporary = directory / f".{real.name[:_NAME_KEPT]}.{os.urandom(8).hex()}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(temporary, flags, 0o666)
    except OSError as error:
        raise _naming(error, target) from None
    try:
        with os.fdopen(fd, "wb") as stream:
            if old is not None:
                _keep_mode_and_owner(stream.fileno(), old)
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            os.replace(temporary, real)
        except OSError as error:
            raise _naming(error, target) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_directory(directory)
    return target


def _keep_mode_and_owner(fd: int, old: os.stat_result) -> None:
    """Give the new file the old one's permission bits, and its owner where that is allowed
    (as root, say, so that root saving over a user's file leaves it the user's)."""
    if os.chmod in os.supports_fd:
        os.chmod(fd, stat.S_IMODE(old.st_mode))
    if hasattr(os, "fchown"):
        # An ordinary user cannot give a file away: the new file is then theirs.
        with contextlib.suppress(PermissionError):
            os.fchown(fd, old.st_uid, old.st_gid)


def _sync_directory(directory: Path) -> None:
    """Flush the directory entry of the replace to disk too, where the system allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # not possible on this system (Windows opens no directories): best effort
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _naming(error: OSError, target: Path) -> OSError:
    """``error`` naming the file asked for, rather than the temporary one."""
    if error.filename is not None:  # an error without a file name (a test's, say) stays as it is
        error.filename, error.filename2 = str(target), None
    return error
