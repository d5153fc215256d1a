"""The ``chainrule`` command line: the subcommands ``graph``, ``explore`` and ``demo``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from autograd.cli import add_graph_parser, run_commands
from autograd.explore import add_explore_parser
from nn.demo import STEPS, engine_line, run_demo


def main(argv: list[str] | None = None) -> int:
    """Run the ``chainrule`` command line; returns the exit status."""
    return run_commands("chainrule", [add_graph_parser, add_explore_parser, add_demo_parser], argv)


def add_demo_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` subcommand to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "demo",
        help="train an MLP on two moons and draw what it learned",
        description=(
            "micrograd's demo on this engine: 100 moons, MLP(2, [16, 16, 1]), hinge loss plus "
            "1e-4 L2, SGD with the learning rate falling from 1.0 towards 0.1. Writes "
            "decision_boundary.png, loss.png, neuron.svg and explorer.html (the same neuron, "
            "to step through) into DIR."
        ),
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=Path("out"),
        help="where to write the pictures (default: out)",
    )
    parser.add_argument(
        "--steps",
        metavar="N",
        type=_positive_int,
        default=STEPS,
        help=f"SGD steps, each on the whole data set (default: {STEPS})",
    )
    parser.add_argument(
        "--compile",
        action="store_true",
        help="train from a traced tape of the per-sample loss: the same numbers, faster",
    )
    parser.set_defaults(func=run_demo_command, demo_prog=parser.prog)


def run_demo_command(args: argparse.Namespace) -> int:
    """Run ``demo`` with parsed arguments: 0 on success, 1 when a file cannot be written."""
    prog = getattr(args, "demo_prog", "demo")
    print(engine_line(), file=sys.stderr)  # beside the progress bar: what the run is on
    started = time.perf_counter()
    try:
        result = run_demo(args.out, steps=args.steps, compile=args.compile)
    except (OSError, RuntimeError) as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    history = result.history
    print(
        f"step {len(history['loss'])}: loss {history['loss'][-1]:.4f}, "
        f"accuracy {history['accuracy'][-1]:.0%}"
    )
    print(f"trained model: accuracy {result.accuracy:.0%} on the 100 moons ({seconds:.1f} s)")
    for path in result.files:
        print(f"wrote {path}")
    return 0


def _positive_int(text: str) -> int:
    """An argparse type: an int >= 1."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of steps, got {text!r}"
        ) from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1 step, got {n}")
    return n
