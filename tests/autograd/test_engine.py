"""backward, grad and topological_order: semantics, random graphs, depth and memory."""

from __future__ import annotations

import gc
import math
import subprocess
import sys
import weakref
from collections.abc import Iterator

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd import Value, backend, grad, topological_order
from tests.autograd.expressions import (
    FLOATS,
    N_VARS,
    VALUES,
    Tree,
    kinks_nearby,
    trees,
    variable_values,
    well_scaled,
)

points = st.lists(variable_values, min_size=N_VARS, max_size=N_VARS)


@pytest.fixture
def gc_off() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class TestRandomGraphs:
    @settings(max_examples=300)
    @given(tree=trees(), point=points)
    def test_backward_matches_central_differences(self, tree: Tree, point: list[float]) -> None:
        xs = [Value(x) for x in point]
        out = VALUES.evaluate(tree, xs)
        assume(isinstance(out, Value) and well_scaled(out) and not kinks_nearby(out))
        out.backward()
        eps = 1e-6
        for i, x in enumerate(xs):
            up = [p + eps if j == i else p for j, p in enumerate(point)]
            down = [p - eps if j == i else p for j, p in enumerate(point)]
            numeric = (FLOATS.evaluate(tree, up) - FLOATS.evaluate(tree, down)) / (2 * eps)
            assert math.isclose(x.grad, numeric, rel_tol=1e-4, abs_tol=1e-4), (i, x.grad, numeric)

    @given(tree=trees(), point=points)
    def test_forward_matches_plain_floats(self, tree: Tree, point: list[float]) -> None:
        out = VALUES.evaluate(tree, [Value(x) for x in point])
        expected = FLOATS.evaluate(tree, point)
        assert float(out) == pytest.approx(expected, rel=1e-12, abs=1e-12)

    @given(tree=trees(), point=points)
    def test_grad_equals_backward_and_leaves_grad_alone(
        self, tree: Tree, point: list[float]
    ) -> None:
        xs = [Value(x) for x in point]
        out = VALUES.evaluate(tree, xs)
        assume(isinstance(out, Value))
        derivatives = grad(out, xs)
        assert all(x.grad == 0.0 for x in xs)
        out.backward()
        assert derivatives == [x.grad for x in xs]

    @given(tree=trees(max_leaves=6), point=points)
    def test_create_graph_derivatives_have_the_same_values(
        self, tree: Tree, point: list[float]
    ) -> None:
        xs = [Value(x) for x in point]
        out = VALUES.evaluate(tree, xs)
        assume(isinstance(out, Value))
        plain = grad(out, xs)
        graphs = grad(out, xs, create_graph=True)
        assert all(isinstance(g, Value) for g in graphs)
        assert [g.data for g in graphs] == pytest.approx(plain, rel=1e-12, abs=1e-12)

    @given(tree=trees(), point=points)
    def test_topological_order_puts_parents_first(self, tree: Tree, point: list[float]) -> None:
        out = VALUES.evaluate(tree, [Value(x) for x in point])
        assume(isinstance(out, Value))
        order = topological_order(out)
        position = {node: i for i, node in enumerate(order)}
        assert order[-1] is out
        assert len(position) == len(order)
        assert all(position[p] < position[node] for node in order for p in node.parents)


