"""The two engines: choosing one, and the compiled core against the reference, bit for bit.

``make test`` runs the whole suite once per engine (``CHAINRULE_BACKEND=native`` and
``=python``); the tests here also hold the two side by side in one process.
"""

from __future__ import annotations

import math
import os
import struct
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import _pyengine, _pyvalue
from tests.autograd.expressions import N_VARS, Tree, trees, values, variable_values

CHOSEN = os.environ.get("CHAINRULE_BACKEND", "")

try:
    from autograd import _core
except ImportError:  # only acceptable when the reference engine is asked for
    if CHOSEN != "python":
        raise
    _core = None  # type: ignore[assignment]

needs_core = pytest.mark.skipif(_core is None, reason="the compiled core is not built")
points = st.lists(variable_values, min_size=N_VARS, max_size=N_VARS)


def bits(x: float) -> bytes:
    """Equal bits: the same float, signed zeros told apart (every nan counts as one)."""
    return b"nan" if math.isnan(x) else struct.pack("<d", x)


def run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter with the environment variables ``env`` set."""
    environment = {k: v for k, v in os.environ.items() if k != "CHAINRULE_BACKEND"} | env
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=600
    )


class TestChoosing:
    def test_backend_names_the_engine_in_use(self) -> None:
        expected = {"native": "native", "python": "python"}.get(CHOSEN)
        if expected is None:
            expected = "python" if _core is None else "native"
        assert autograd.backend() == expected
        engine = _pyvalue if expected == "python" else _core
        assert autograd.Value is engine.Value
        assert autograd.Constant is engine.Constant
        from autograd.value import constant

        assert constant is engine.constant

    def test_python_forces_the_reference(self) -> None:
        done = run(
            "import autograd, autograd._pyvalue as p; "
            "assert autograd.Value is p.Value; print(autograd.backend())",
            CHAINRULE_BACKEND="python",
        )
        assert done.stdout.strip() == "python", done.stderr

    def test_native_without_the_core_is_an_import_error_saying_how_to_build(self) -> None:
        hide = "import sys; sys.modules['autograd._core'] = None; import autograd"
        done = run(hide, CHAINRULE_BACKEND="native")
        assert done.returncode != 0
        assert "ImportError: CHAINRULE_BACKEND=native" in done.stderr
        assert "make setup" in done.stderr
        unset = run(hide + "; print(autograd.backend())")
        assert unset.stdout.strip() == "python", unset.stderr

    def test_an_unknown_choice_is_refused(self) -> None:
        done = run("import autograd", CHAINRULE_BACKEND="fortran")
        assert "CHAINRULE_BACKEND must be 'native' or 'python' (or unset), got 'fortran'" in (
            done.stderr
        )


def _nodes(root: Any, engine: Any) -> list[Any]:
    order: list[Any] = engine.topological_order(root)
    return order


@needs_core
class TestSameNumbersOnBothEngines:
    @settings(max_examples=300)
    @given(tree=trees(), point=points, seed=st.floats(-4, 4))
    def test_data_and_grads_are_bit_identical(
        self, tree: Tree, point: list[float], seed: float
    ) -> None:
        roots: list[tuple[Any, ...]] = []
        for kind, engine in ((_pyvalue.Value, _pyengine), (_core.Value, _core)):
            xs = [kind(x) for x in point]
            root = values(kind).evaluate(tree, xs)
            if not isinstance(root, kind):
                return  # a tree of constants only
            try:
                root.backward(seed)
                root.backward(seed)
            except ValueError as error:
                roots.append(("raises", str(error)))
                continue
            roots.append(
                (
                    "ok",
                    [(n.op, bits(n.data), bits(n.grad)) for n in _nodes(root, engine)],
                    [bits(g) for g in engine.gradients(root, xs)],
                )
            )
        assert roots[0] == roots[1]

    def test_errors_have_the_same_messages(self) -> None:
        cases: list[Callable[[Any], object]] = [
            lambda V: V(0.0).log(),
            lambda V: V(-1.0).sqrt(),
            lambda V: V(1.0) / 0,
            lambda V: (-2) ** V(0.5),
            lambda V: V(math.inf).sin(),
            lambda V: V(0.0).sqrt().backward(),
            lambda V: V("1"),
            lambda V: V(1.0) + None,
            lambda V: [1.0] * V(1.0),
            lambda V: V(1.0) < "2",
            lambda V: V(1.0, label=3),
            lambda V: V(10**400),
            lambda V: V(1.0).backward(gradient="1"),
            lambda V: setattr(V(1.0), "data", "2"),
            lambda V: setattr(V(1.0), "grad", None),
            lambda V: setattr(V(1.0), "label", b"x"),
            lambda V: setattr(V(1.0), "scope", 1),
            lambda V: __import__("pickle").dumps(V(1.0)),
            lambda V: __import__("copy").deepcopy(V(1.0)),
        ]
        for case in cases:
            messages = []
            for kind in (_pyvalue.Value, _core.Value):
                with pytest.raises((TypeError, ValueError)) as caught:
                    case(kind)
                messages.append((caught.type, str(caught.value)))
            assert messages[0] == messages[1]

    def test_reprs_and_docstrings_match(self) -> None:
        for kind in (_pyvalue.Value, _core.Value):
            v = kind(-1.5, "x")
            assert repr(v) == "Value(data=-1.5, grad=0.0, label='x')"
        for name in ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sin", "cos"):
            assert getattr(_core.Value, name).__doc__ == getattr(_pyvalue.Value, name).__doc__
