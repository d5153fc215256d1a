"""Value: construction, inspection, identity, operands, recording modes."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Constant, Value, enable_grad, is_grad_enabled, no_grad, scope

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


class TestConstruction:
    @pytest.mark.parametrize(
        ("data", "expected"),
        [
            (2, 2.0),
            (2.5, 2.5),
            (True, 1.0),
            (False, 0.0),
            (np.float64(1.25), 1.25),
            (np.float32(0.5), 0.5),
            (np.int64(-3), -3.0),
            (np.bool_(True), 1.0),
            (Fraction(1, 4), 0.25),
        ],
    )
    def test_real_numbers_are_stored_as_float(self, data: object, expected: float) -> None:
        v = Value(data)  # type: ignore[arg-type]
        assert type(v.data) is float
        assert v.data == expected

    @pytest.mark.parametrize(
        ("data", "type_name"),
        [
            ("1.0", "str"),
            (None, "NoneType"),
            (1 + 2j, "complex"),
            ([1.0], "list"),
            (np.array(1.0), "ndarray"),
            (np.array([1.0, 2.0]), "ndarray"),
            (np.complex128(1), "complex128"),
        ],
    )
    def test_anything_else_is_a_type_error_naming_the_type(
        self, data: object, type_name: str
    ) -> None:
        with pytest.raises(TypeError, match=rf"\b{type_name}\b"):
            Value(data)  # type: ignore[arg-type]

    def test_an_int_beyond_float_range_is_a_value_error(self) -> None:
        with pytest.raises(ValueError, match="Value data is too large for a float: int beyond"):
            Value(10**400)

    def test_a_value_is_not_data(self) -> None:
        with pytest.raises(TypeError, match="Value"):
            Value(Value(1.0))  # type: ignore[arg-type]

    @pytest.mark.parametrize("x", [math.nan, math.inf, -math.inf])
    def test_nan_and_infinities_are_accepted(self, x: float) -> None:
        assert Value(x).data == x or math.isnan(Value(x).data)

    def test_label_must_be_text(self) -> None:
        with pytest.raises(TypeError, match="label must be a str, got int"):
            Value(1.0, label=3)  # type: ignore[arg-type]

    def test_fresh_value_is_a_leaf(self) -> None:
        v = Value(2.0, "w")
        assert (v.data, v.grad, v.label, v.op, v.parents, v.is_leaf) == (
            2.0,
            0.0,
            "w",
            "",
            (),
            True,
        )

    def test_repr_shows_data_and_grad(self) -> None:
        assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"
        assert repr(Value(-1.5, "x")) == "Value(data=-1.5, grad=0.0, label='x')"


class TestIdentityAndComparison:
    def test_equality_and_hash_are_by_identity(self) -> None:
        a, b = Value(1.0), Value(1.0)
        assert a == a
        assert a != b
        assert len({a, b, a}) == 2
        assert {a: 1, b: 2}[b] == 2

    @given(x=finite, y=finite)
    def test_ordering_compares_data(self, x: float, y: float) -> None:
        a, b = Value(x), Value(y)
        assert (a < b, a <= b, a > b, a >= b) == (x < y, x <= y, x > y, x >= y)
        assert (a < y, a >= y) == (x < y, x >= y)
        assert type(a < b) is bool

    def test_float_and_item_give_data(self) -> None:
        assert float(Value(3.5)) == 3.5
        assert Value(3.5).item() == 3.5

    def test_comparison_with_text_is_a_type_error(self) -> None:
        with pytest.raises(TypeError, match="str"):
            _ = Value(1.0) < "2"  # type: ignore[operator]


class TestOperands:
    @given(x=finite, c=finite)
    def test_numbers_on_either_side_become_constant_nodes(self, x: float, c: float) -> None:
        v = Value(x)
        for out, order in [(v + c, 0), (c + v, 1), (v * c, 0), (c * v, 1), (v - c, 0), (c - v, 1)]:
            const = out.parents[1 - order]
            assert out.parents[order] is v
            assert isinstance(const, Constant)
            assert const.data == c

    def test_reflected_operations_compute_in_operand_order(self) -> None:
        v = Value(4.0)
        assert (10 - v).data == 6.0
        assert (10 / v).data == 2.5
        assert (2**v).data == 16.0
        assert (2**v).op == "**"

    def test_numpy_scalars_on_the_left_defer_to_value(self) -> None:
        v = Value(3.0)
        out = np.float64(2.0) * v
        assert isinstance(out, Value)
        assert out.data == 6.0

    @pytest.mark.parametrize("other", ["2", None, [1.0], 1j])
    def test_unsupported_operand_is_a_type_error_naming_it(self, other: object) -> None:
        with pytest.raises(TypeError, match=type(other).__name__):
            _ = Value(1.0) + other  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=type(other).__name__):
            _ = other * Value(1.0)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        "method", ["exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sin", "cos"]
    )
    @pytest.mark.parametrize("argument", [2.0, None])
    def test_a_unary_method_takes_no_argument_and_names_itself(
        self, method: str, argument: object
    ) -> None:
        with pytest.raises(TypeError, match=rf"Value\.{method}\(\) takes"):
            getattr(Value(1.0), method)(argument)

    def test_unary_plus_records_a_node(self) -> None:
        v = Value(2.0)
        out = +v
        assert out is not v
        assert (out.op, out.parents, out.data) == ("pos", (v,), 2.0)

    def test_detach_is_a_new_leaf_with_the_same_data(self) -> None:
        y = Value(2.0) * 3
        d = y.detach()
        assert (d.data, d.parents, d.op) == (6.0, (), "")
        assert d is not y


class TestNoGrad:
    def test_operations_inside_record_nothing(self) -> None:
        x = Value(2.0)
        with no_grad():
            assert not is_grad_enabled()
            y = (x * 3).exp()
        assert is_grad_enabled()
        assert (y.op, y.parents, y.is_leaf) == ("", (), True)
        assert y.data == pytest.approx(math.exp(6.0))

    def test_enable_grad_inside_no_grad_records_again(self) -> None:
        x = Value(2.0)
        with no_grad(), enable_grad():
            y = x * 3
        assert y.parents[0] is x

    def test_mode_is_restored_after_an_exception(self) -> None:
        with pytest.raises(RuntimeError), no_grad():
            raise RuntimeError
        assert is_grad_enabled()
        assert (Value(1.0) + 1).op == "+"

    def test_works_as_a_decorator(self) -> None:
        @no_grad()
        def f(v: Value) -> Value:
            return v * 2

        assert f(Value(1.0)).is_leaf

    def test_no_grad_in_one_thread_leaves_other_threads_recording(self) -> None:
        inside, recorded = threading.Barrier(2), threading.Barrier(2)
        results: dict[str, Value] = {}

        def quiet() -> None:
            with no_grad():
                inside.wait()  # the other thread now computes while this one is in no_grad
                recorded.wait()
                results["quiet"] = Value(1.0) * 2

        def loud() -> None:
            inside.wait()
            results["loud"] = Value(1.0) * 2
            recorded.wait()

        threads = [threading.Thread(target=quiet), threading.Thread(target=loud)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
        assert results["loud"].op == "*"
        assert results["quiet"].op == ""


class TestScope:
    def test_values_created_in_a_scope_carry_it_and_names_nest(self) -> None:
        with scope("layers.0"):
            w = Value(1.0)
            with scope("neurons.3"):
                y = w * 2
        assert (w.scope, y.scope, y.parents[1].scope) == (
            "layers.0",
            "layers.0.neurons.3",
            "layers.0.neurons.3",
        )
        assert Value(1.0).scope == ""

    def test_scope_name_must_be_text(self) -> None:
        with pytest.raises(TypeError, match="scope name must be a str, got int"):
            scope(1)  # type: ignore[arg-type]


class TestNumbersOnBothSides:
    SCALARS = (2, 2.5, True, np.float64(1.25), np.float32(0.5), np.int64(3), np.bool_(True))
    OPERATORS: tuple[Callable[[Any, Any], Any], ...] = (
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a * b,
        lambda a, b: a / b,
        lambda a, b: a**b,
    )

    @pytest.mark.parametrize("number", SCALARS, ids=lambda x: type(x).__name__)
    def test_every_operator_takes_a_number_on_either_side(self, number: object) -> None:
        v = Value(1.5)
        c = float(number)  # type: ignore[arg-type]
        for apply in self.OPERATORS:
            right, left = apply(v, number), apply(number, v)
            assert isinstance(right, Value)
            assert isinstance(left, Value)  # NumPy scalars on the left defer to Value
            assert right.data == apply(1.5, c)
            assert left.data == apply(c, 1.5)
            assert right.parents[0] is v
            assert left.parents[1] is v
            assert isinstance(left.parents[0], Constant)

    def test_bools_are_numbers(self) -> None:
        v = Value(True)
        assert (v.data, (v + True).data, (False * v).data) == (1.0, 2.0, 0.0)


class TestAttributes:
    @pytest.mark.parametrize(
        "number", [3, True, np.float32(0.25), np.int64(2), Fraction(1, 2)], ids=repr
    )
    def test_data_and_grad_assigned_become_floats(self, number: object) -> None:
        v = Value(1.0)
        v.data = number  # type: ignore[assignment]
        v.grad = number  # type: ignore[assignment]
        assert type(v.data) is float
        assert type(v.grad) is float
        assert v.data == v.grad == float(number)  # type: ignore[arg-type]

    def test_backward_after_an_optimizer_step_in_float32(self) -> None:
        p = Value(0.5)
        p.data -= 0.1 * np.float32(2.0)
        p.data = 1  # an int, as a user might write
        y = p.cos()
        y.backward()
        assert p.grad == -math.sin(1.0)

    @pytest.mark.parametrize("bad", ["2", None, [1.0], 1j])
    def test_anything_else_assigned_is_a_type_error_naming_it(self, bad: object) -> None:
        v = Value(1.0)
        with pytest.raises(
            TypeError, match=f"Value data must be a real number.*{type(bad).__name__}"
        ):
            v.data = bad  # type: ignore[assignment]
        with pytest.raises(
            TypeError, match=f"Value grad must be a real number.*{type(bad).__name__}"
        ):
            v.grad = bad  # type: ignore[assignment]
        assert (v.data, v.grad) == (1.0, 0.0)

    def test_label_and_scope_hold_plain_text(self) -> None:
        class Name(str):
            pass

        v = Value(1.0, label=Name("w"))
        v.scope = Name("layers.0")
        assert (type(v.label), type(v.scope)) == (str, str)
        assert (v.label, v.scope) == ("w", "layers.0")
        with pytest.raises(TypeError, match="label must be a str, got int"):
            v.label = 3  # type: ignore[assignment]
        with pytest.raises(TypeError, match="scope must be a str, got NoneType"):
            v.scope = None  # type: ignore[assignment]

    def test_op_and_parents_cannot_be_reassigned(self) -> None:
        v = Value(1.0) * 2
        with pytest.raises(AttributeError):
            v.op = "+"  # type: ignore[misc]
        with pytest.raises(AttributeError):
            v.parents = ()  # type: ignore[misc]

    def test_values_are_never_pickled_or_copied(self) -> None:
        import copy
        import pickle

        v = Value(1.0)
        for attempt in (pickle.dumps, copy.copy, copy.deepcopy):
            with pytest.raises(TypeError, match="cannot be pickled or copied: use .detach()"):
                attempt(v)

    def test_constant_can_be_subclassed(self) -> None:
        class Named(Constant):
            pass

        c = Named(2.0)
        y = Value(3.0) * c
        assert isinstance(c, Constant)
        assert isinstance(c, Value)
        assert y.parents[1] is c
        assert y.data == 6.0
        y.backward()
        assert c.grad == 3.0
        assert repr(c) == "Value(data=2.0, grad=3.0)"


class TestScopeAtEntry:
    def test_a_scope_made_early_nests_where_it_is_entered(self) -> None:
        inner = scope("inner")
        with scope("outer"), inner:
            v = Value(1.0)
        with inner:
            w = Value(1.0)
        assert (v.scope, w.scope) == ("outer.inner", "inner")

    def test_a_decorator_takes_the_scope_of_each_call(self) -> None:
        @scope("neuron")
        def make() -> Value:
            return Value(1.0) * 2

        with scope("layer.0"):
            first = make()
        with scope("layer.1"):
            second = make()
        assert (first.scope, second.scope, make().scope) == (
            "layer.0.neuron",
            "layer.1.neuron",
            "neuron",
        )

    def test_one_scope_entered_by_two_threads_joins_each_threads_own(self) -> None:
        shared = scope("shared")
        entered = threading.Barrier(2)
        results: dict[str, str] = {}

        def work(name: str) -> None:
            with scope(name), shared:
                entered.wait()
                results[name] = (Value(1.0) + 1).scope

        threads = [threading.Thread(target=work, args=(n,)) for n in ("a", "b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
        assert results == {"a": "a.shared", "b": "b.shared"}
