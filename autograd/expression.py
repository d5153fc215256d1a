"""A small, safe expression language on Values: ``tanh(w*x + b)`` with ``w=-3 x=2 b=1``.

An expression is parsed with :mod:`ast` and interpreted node by node against a whitelist
(numbers, bound names, ``+ - * / **``, unary ``-``/``+`` and a few functions); it is never
compiled or evaluated as Python. Names follow Python's rules, NFKC normalization included, so
a binding ``𝑥=3`` names the same variable as the ``x`` that Python reads in ``𝑥 + 1``.

:func:`evaluate` is the whole language in one call; :func:`parse_bindings`,
:func:`parse_expression` and :func:`build` are its steps, and :func:`pointer` shows where in the
text a :class:`Rejected` input went wrong.
"""

from __future__ import annotations

import ast
import keyword
import unicodedata
from collections.abc import Callable, Mapping, Sequence

from autograd.value import Constant, Value

FUNCTIONS: dict[str, Callable[[Value], Value]] = {
    "exp": Value.exp,
    "log": Value.log,
    "sqrt": Value.sqrt,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
    "sin": Value.sin,
    "cos": Value.cos,
    "abs": Value.__abs__,
}
BINARY: dict[type[ast.operator], Callable[[Value, Value], Value]] = {
    ast.Add: Value.__add__,
    ast.Sub: Value.__sub__,
    ast.Mult: Value.__mul__,
    ast.Div: Value.__truediv__,
    ast.Pow: Value.__pow__,
}
UNARY: dict[type[ast.unaryop], Callable[[Value], Value]] = {
    ast.USub: Value.__neg__,
    ast.UAdd: Value.__pos__,
}
OPERATOR_NAMES = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.Invert: "~",
    ast.Not: "not",
}
# What to call a rejected node in the message, by its class.
KINDS = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscripts",
    ast.Lambda: "lambdas",
    ast.Compare: "comparisons",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "conditional expressions",
    ast.JoinedStr: "f-strings",
    ast.NamedExpr: "assignment expressions",
    ast.Starred: "starred expressions",
    ast.Slice: "slices",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Set: "sets",
    ast.Dict: "dicts",
}


