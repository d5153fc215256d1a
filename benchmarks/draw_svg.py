"""How long drawing a 500-Value graph as SVG takes: ``python -m benchmarks.draw_svg``.

The graph is the squared sum of tanh neurons over four inputs, one scope (so one cluster) per
neuron, cut off at the first neuron that takes it to 500 Values or more; the time covers
draw_dot and Graphviz's layout.
"""

from __future__ import annotations

import random
import statistics
import time

from autograd import Value, draw_dot, scope, topological_order


def neuron_graph(target: int = 500, seed: int = 0) -> Value:
    """(sum of tanh neurons)² over four inputs, with as many neurons as reach ``target`` Values."""
    rng = random.Random(seed)
    xs = [Value(rng.uniform(-1, 1), f"x{i}") for i in range(4)]
    total: Value | None = None
    j = 0
    while True:
        with scope(f"neurons.{j}"):
            z = Value(rng.uniform(-1, 1), f"b{j}")
            for i, x in enumerate(xs):
                z = z + Value(rng.uniform(-1, 1), f"w{j}.{i}") * x
            h = z.tanh()
        total = h if total is None else total + h
        loss = total * total
        if len(topological_order(loss)) >= target:
            return loss
        j += 1


def main(runs: int = 7) -> None:
    loss = neuron_graph()
    loss.backward()
    count = len(topological_order(loss))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        svg = draw_dot(loss, max_nodes=count).pipe(format="svg")
        times.append(time.perf_counter() - start)
    median, best = statistics.median(times), min(times)
    print(
        f"{count} Values -> {len(svg) / 1e3:.0f} kB of SVG: "
        f"median {median:.3f} s, best {best:.3f} s over {runs} runs"
    )


if __name__ == "__main__":
    main()
