"""Files written atomically, and plain-JSON model files whose every read failure names the file."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any


def write_json_atomic(path: str | os.PathLike[str], document: object) -> Path:
    """Write ``document`` as JSON to ``path`` through a temporary file and an atomic replace."""
    # Serialise first: a document that cannot be written must not touch the disk at all.
    text = json.dumps(document, indent=1, allow_nan=False) + "\n"
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    target = Path(path)
    directory = target.parent
    if not directory.is_dir():
        raise FileNotFoundError(
            f"cannot write {str(target)!r}: directory {str(directory)!r} does not exist"
        )
    # The temporary file sits beside the target so that os.replace stays on one filesystem,
    # which is what makes the replace atomic. os.open with mode 0o666 lets the umask decide the
    # permissions, as for any new file (mkstemp would make it private to the owner).
    temporary = directory / f".{target.name}.{secrets.token_hex(8)}.tmp"
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:  # name the file asked for, not the temporary one
        raise OSError(error.errno, error.strerror, str(target)) from None
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


# What the middle of a number, true, false or null can look like.
_SCALAR_CHARACTERS = frozenset("0123456789+-.eEtruefalsn")


def _cut_short(text: str, error: json.JSONDecodeError) -> bool:
    """Whether the JSON fails because the text ends too early rather than because it is wrong:
    the parser ran off the end, into a string that never closes, or into a last, partial
    number or keyword."""
    rest = text[error.pos :].strip()
    return (
        not rest or error.msg.startswith("Unterminated string") or set(rest) <= _SCALAR_CHARACTERS
    )


def _reject_constant(name: str) -> Any:
    """``json`` accepts NaN and Infinity, which plain JSON does not; refuse them."""
    raise ValueError(f"contains {name}, which is not a number in plain JSON")


def read_json(path: str | os.PathLike[str]) -> Any:
    """The JSON document in ``path``; ``ValueError`` naming the file for anything unreadable."""
    where = repr(str(path))
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"model file {where} does not exist") from None
    except IsADirectoryError:
        raise ValueError(f"model file {where} is a directory, not a file") from None
    except UnicodeDecodeError as error:
        raise ValueError(f"model file {where} is not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise ValueError(f"model file {where} cannot be read: {error.strerror}") from None
    if not text.strip():
        raise ValueError(f"model file {where} is empty")
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        position = f"line {error.lineno}, column {error.colno}"
        if _cut_short(text, error):
            raise ValueError(
                f"model file {where} is truncated: the JSON stops at {position}"
            ) from None
        raise ValueError(
            f"model file {where} is not valid JSON: {error.msg} at {position}"
        ) from None
    except ValueError as error:
        raise ValueError(f"model file {where} {error}") from None