class TestBackwardSemantics:
    def test_a_node_used_many_times_sums_its_contributions(self) -> None:
        x = Value(3.0)
        y = x * x + x * x * x + x  # 2x + 3x^2 + 1
        y.backward()
        assert x.grad == 2 * 3 + 3 * 9 + 1

    def test_same_operand_twice(self) -> None:
        x = Value(-1.5)
        (x * x).backward()
        assert x.grad == -3.0

    def test_diamond(self) -> None:
        a = Value(2.0)
        b, c = a * 3, a.exp()
        d = b * c  # 3a e^a
        d.backward()
        assert a.grad == pytest.approx(3 * math.exp(2) + 6 * math.exp(2))
        assert b.grad == pytest.approx(math.exp(2))
        assert c.grad == 6.0

    def test_interior_nodes_hold_their_gradients(self) -> None:
        x = Value(0.5)
        h = x.tanh()
        y = h * h
        y.backward()
        assert y.grad == 1.0
        assert h.grad == 2 * h.data
        assert x.grad == pytest.approx(2 * h.data * (1 - h.data**2))

    def test_second_call_doubles_leaves_and_recomputes_interior(self) -> None:
        x, w = Value(1.5), Value(-2.0)
        h = x * w
        y = h.sigmoid()
        y.backward()
        first = (x.grad, w.grad, h.grad, y.grad)
        y.backward()
        assert (x.grad, w.grad) == (2 * first[0], 2 * first[1])
        assert (h.grad, y.grad) == (first[2], first[3])

    def test_backward_of_a_leaf_accumulates_one(self) -> None:
        x = Value(4.0)
        x.backward()
        x.backward()
        assert x.grad == 2.0

    def test_seed_gradient(self) -> None:
        x = Value(4.0)
        (x * 3).backward(gradient=0.5)
        assert x.grad == 1.5

    def test_undefined_derivative_leaves_every_grad_as_it_was(self) -> None:
        x, w = Value(0.0), Value(2.0)
        w.grad = 7.0
        y = x.sqrt() + w * w
        with pytest.raises(ValueError, match="sqrt has no finite derivative"):
            y.backward()
        assert (x.grad, w.grad) == (0.0, 7.0)

    def test_seed_gradient_must_be_a_number(self) -> None:
        x = Value(4.0)
        with pytest.raises(TypeError, match="backward's gradient must be a real number.*str"):
            (x * 3).backward(gradient="1")  # type: ignore[arg-type]
        assert x.grad == 0.0

    def test_backward_needs_a_value(self) -> None:
        from autograd import backward

        with pytest.raises(TypeError, match="float"):
            backward(1.0)  # type: ignore[arg-type]


class TestGrad:
    def test_independent_input_gets_zero(self) -> None:
        x, z = Value(1.0), Value(5.0)
        assert grad(x * 2, [x, z]) == [2.0, 0.0]
        (dz,) = grad(x * 2, [z], create_graph=True)
        assert isinstance(dz, Value)
        assert dz.data == 0.0

    def test_interior_inputs(self) -> None:
        x = Value(2.0)
        h = x * x
        y = h * 3
        assert grad(y, [h, x]) == [3.0, 12.0]

    def test_a_single_value_is_accepted_as_inputs(self) -> None:
        x = Value(2.0)
        assert grad(x**2, x) == [4.0]

    def test_bad_arguments_name_the_problem(self) -> None:
        x = Value(1.0)
        with pytest.raises(TypeError, match="output, got float"):
            grad(1.0, [x])  # type: ignore[call-overload]
        with pytest.raises(TypeError, match="input 1 is int"):
            grad(x * 2, [x, 3])  # type: ignore[list-item]

    def test_hessian_of_a_two_variable_function(self) -> None:
        x, y = Value(0.7), Value(-1.2)
        f = x * x * y + (x * y).sin()
        gx, gy = grad(f, [x, y], create_graph=True)
        hxx, hxy = grad(gx, [x, y])
        hyx, hyy = grad(gy, [x, y])
        s = math.sin(x.data * y.data)
        c = math.cos(x.data * y.data)
        assert hxx == pytest.approx(2 * y.data - y.data**2 * s)
        assert hxy == pytest.approx(2 * x.data + c - x.data * y.data * s)
        assert hyx == pytest.approx(hxy)
        assert hyy == pytest.approx(-(x.data**2) * s)

    def test_create_graph_works_inside_no_grad(self) -> None:
        from autograd import no_grad

        x = Value(2.0)
        y = x**3
        with no_grad():
            (d,) = grad(y, [x], create_graph=True)
        assert grad(d, [x]) == [12.0]


class TestDepthAndMemory:
    def test_a_million_node_chain(self) -> None:
        x = Value(1.0)
        y = x
        for _ in range(1_000_000):
            y = y * 1.000001
        y.backward()
        assert x.grad == pytest.approx(math.exp(1.0), rel=1e-5)
        assert len(topological_order(y)) == 2_000_001  # a constant per multiplication

    @pytest.mark.usefixtures("gc_off")
    def test_a_graph_is_freed_by_reference_counting_alone(self) -> None:
        x = Value(1.0)
        y = (x * 2 + 1).tanh() * x
        y.backward()
        refs = [weakref.ref(node) for node in topological_order(y)]
        del x, y
        assert all(r() is None for r in refs)

    @pytest.mark.usefixtures("gc_off")
    def test_a_deep_graph_is_freed_without_the_collector(self) -> None:
        x = Value(1.0)
        y = x
        for _ in range(200_000):
            y = (y + 1.0).relu()
        first, last = weakref.ref(x), weakref.ref(y)
        del x, y
        assert first() is None
        assert last() is None


