"""The workloads, which engines run each, and how many interleaved rounds each gets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SCALAR = ("chainrule", "chainrule-python", "micrograd", "micrograd-gc-off", "torch-0d", "floats")
MATRIX = ("nn.matrix", "numpy", "torch-tensors")
TAPES = ("tape", "tape-numpy")
MEMORY_ENGINES = ("chainrule", "chainrule-python", "micrograd")


@dataclass(frozen=True)
class Timed:
    """A timed workload: ``builder`` names the function in each engine module that builds it."""

    name: str
    title: str
    builder: str
    arg: Literal["moons", "neuron", "classifier"] | int
    engines: tuple[str, ...]
    rounds: int


WORKLOADS: dict[str, Timed] = {
    w.name: w
    for w in (
        Timed(
            "moons",
            "moons step: `MLP(2, [16, 16, 1])`, 100 samples, hinge + L2, forward + backward",
            "moons",
            "moons",
            (*SCALAR, "chainrule-gc-off", *TAPES, *MATRIX),
            15,
        ),
        Timed(
            "classifier",
            "`MLP(64, [32, 10])`, cross entropy, 1,000 samples, forward + backward",
            "classifier",
            "classifier",
            # Eager as nn.train runs each step (collector paused): 4.8 million nodes a step.
            ("chainrule-gc-off", *TAPES, "numpy", "torch-tensors"),
            3,
        ),
        Timed("chain_1e5", "chain 10^5 deep, forward + backward", "chain", 10**5, SCALAR, 9),
        Timed("chain_1e6", "chain 10^6 deep, forward + backward", "chain", 10**6, SCALAR, 3),
        Timed(
            "affine_1e6",
            "y = y * 1.0001 + 0.001, 10^6 times (4·10^6 nodes), forward + backward",
            "affine_chain",
            10**6,
            ("chainrule", "chainrule-python", "micrograd", "micrograd-gc-off", "floats"),
            3,
        ),
        Timed(
            "neuron_1e4",
            "one neuron, 10^4 inputs, forward + backward",
            "neuron",
            "neuron",
            SCALAR,
            9,
        ),
        Timed(
            "draw_dot", "`draw_dot`, 500 Values: the DOT source", "draw_dot", 500, ("chainrule",), 7
        ),
        Timed(
            "draw_svg",
            "`draw_dot`, 500 Values, rendered to SVG",
            "draw_svg",
            500,
            ("chainrule",),
            5,
        ),
    )
}

NEURON_INPUTS = 10**4
