"""nn's MLP against micrograd's, the code it follows (opt-in: `pip install -e '.[bench]'`, then
`pytest -m micrograd`).

micrograd's neuron is ``sum(w_i x_i, start=b)``; nn's builds the same chain of binary nodes in
the same order, so with the same weights every forward value is equal, not merely close.
Gradients agree to rounding: micrograd orders its backward sweep through sets, so a node with
several consumers may sum their shares in another order.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value
from nn import MLP

pytestmark = pytest.mark.micrograd


def micrograd_copy(model: MLP) -> Any:
    """micrograd's MLP with the weights of ``model`` (ReLU hidden layers, a linear last one)."""
    from micrograd.nn import MLP as MicrogradMLP

    theirs = MicrogradMLP(model.nin, list(model.nouts))
    for ours_layer, their_layer in zip(model.layers, theirs.layers, strict=True):
        for ours_neuron, their_neuron in zip(ours_layer.neurons, their_layer.neurons, strict=True):
            for w, v in zip(ours_neuron.w, their_neuron.w, strict=True):
                v.data = w.data
            their_neuron.b.data = ours_neuron.b.data
    return theirs


@settings(max_examples=50, deadline=None)
@given(
    nin=st.integers(1, 4),
    # micrograd's Layer of one neuron returns a bare Value, which its next layer cannot read.
    nouts=st.tuples(st.lists(st.integers(2, 4), max_size=2), st.integers(1, 4)).map(
        lambda sizes: [*sizes[0], sizes[1]]
    ),
    seed=st.integers(0, 2**32),
    bias=st.floats(-1, 1),
    data=st.data(),
)
def test_the_same_graph_as_micrograd(
    nin: int, nouts: list[int], seed: int, bias: float, data: st.DataObject
) -> None:
    from micrograd.engine import Value as MicrogradValue

    model = MLP(nin, nouts, seed=seed)
    for layer in model.layers:
        for neuron in layer.neurons:
            neuron.b.data = bias  # micrograd starts b at 0; a non-zero b shows where it is added
    theirs = micrograd_copy(model)
    x = data.draw(st.lists(st.floats(-3, 3), min_size=nin, max_size=nin))

    out = model([Value(v) for v in x])
    outs = [out] if isinstance(out, Value) else out
    their_out = theirs([MicrogradValue(v) for v in x])
    their_outs = their_out if isinstance(their_out, list) else [their_out]
    assert [o.data for o in outs] == [o.data for o in their_outs]  # equal, bit for bit

    loss = sum((o * o for o in outs[1:]), outs[0] * outs[0])
    their_loss = sum((o * o for o in their_outs[1:]), their_outs[0] * their_outs[0])
    assert loss.data == their_loss.data
    loss.backward()
    their_loss.backward()
    their_grads = [float(p.grad) for p in theirs.parameters()]
    assert [p.grad for p in model.parameters()] == pytest.approx(their_grads, rel=1e-12, abs=1e-12)