class TestFailuresAndAccumulation:
    def test_a_failing_backward_restores_every_grad_interior_included(self) -> None:
        x, w = Value(0.0), Value(2.0)
        h = w * w
        y = x.sqrt() + h
        for node, before in zip((x, w, h, y), (1.0, 7.0, -3.0, 5.0), strict=True):
            node.grad = before
        with pytest.raises(ValueError, match="sqrt has no finite derivative at 0.0"):
            y.backward()
        assert (x.grad, w.grad, h.grad, y.grad) == (1.0, 7.0, -3.0, 5.0)

    @pytest.mark.parametrize("before", [0.0, -0.0])
    def test_a_failing_backward_restores_zero_grads_sign_included(self, before: float) -> None:
        # h and x receive their shares before sqrt's derivative fails at 0.
        x = Value(0.0)
        h = x * 2.0
        y = x.sqrt() + h
        order = topological_order(y)
        for node in order:
            node.grad = before
        with pytest.raises(ValueError, match="sqrt has no finite derivative at 0.0"):
            y.backward()
        signs = [math.copysign(1.0, node.grad) for node in order]
        assert signs == [math.copysign(1.0, before)] * len(order)
        assert all(node.grad == 0.0 for node in order)

    @settings(max_examples=300)
    @given(tree=trees(), point=points)
    def test_a_second_call_exactly_doubles_every_leaf(self, tree: Tree, point: list[float]) -> None:
        xs = [Value(x) for x in point]
        out = VALUES.evaluate(tree, xs)
        assume(isinstance(out, Value))
        out.backward()
        order = topological_order(out)
        first = [node.grad for node in order]
        out.backward()
        for node, before in zip(order, first, strict=True):
            expected = 2 * before if node.is_leaf else before
            assert node.grad == expected or math.isnan(expected), (node.op, before, node.grad)

    def test_a_leaf_adds_its_finished_sum_once(self) -> None:
        # x receives 0.2 (through x * 0.2, swept first) and then 0.1. Added to .grad one by one,
        # a second call would give (0.3 + 0.2) + 0.1 = 0.6, not twice 0.30000000000000004.
        x = Value(1.0)
        y = x * 0.1 + x * 0.2
        y.backward()
        assert x.grad == 0.30000000000000004
        y.backward()
        assert x.grad == 2 * 0.30000000000000004


class TestMemory:
    @pytest.mark.usefixtures("gc_off")
    def test_memory_stays_flat_over_many_steps(self) -> None:
        import tracemalloc

        w = [Value(0.1 * k) for k in range(20)]

        def step() -> None:
            for p in w:
                p.grad = 0.0
            loss = sum(((p * 1.5 - 0.25).tanh() ** 2 for p in w), Value(0.0))
            loss.backward()
            grad(loss, w)
            topological_order(loss)
            for p in w:
                p.data -= 0.01 * p.grad

        for _ in range(50):
            step()
        tracemalloc.start()
        try:
            for _ in range(50):
                step()
            before = tracemalloc.get_traced_memory()[0]
            for _ in range(2000):
                step()
            after = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
        assert after - before < 4096, after - before

    def test_a_chain_of_ten_million_nodes_frees_without_overflowing_the_stack(self) -> None:
        # The core frees iteratively; the reference's nodes rely on CPython's own trashcan (and
        # build ten times slower, so a million is its test).
        depth = 10**7 if backend() == "native" else 10**6
        code = (
            "from autograd import Value\n"
            "y = x = Value(1.0)\n"
            f"for _ in range({depth}):\n"
            "    y = -y\n"
            "del x\n"
            "del y\n"
            "print('freed')\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.strip() == "freed"

    def test_weak_references_work_and_die_with_the_node(self) -> None:
        x = Value(1.0)
        y = x * 2
        ref = weakref.ref(y)
        called: list[object] = []
        proxy = weakref.ref(x, called.append)
        assert ref() is y
        del y
        assert ref() is None
        del x
        assert proxy() is None
        assert len(called) == 1

    def test_the_core_s_nodes_are_not_tracked_by_the_cycle_collector(self) -> None:
        """Checked on the compiled core itself, whichever engine the run has chosen (the
        reference engine's nodes are ordinary Python objects, freed by reference counting)."""
        from autograd import _core

        x = _core.Value(1.0)
        y = (x + 1) * x.tanh() - 2.0 * x
        nodes = _core.topological_order(y)
        assert len(nodes) == 8 and not any(gc.is_tracked(node) for node in nodes)
