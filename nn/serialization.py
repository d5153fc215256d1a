"""Model files: a module's shape and parameters as plain JSON, written atomically, and read back
with every failure a ``ValueError`` that names the file and the problem.

A file is ``{"format": "chainrule.nn", "version": 1, "module": "MLP", "config": {...},
"parameters": {"layers.0.neurons.0.w.0": ..., ...}}``: the module's class name, its constructor
arguments, and its ``state_dict``. Loading checks the config against the parameters before it
builds anything, so the work done is bounded by the file's size, whatever the config asks for.
"""

from __future__ import annotations

import inspect
import json
import math
import os
import re
import reprlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from autograd.files import write_atomic

if TYPE_CHECKING:
    from nn.mlp import Module

    M = TypeVar("M", bound=Module)

FILE_FORMAT = "chainrule.nn"
FILE_VERSION = 1

# A config may make a few more parameters than the file holds (so that loading can name which
# are missing), but no more than this many times as many, plus a layer's worth: a config making
# 10^10 parameters in a 121-byte file is refused before anything is built.
_SLACK_FACTOR = 2
_SLACK = 1024


def save(module: Module, path: str | os.PathLike[str]) -> Path:
    """Write ``module``'s class, config and parameters to ``path`` as JSON, atomically."""
    state = module.state_dict()
    for name, value in state.items():
        if not math.isfinite(value):
            raise ValueError(f"cannot save {module!r}: parameter {name} is {value!r}")
    document = {
        "format": FILE_FORMAT,
        "version": FILE_VERSION,
        "module": type(module).__name__,
        "config": module.config(),
        "parameters": state,
    }
    # Serialised first: a document that cannot be written must not touch the disk at all.
    text = json.dumps(document, indent=1, allow_nan=False) + "\n"
    return write_atomic(path, text.encode("utf-8"))


def load(path: str | os.PathLike[str], cls: type[M]) -> M:
    """The module of class ``cls`` (or a subclass of it) saved in ``path``."""
    where = f"model file {str(path)!r}"
    document = read_json(path)
    if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
        raise ValueError(f'{where} is not a chainrule model (no "format": "{FILE_FORMAT}")')
    if document.get("version") != FILE_VERSION:
        version = document.get("version")
        raise ValueError(f"{where} has version {version!r}; this chainrule reads {FILE_VERSION}")
    kind = document.get("module")
    from nn.mlp import Module

    known = _classes(Module)
    module_class = known.get(kind) if isinstance(kind, str) else None
    if module_class is None:
        loadable = ", ".join(name for name, c in known.items() if _loadable(c))
        raise ValueError(f"{where} holds an unknown module {kind!r} (known: {loadable})")
    if not _loadable(module_class):
        raise ValueError(
            f"{where} holds {_a(module_class.__name__)}, which cannot be loaded: it does not "
            "define parameter_count"
        )
    if not issubclass(module_class, cls):
        raise ValueError(f"{where} holds {_a(module_class.__name__)}, not {_a(cls.__name__)}")
    config, parameters = document.get("config"), document.get("parameters")
    if not isinstance(config, dict):
        raise ValueError(f'{where} has no "config" object')
    if not isinstance(parameters, dict):
        raise ValueError(f'{where} has no "parameters" object')
    try:
        inspect.signature(module_class).bind(**config)
        count = module_class.parameter_count(config)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{where} has an invalid {kind} config {reprlib.repr(config)}: {error}"
        ) from None
    if count > _SLACK_FACTOR * len(parameters) + _SLACK:
        raise ValueError(
            f"{where} does not fit: its {kind} config {reprlib.repr(config)} makes {count:,} "
            f"parameters, but the file holds {len(parameters):,}"
        )
    try:
        model = module_class(**config)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{where} has an invalid {kind} config {reprlib.repr(config)}: {error}"
        ) from None
    try:
        model.load_state_dict(parameters)
    except ValueError as error:
        raise ValueError(f"{where} does not fit: {error}") from None
    return model


def _a(name: str) -> str:
    """``name`` with its article: "a Neuron", "an MLP" (an acronym is read letter by letter)."""
    acronym = name[:2].isupper()
    vowel = name[:1] in ("FHLMNRSX" if acronym else "") or name[:1].lower() in "aeiou"
    return f"{'an' if vowel else 'a'} {name}"


def _loadable(cls: type[Module]) -> bool:
    """Whether ``cls`` says how many parameters a config makes, which loading checks first."""
    from nn.mlp import Module

    own = cls.__mro__[: cls.__mro__.index(Module)]  # cls and its bases below Module
    return any("parameter_count" in vars(c) for c in own)


def _classes(base: type[Module]) -> dict[str, type[Module]]:
    """``base`` and every class derived from it, by name (the first of a name wins)."""
    found: dict[str, type[Module]] = {}
    pending = [base]
    while pending:
        cls = pending.pop(0)
        found.setdefault(cls.__name__, cls)
        pending += cls.__subclasses__()
    return found


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


class _NotPlainJSON(ValueError):
    """NaN or Infinity in a file: ``json`` reads them, plain JSON has no such numbers."""


def _reject_constant(name: str) -> Any:
    """``json`` accepts NaN and Infinity, which plain JSON does not; refuse them."""
    raise _NotPlainJSON(f"contains {name}, which is not a number in plain JSON")


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
    except _NotPlainJSON as error:
        raise ValueError(f"model file {where} {error}") from None
    except ValueError as error:  # an integer longer than int() reads (sys.get_int_max_str_digits)
        digits = re.search(r"value has (\d+) digits", str(error))
        what = f"a number of {digits[1]} digits" if digits else "a number"
        raise ValueError(
            f"model file {where} is not a model file: {what} (more than Python reads from text)"
        ) from None
    except RecursionError:
        raise ValueError(
            f"model file {where} is nested too deeply to be a model (its JSON arrays and "
            "objects nest inside one another more deeply than Python's parser allows)"
        ) from None
