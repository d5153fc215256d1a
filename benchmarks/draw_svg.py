"""Time to draw a 500-Value graph (a small MLP's forward pass, one cluster per neuron) as SVG."""

from __future__ import annotations

import random
import time

from autograd import Value, draw_dot, scope


def mlp_graph(target: int = 500, seed: int = 0) -> Value:
    """A two-layer tanh network's loss, grown to exactly ``target`` Values."""
    rng = random.Random(seed)
    xs = [Value(rng.uniform(-1, 1), f"x{i}") for i in range(4)]
    outputs = []
    j = 0
    while True:
        with scope(f"layers.0.neurons.{j}"):
            terms = [Value(rng.uniform(-1, 1), f"w{j}.{i}") * x for i, x in enumerate(xs)]
            total = Value(0.0, f"b{j}")
            for term in terms:
                total = total + term
            outputs.append(total.tanh())
        j += 1
        loss = outputs[0]
        for out in outputs[1:]:
            loss = loss + out
        loss = loss * loss
        count = len(draw_nodes(loss))
        if count >= target:
            return loss


def draw_nodes(root: Value) -> list[Value]:
    from autograd import topological_order

    return topological_order(root)


def main() -> None:
    root = mlp_graph()
    root.backward()
    count = len(draw_nodes(root))
    times = []
    for _ in range(5):
        start = time.perf_counter()
        svg = draw_dot(root, max_nodes=count).pipe(format="svg")
        times.append(time.perf_counter() - start)
    print(f"{count} Values, SVG of {len(svg)} bytes: best {min(times):.3f} s, "
          f"median {sorted(times)[2]:.3f} s over {len(times)} runs")


if __name__ == "__main__":
    main()
