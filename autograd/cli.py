"""The ``graph`` command: build an expression on Values, print its value and gradients, draw it.

The expression language itself (what is allowed, how it is parsed and evaluated, never as
Python) is :mod:`autograd.expression`; this module is the argparse commands on top of it.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, cast

from autograd.draw import FORMATS, TIMEOUT, format_of, render
from autograd.engine import topological_order
from autograd.explore import add_explore_parser
from autograd.expression import FUNCTIONS, Rejected, describe, evaluate, parse_bindings, pointer

# --- the command ---------------------------------------------------------------------------------


class CommandParser(argparse.ArgumentParser):
    """A subcommand's parser that takes a positional argument starting with '-' (an EXPR such as
    ``'-x*y'``) as positional, where argparse alone would read it as an unknown option, and
    takes options between positional arguments (``EXPR x=2 -o g.svg y=3``).

    Before parsing, the options and their values are moved to the front, and each other argument
    that starts with '-' is given a leading space, which argparse reads as positional and the
    command strips. A command without positional arguments is parsed as argparse parses it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._takes_value: dict[str, bool] = {}  # option string -> whether a value follows it
        self._has_positionals = False
        super().__init__(*args, **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action = super().add_argument(*args, **kwargs)
        for option in action.option_strings:
            self._takes_value[option] = action.nargs != 0
        self._has_positionals |= not action.option_strings
        return action

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        self._attached: list[str] = []
        if args is not None and self._has_positionals:
            args = self._positional(list(args))
        parsed, extras = super().parse_known_args(args, namespace)
        parsed.attached = self._attached  # "-oFILE" arguments, which might have been meant as EXPR
        return parsed, extras

    def _positional(self, args: list[str]) -> list[str]:
        """``args`` with the options (and their values) first, then the positional arguments in
        their order, so that options may also come between positional arguments."""
        options: list[str] = []
        positionals: list[str] = []
        value_next = False
        for i, arg in enumerate(args):
            if value_next:
                options.append(arg)
                value_next = False
                continue
            if arg == "--":
                return options + positionals + args[i:]
            option = self._option(arg) if arg.startswith("-") else None
            if option is None:
                positionals.append(" " + arg if arg.startswith("-") else arg)
                continue
            options.append(arg)
            if not arg.startswith("--") and arg != option and self._takes_value[option]:
                self._attached.append(arg)
            # "-o FILE" and "--output FILE" (or "--out FILE") take the next argument as the value;
            # "-oFILE" and "--output=FILE" carry it.
            value_next = self._takes_value[option] and (
                arg == option or (arg.startswith("--") and "=" not in arg)
            )
        return options + positionals

    def _option(self, arg: str) -> str | None:
        """The option ``arg`` names (itself, an abbreviation of a long option, ``--name=VALUE``
        or ``-oVALUE``), or None when it is not one of this command's options."""
        if arg.startswith("--"):
            name = arg.partition("=")[0]
            matches = [o for o in self._takes_value if o.startswith("--") and o.startswith(name)]
            return matches[0] if len(matches) == 1 and len(name) > 2 else None
        short = arg[:2]
        if short not in self._takes_value:
            return None
        # A flag that takes no value (-h) is only itself: '-h*x' is an EXPR, not -h with '*x'.
        return short if self._takes_value[short] or arg == short else None

    def error(self, message: str) -> NoReturn:
        if "EXPR" in message:
            message += " (an EXPR that starts with an option, such as '-o*x', goes after '--')"
        super().error(message)


MAX_NODES = 500  # draw_dot's default


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
        epilog="An EXPR that starts with '-o', or is '-h', goes after '--': graph -- '-o*x' o=2",
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
    parser.add_argument(
        "--max-nodes",
        metavar="N",
        type=_at_least_one,
        default=MAX_NODES,
        help=f"draw graphs of up to N Values (default: {MAX_NODES})",
    )
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_seconds,
        default=TIMEOUT,
        help=f"how long Graphviz may take to lay out -o's drawing (default: {TIMEOUT:g})",
    )
    parser.set_defaults(func=run_graph, graph_prog=parser.prog)


def _attached_hint(args: argparse.Namespace) -> str:
    """For an -o FILE that came attached, as in '-o*x': how to pass such an EXPR instead."""
    attached = [a for a in getattr(args, "attached", []) if a.startswith("-o")]
    if not attached:
        return ""
    return (
        f" ({attached[0]!r} was read as -o {attached[0][2:]!r}; "
        f"an EXPR that starts with '-o' goes after '--': graph -- {attached[0]!r} ...)"
    )


def _at_least_one(text: str) -> int:
    """An argparse type: a whole number >= 1."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {n}")
    return n


def _seconds(text: str) -> float:
    """An argparse type: a number of seconds > 0."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"expected more than 0 seconds, got {text!r}")
    return seconds


def run_graph(args: argparse.Namespace) -> int:
    """Run ``graph`` with parsed arguments: 0 on success, 2 for a rejected input, 1 otherwise."""
    prog = getattr(args, "graph_prog", "graph")
    source = args.expression.strip()
    try:
        bindings = parse_bindings([text.strip() for text in args.bindings])
        if args.output is not None:
            try:
                format_of(args.output)  # refused before anything is printed
            except ValueError as error:
                raise Rejected(str(error) + _attached_hint(args)) from None
        output, variables = evaluate(source, bindings)
        if args.output is not None:
            size = len(topological_order(output))
            if size > args.max_nodes:
                raise Rejected(
                    f"the graph has {size} Values, more than --max-nodes={args.max_nodes}; "
                    f"pass --max-nodes {size} to draw it anyway (Graphviz is slow on large graphs)"
                )
    except Rejected as error:
        where = pointer(source, error.node)
        print(f"{prog}: error: {error.message}" + (f"\n{where}" if where else ""), file=sys.stderr)
        return error.status
    try:
        output.backward()
    except (ValueError, ArithmeticError) as error:
        print(f"{prog}: error: backward failed: {describe(error)}", file=sys.stderr)
        return 1
    print(f"{source} = {_show(output.data)}")
    for name, value in variables.items():
        print(f"d/d{name} = {_show(value.grad)}")
    if args.output is not None:
        try:
            path = render(
                output,
                args.output,
                max_nodes=args.max_nodes,
                timeout=getattr(args, "timeout", TIMEOUT),
            )
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
    its exit status (2 for a usage error, 0 for --help and --version)."""
    parser = argparse.ArgumentParser(
        prog=prog, description="chainrule: backpropagation made visible"
    )
    parser.add_argument("--version", action="version", version=f"chainrule {_version()}")
    # Every subcommand's parser is a CommandParser; the commands need only ArgumentParser's API.
    subparsers = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CommandParser),
    )
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


def _version() -> str:
    """The installed chainrule distribution's version."""
    try:
        return importlib.metadata.version("chainrule")
    except importlib.metadata.PackageNotFoundError:
        return "(version unknown: the chainrule distribution is not installed)"


def main(argv: list[str] | None = None) -> int:
    """``python -m autograd graph|explore EXPR [NAME=VALUE ...]``; returns the exit status."""
    return run_commands("python -m autograd", [add_graph_parser, add_explore_parser], argv)
