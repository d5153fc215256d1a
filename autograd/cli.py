"""The ``graph`` command: build an expression on Values, print its value and gradients, draw it.

The expression is parsed with :mod:`ast` and interpreted node by node against a whitelist
(numbers, bound names, ``+ - * / **``, unary ``-``/``+`` and a few functions); it is never
compiled or evaluated as Python.
"""

from __future__ import annotations

import argparse
import ast
import keyword
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from autograd.draw import FORMATS, format_of, render
from autograd.explore import add_explore_parser
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


def parse_binding(text: str) -> tuple[str, float]:
    """``NAME=VALUE`` as (name, number); Rejected for anything else."""
    name, sep, number = text.partition("=")
    name, number = name.strip(), number.strip()
    if not sep:
        raise Rejected(f"expected NAME=VALUE, got {text!r} (no '=')")
    if not name.isidentifier() or keyword.iskeyword(name):
        raise Rejected(f"{name!r} in {text!r} is not a valid name")
    if name in FUNCTIONS:
        raise Rejected(f"{name!r} is a function and cannot be bound to a number")
    try:
        value = float(number)
    except ValueError:
        raise Rejected(f"{number!r} in {text!r} is not a number") from None
    return name, value


def parse_bindings(texts: Sequence[str]) -> dict[str, float]:
    """The NAME=VALUE arguments as a dict in the order given; Rejected for a name given twice."""
    bindings: dict[str, float] = {}
    for text in texts:
        name, value = parse_binding(text)
        if name in bindings:
            raise Rejected(f"{name!r} is bound twice")
        bindings[name] = value
    return bindings


def parse_expression(source: str) -> ast.expr:
    """The syntax tree of ``source``, checked against the whitelist; Rejected otherwise."""
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


def evaluate(tree: ast.expr, variables: dict[str, Value]) -> Value:
    """The Value of a checked expression tree, built without recursion (any depth works)."""
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
        raise Rejected(_describe(error), node, status=1) from None


def _describe(error: Exception) -> str:
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


def _unknown_name(name: str, variables: dict[str, Value]) -> str:
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


# --- the command ---------------------------------------------------------------------------------


def add_graph_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``graph`` subcommand to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "graph",
        help="differentiate an expression and draw its computation graph",
        description=(
            "Build EXPR on Values (names bound to the given numbers), run backward, and print "
            "EXPR = VALUE and d/dNAME = GRAD for each name in the order given. Allowed: numbers, "
            "the bound names, + - * / ** and parentheses, and the functions "
            + ", ".join(FUNCTIONS)
            + ". The expression is parsed, never run as Python."
        ),
        epilog="An expression that starts with '-' goes after '--': graph -- '-x*y' x=2 y=3",
    )
    parser.add_argument("expression", metavar="EXPR", help="for example 'tanh(w*x + b)'")
    parser.add_argument(
        "bindings", metavar="NAME=VALUE", nargs="*", help="a number for each name in EXPR"
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        type=Path,
        help="also draw the graph into FILE; the format follows the suffix: " + ", ".join(FORMATS),
    )
    parser.set_defaults(func=run_graph, graph_prog=parser.prog)


def run_graph(args: argparse.Namespace) -> int:
    """Run ``graph`` with parsed arguments: 0 on success, 2 for a rejected input, 1 otherwise."""
    prog = getattr(args, "graph_prog", "graph")
    source = args.expression.strip()
    try:
        variables = {
            name: Value(number, name) for name, number in parse_bindings(args.bindings).items()
        }
        if args.output is not None:
            try:
                format_of(args.output)  # refused before anything is printed
            except ValueError as error:
                raise Rejected(str(error)) from None
        tree = parse_expression(source)
        output = evaluate(tree, variables)
    except Rejected as error:
        where = pointer(source, error.node)
        print(f"{prog}: error: {error.message}" + (f"\n{where}" if where else ""), file=sys.stderr)
        return error.status
    try:
        output.backward()
    except (ValueError, ArithmeticError) as error:
        print(f"{prog}: error: backward failed: {_describe(error)}", file=sys.stderr)
        return 1
    print(f"{source} = {_show(output.data)}")
    for name, value in variables.items():
        print(f"d/d{name} = {_show(value.grad)}")
    if args.output is not None:
        try:
            path = render(output, args.output)
        except (OSError, RuntimeError, ValueError) as error:
            print(f"{prog}: error: {error}", file=sys.stderr)
            return 1
        print(f"wrote {path}", file=sys.stderr)
    return 0


def _show(x: float) -> str:
    """A float as Python prints it (shortest round-trip form; nan, inf)."""
    return repr(x) if math.isfinite(x) else str(x)


def run_commands(
    prog: str,
    commands: Sequence[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]],
    argv: list[str] | None = None,
) -> int:
    """Parse ``argv`` for the subcommands that ``commands`` add, run the chosen one, and return
    its exit status (2 for a usage error, 0 for --help)."""
    parser = argparse.ArgumentParser(
        prog=prog, description="chainrule: backpropagation made visible"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in commands:
        add(subparsers)
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse's own errors (status 2) and --help (status 0)
        return stop.code if isinstance(stop.code, int) else 2
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    status: int = args.func(args)
    return status


def main(argv: list[str] | None = None) -> int:
    """``python -m autograd graph|explore EXPR [NAME=VALUE ...]``; returns the exit status."""
    return run_commands("python -m autograd", [add_graph_parser, add_explore_parser], argv)
