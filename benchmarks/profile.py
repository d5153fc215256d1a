"""Where chainrule's time goes on a workload: phases, the cyclic collector's share, cProfile.

Usage: ``python -m benchmarks.profile [moons|chain_1e5|neuron_1e4] [--steps N] [--top K]``

Phases: building the graph (forward), ``backward`` (its topological order and its sweep), and
freeing the graph. Times are CPU times of this process, as in the benchmark table. The
collector's share comes from ``gc.callbacks`` timing every collection during the steps; the same
steps are then timed with the collector disabled.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import time
from collections.abc import Callable
from typing import Any

from autograd import Value, topological_order
from benchmarks.spec import MOONS_SIZES, SEED, moons_spec, neuron_spec
from benchmarks.workloads import NEURON_INPUTS


def _builders(workload: str) -> tuple[Callable[[], Value], Callable[[], None]]:
    """(build the graph and return its root, reset the leaves' grads) for ``workload``."""
    from benchmarks.engines.chainrule_scalar import _forward
    from nn import MLP, Neuron

    if workload == "moons":
        spec = moons_spec()
        model = MLP(MOONS_SIZES[0], list(MOONS_SIZES[1:]), seed=SEED)
        return (lambda: _forward(model, spec)), model.zero_grad
    if workload == "neuron_1e4":
        nspec = neuron_spec(NEURON_INPUTS)
        unit = Neuron(NEURON_INPUTS, seed=SEED)
        return (lambda: unit(nspec["x"])), unit.zero_grad
    if workload == "chain_1e5":
        x = Value(1.0)

        def chain() -> Value:
            y = x
            for _ in range(10**5):
                y = y + x
            return y

        return chain, lambda: None
    raise SystemExit(f"unknown workload {workload!r}")


class CollectorClock:
    """Total time and count of the cyclic collector's runs, per generation, via gc.callbacks."""

    def __init__(self) -> None:
        self.seconds = [0.0, 0.0, 0.0]
        self.count = [0, 0, 0]
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.process_time()
        else:
            generation = info["generation"]
            self.seconds[generation] += time.process_time() - self._start
            self.count[generation] += 1

    def __enter__(self) -> CollectorClock:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


def phases(build: Callable[[], Value], reset: Callable[[], None], steps: int) -> dict[str, float]:
    """Median seconds of each phase over ``steps`` steps, with the collector as shipped."""
    times: dict[str, list[float]] = {"forward": [], "order": [], "backward": [], "free": []}
    for _ in range(steps):
        reset()
        t0 = time.process_time()
        root = build()
        t1 = time.process_time()
        topological_order(root)
        t2 = time.process_time()
        root.backward()  # sorts again: the order is part of backward
        t3 = time.process_time()
        del root
        t4 = time.process_time()
        times["forward"].append(t1 - t0)
        times["order"].append(t2 - t1)
        times["backward"].append(t3 - t2)
        times["free"].append(t4 - t3)
    return {name: statistics.median(values) for name, values in times.items()}


def step_times(build: Callable[[], Value], reset: Callable[[], None], steps: int) -> list[float]:
    """Seconds of each whole step (reset, forward, backward, free)."""
    times = []
    for _ in range(steps):
        start = time.process_time()
        reset()
        root = build()
        root.backward()
        del root
        times.append(time.process_time() - start)
    return times


def main(argv: list[str] | None = None) -> None:
    """Print the phases, the collector's share and the top functions of a cProfile run."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    parser.add_argument("workload", nargs="?", default="moons")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    build, reset = _builders(args.workload)
    root = build()
    print(f"{args.workload}: {len(topological_order(root))} nodes")
    del root
    step_times(build, reset, 2)  # warm-up

    ms = {name: f"{1e3 * s:.1f} ms" for name, s in phases(build, reset, args.steps).items()}
    print("phases (medians):", ", ".join(f"{k} {v}" for k, v in ms.items()))

    with CollectorClock() as clock:
        start = time.process_time()
        shipped = step_times(build, reset, args.steps)
        total = time.process_time() - start
    share = sum(clock.seconds) / total
    print(
        f"collector as shipped: step median {1e3 * statistics.median(shipped):.1f} ms; "
        f"{100 * share:.0f}% of the time in {sum(clock.count)} collections "
        f"(generation 0/1/2: {clock.count[0]}/{clock.count[1]}/{clock.count[2]} runs, "
        + "/".join(f"{1e3 * s:.0f}" for s in clock.seconds)
        + " ms)"
    )
    gc.disable()
    try:
        off = step_times(build, reset, args.steps)
    finally:
        gc.enable()
    print(f"collector disabled: step median {1e3 * statistics.median(off):.1f} ms")

    profiler = cProfile.Profile()
    profiler.enable()
    step_times(build, reset, args.steps)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