class Rejected(Exception):
    """An input the command cannot use: the message, where in the expression, the exit status.

    Status 2 is for input outside what the command accepts; 1 for an accepted expression whose
    value is undefined (log of 0, say).
    """

    def __init__(self, message: str, node: ast.AST | None = None, status: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.node = node
        self.status = status


# --- parsing -------------------------------------------------------------------------------------


def evaluate(source: str, bindings: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
    """Build ``source`` on Values: ``(root, leaves)``, with one leaf Value per binding.

    ``bindings`` maps names to numbers, for example ``parse_bindings(["x=2", "y=3"])``. The
    leaves are keyed and labelled by their names in Python's normal form (NFKC), in the order
    given. Nothing is differentiated yet: call ``root.backward()`` for the gradients.
    Raises :class:`Rejected` for anything outside the language.
    """
    names: dict[str, float] = {}
    spelled: dict[str, str] = {}
    for given, number in bindings.items():
        # A key may be a name's normal form already (parse_bindings gives 'is' for 'iſ').
        name = normal_name(given, given, written=False)
        if name in names:
            raise Rejected(_bound_twice(name, spelled[name], given))
        names[name], spelled[name] = number, given
    leaves = {name: Value(number, name) for name, number in names.items()}
    return build(parse_expression(source), leaves), leaves


def normal_name(name: str, text: str, written: bool = True) -> str:
    """``name`` as Python reads it in an expression (NFKC); Rejected unless it can be bound.

    ``text`` is the argument the name came from, for the message. A ``written`` name may not be
    a keyword as written; one that is not written (a normal form already) may.
    """
    _check_text(name, f"the name in {text!r}")
    normal = unicodedata.normalize("NFKC", name)
    # Python matches keywords as written, before normalizing: 'iſ' is the name 'is', not a keyword
    # (and 'ｉｆ' the name 'if').
    if (
        not name.isidentifier()
        or not normal.isidentifier()
        or (written and keyword.iskeyword(name))
    ):
        raise Rejected(f"{name!r} in {text!r} is not a valid name")
    if normal in FUNCTIONS:
        raise Rejected(f"{name!r} is a function and cannot be bound to a number")
    return normal


def parse_binding(text: str) -> tuple[str, float]:
    """``NAME=VALUE`` as (name in Python's normal form, number); Rejected for anything else."""
    _check_text(text, f"the binding {text!r}")
    name, sep, number = text.partition("=")
    name, number = name.strip(), number.strip()
    if not sep:
        raise Rejected(f"expected NAME=VALUE, got {text!r} (no '=')")
    normal = normal_name(name, text)
    try:
        value = float(number)
    except ValueError:
        raise Rejected(f"{number!r} in {text!r} is not a number") from None
    return normal, value


def parse_bindings(texts: Sequence[str]) -> dict[str, float]:
    """The NAME=VALUE arguments as a dict in the order given; Rejected for a name given twice,
    spelled the same or two ways that Python reads as one name (``x`` and ``𝑥``)."""
    bindings: dict[str, float] = {}
    spelled: dict[str, str] = {}
    for text in texts:
        name, value = parse_binding(text)
        given = text.partition("=")[0].strip()
        if name in bindings:
            raise Rejected(_bound_twice(name, spelled[name], given))
        bindings[name], spelled[name] = value, given
    return bindings


def _bound_twice(name: str, first: str, second: str) -> str:
    if first == second == name:
        return f"{name!r} is bound twice"
    return f"{name!r} is bound twice, as {first!r} and as {second!r}: Python reads both as {name!r}"


def _check_text(text: str, what: str) -> None:
    """Rejected when ``text`` holds bytes that are not UTF-8 (the command line passes them on as
    lone surrogates) or other characters that cannot be written out."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        bad = text[error.start]
        detail = f"byte 0x{ord(bad) - 0xDC00:02x}" if 0xDC80 <= ord(bad) <= 0xDCFF else repr(bad)
        raise Rejected(
            f"{what} is not valid UTF-8 text ({detail} at character {error.start + 1})"
        ) from None


def parse_expression(source: str) -> ast.expr:
    """The syntax tree of ``source``, checked against the whitelist; Rejected otherwise."""
    _check_text(source, "the expression")
    if "\0" in source:
        raise Rejected("the expression contains a NUL character")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        detail = "" if error.msg == "invalid syntax" else f": {error.msg}"
        raise Rejected(f"invalid syntax{detail}", _syntax_node(error)) from None
    except (RecursionError, MemoryError):
        raise Rejected("the expression is nested too deeply") from None
    for node in ast.walk(tree.body):
        _check(node)
    return tree.body


def _check(node: ast.AST) -> None:
    """Rejected unless ``node`` is one of the whitelisted kinds."""
    if isinstance(node, ast.BinOp):
        if type(node.op) not in BINARY:
            raise Rejected(
                f"operator {OPERATOR_NAMES.get(type(node.op), '?')} is not allowed", node
            )
    elif isinstance(node, ast.UnaryOp):
        if type(node.op) not in UNARY:
            raise Rejected(
                f"operator {OPERATOR_NAMES.get(type(node.op), '?')} is not allowed", node
            )
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise Rejected("only the functions " + ", ".join(FUNCTIONS) + " can be called", node)
        if node.func.id not in FUNCTIONS:
            raise Rejected(
                f"unknown function {node.func.id!r} (allowed: {', '.join(FUNCTIONS)})", node.func
            )
        if node.keywords or len(node.args) != 1:
            raise Rejected(f"{node.func.id} takes exactly one argument", node)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            what = "strings" if isinstance(node.value, str | bytes) else repr(node.value)
            raise Rejected(f"{what} not allowed: only real numbers", node)
    elif isinstance(node, ast.Name):
        pass  # checked against the bindings when evaluated
    elif isinstance(node, ast.operator | ast.unaryop | ast.expr_context):
        pass  # the parts of an operation or name already checked above
    else:
        kind = KINDS.get(type(node), type(node).__name__)
        raise Rejected(f"{kind} not allowed", node)


def _syntax_node(error: SyntaxError) -> ast.AST | None:
    """A stand-in node carrying a SyntaxError's position, for pointing at it."""
    if error.lineno is None or error.offset is None:
        return None
    node = ast.Pass()
    node.lineno = node.end_lineno = error.lineno
    line = (error.text or "").splitlines()[0] if error.text else ""
    # SyntaxError offsets count characters from 1; ast positions count UTF-8 bytes from 0.
    start = len(line[: error.offset - 1].encode())
    end_offset = error.end_offset if error.end_offset and error.end_offset > error.offset else None
    node.col_offset = start
    node.end_col_offset = len(line[: end_offset - 1].encode()) if end_offset else start + 1
    if error.end_lineno not in (None, error.lineno):
        node.end_lineno = error.end_lineno
    return node


# --- evaluation ----------------------------------------------------------------------------------


def build(tree: ast.expr, variables: Mapping[str, Value]) -> Value:
    """The Value of a checked expression tree (from :func:`parse_expression`), built without
    recursion (any depth works)."""
    results: list[Value] = []
    # Post-order: a node is pushed once to schedule its operands and once (marked) to combine them.
    stack: list[tuple[ast.expr, bool]] = [(tree, False)]
    while stack:
        node, ready = stack.pop()
        if isinstance(node, ast.Constant):
            results.append(Constant(_number(node)))
        elif isinstance(node, ast.Name):
            if node.id not in variables:
                raise Rejected(_unknown_name(node.id, variables), node)
            results.append(variables[node.id])
        elif not ready:
            stack.append((node, True))
            operands = _operands(node)
            stack.extend((operand, False) for operand in reversed(operands))
        elif isinstance(node, ast.BinOp):
            right = results.pop()
            left = results.pop()
            results.append(_apply(node, BINARY[type(node.op)], left, right))
        elif isinstance(node, ast.UnaryOp):
            results.append(_apply(node, UNARY[type(node.op)], results.pop()))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            results.append(_apply(node, FUNCTIONS[node.func.id], results.pop()))
    return results.pop()


def _operands(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    raise Rejected(f"{type(node).__name__} not allowed", node)  # _check lets none through


def _apply(node: ast.expr, fn: Callable[..., Value], *operands: Value) -> Value:
    """``fn(*operands)``, with a domain error turned into a Rejected pointing at ``node``."""
    try:
        return fn(*operands)
    except (ValueError, ArithmeticError) as error:
        raise Rejected(describe(error), node, status=1) from None


def describe(error: Exception) -> str:
    """An arithmetic error's message, with OverflowError's (errno, text) pair made readable."""
    if isinstance(error, OverflowError):
        return "a number too large for a float (overflow)"
    return str(error)


def _number(node: ast.Constant) -> float:
    value = node.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Rejected(f"{value!r} is not a real number", node)
    try:
        return float(value)
    except OverflowError:
        raise Rejected("number too large", node) from None


def _unknown_name(name: str, variables: Mapping[str, Value]) -> str:
    bound = ", ".join(variables) if variables else "none"
    return f"unknown name {name!r}: bind it as {name}=VALUE (bound: {bound})"


def pointer(source: str, node: ast.AST | None) -> str:
    """The line of ``source`` where ``node`` is, with carets under it."""
    lineno: int | None = getattr(node, "lineno", None)
    if lineno is None:
        return ""
    lines = source.splitlines() or [""]
    line = lines[min(lineno, len(lines)) - 1]
    # ast columns count UTF-8 bytes; the carets must count characters.
    encoded = line.encode()
    start = len(encoded[: getattr(node, "col_offset", 0)].decode(errors="replace"))
    end_col: int | None = getattr(node, "end_col_offset", None)
    if getattr(node, "end_lineno", lineno) == lineno and end_col is not None:
        end = len(encoded[:end_col].decode(errors="replace"))
    else:
        end = len(line)
    return f"  {line}\n  {' ' * start}{'^' * max(1, end - start)}"
