"""Traced tapes: record a function's graph once, on one sample, and replay it over a batch.

A training step builds the same graph for every sample; only the numbers change. ``trace(f,
*example)`` runs ``f`` once on Values and flattens the graph it built into a program: one
instruction per operation (an op code, the index of the operation in ``autograd.rules.RULES``,
and the slots of its operands), over slots that hold the inputs, the captured leaves (Values
``f`` read from outside its arguments, such as a model's parameters, read afresh at every call),
the constants and then every operation's result. ``tape(*batch)`` runs the program over a whole
batch at once and ``tape.backward()`` runs the chain rule backwards over it, adding the batch's
gradient to the captured leaves' ``.grad``.

What a tape can and cannot see:

- Comparisons of Values made while tracing (``<``, ``<=``, ``>``, ``>=``) are *guards*: the
  tape records each outcome, and a replay in which any sample would take the other branch raises
  ``TraceError`` naming the sample.
- Operations with a kink (``relu``, ``abs``) are not branches: they replay as masks, sample by
  sample, exactly as the eager engine computes them.
- Reading ``.data`` (or ``float(v)``) inside ``f`` cannot be guarded: the number read while
  tracing is baked into the tape as a constant. ``trace(lambda x: x * x.data, 2.0)`` records
  ``x * 2.0``, so on the sample 3.0 the tape returns 6.0 where the eager engine gives 9.0. Write
  branches as comparisons of Values, and let ``f`` compute only with Values.
- The same goes for what ``f`` computes under ``no_grad()``: it records no graph, so its result
  is a leaf holding the example's number (a captured leaf, which nothing updates).

With the compiled core (``autograd.backend() == "native"``) the program runs in C,
``autograd/_native/tape.c``, each instruction a loop over the batch with the rule table's math
as ``ops.h`` transcribes it, so the values are bit for bit the eager engine's. With the
reference engine it runs with NumPy, one array operation per group of independent instructions
(all the instructions of one operation at one depth of the graph).
"""

from __future__ import annotations

import numbers
import operator
import threading
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from autograd._backend import backend
from autograd._number import counted
from autograd.mode import enable_grad, recording_comparisons
from autograd.rules import RULES
from autograd.value import Constant, Value, as_float

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Array = NDArray[np.float64]
    Index = NDArray[np.intp]
else:
    Array = Index = Any
Rows = slice | Index

_DATA = operator.attrgetter("data")

# Op code k is the k-th operation of the rule table.
OPS: tuple[str, ...] = tuple(RULES)
CODES: dict[str, int] = {op: k for k, op in enumerate(OPS)}
COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class TraceError(RuntimeError):
    """A replayed sample would take another branch than the traced example took.

    ``sample`` is the 0-based index of the first such sample in the batch; ``comparison``
    says which comparison it decides otherwise, and how (empty when not known).
    """

    def __init__(self, message: str, sample: int, comparison: str = "") -> None:
        super().__init__(message)
        self.sample = sample
        self.comparison = comparison


@dataclass(frozen=True)
class Guard:
    """A comparison made while tracing: ``left op right`` was ``outcome`` on the example.

    ``left`` is a slot; the right-hand side is the slot ``right`` when it was a Value (else
    ``right`` is -1 and ``number`` holds it).
    """

    op: str
    left: int
    right: int
    number: float
    outcome: bool


@dataclass(frozen=True)
class Group:
    """Instructions of one operation whose operands were all computed before any of them runs:
    their results fill the slots ``start:stop``, their operands are ``a[k]`` and ``b[k]``."""

    op: str
    start: int
    stop: int
    a: Index
    b: Index | None


def trace(f: Callable[..., Value], *example: object) -> Tape:
    """Record ``f`` on one example and return the ``Tape`` that replays it over batches.

    Each example argument is a number or a flat sequence of numbers; ``f`` receives a Value or
    a list of Values in the same shape and must return one Value. Values ``f`` reads from
    outside its arguments (a model's parameters) become the tape's captured leaves, read at
    every call. Comparisons of Values inside ``f`` become guards (see ``TraceError``).

    Reading ``.data`` inside ``f`` cannot be guarded: the number read on the example is baked in
    as a constant (``trace(lambda x: x * x.data, 2.0)`` replays as ``x * 2.0``, giving 6.0 on
    the sample 3.0 where the eager engine gives 9.0). Nor can a ``no_grad()`` block inside ``f``:
    what it computes is recorded as a leaf holding the example's number.
    """
    if not callable(f):
        raise TypeError(f"trace needs a callable, got {type(f).__name__}")
    if not example:
        raise TypeError("trace needs at least one example argument for f")
    widths: list[int | None] = []
    arguments: list[Value | list[Value]] = []
    inputs: list[Value] = []
    for k, arg in enumerate(example):
        numbers_k = _example_numbers(arg, k)
        if numbers_k is None:
            leaf = Value(as_float(arg, f"trace example argument {k}"), f"arg{k}")
            widths.append(None)
            arguments.append(leaf)
            inputs.append(leaf)
        else:
            leaves = [Value(x, f"arg{k}[{i}]") for i, x in enumerate(numbers_k)]
            widths.append(len(leaves))
            arguments.append(leaves)
            inputs.extend(leaves)
    with enable_grad(), recording_comparisons() as comparisons:
        out = f(*arguments)
    if not isinstance(out, Value):
        raise TypeError(f"trace: f must return one Value, got {type(out).__name__}")
    return Tape(out, widths, inputs, comparisons)


def _example_numbers(arg: object, k: int) -> list[float] | None:
    """The numbers of a sequence argument, or None for a single number."""
    if isinstance(arg, numbers.Real) or not hasattr(arg, "__len__"):
        return None  # a number (as_float says what is wrong with anything else)
    if isinstance(arg, str | bytes | Mapping | Set):  # a set's or a dict's order is not f's
        raise TypeError(
            f"trace example argument {k} must be a number or a flat sequence of numbers, "
            f"got {type(arg).__name__}"
        )
    items: Sequence[object] = arg  # type: ignore[assignment]
    return [as_float(x, f"trace example argument {k}[{i}]") for i, x in enumerate(items)]


def _walk(roots: Sequence[Value]) -> list[Value]:
    """Every node reachable from ``roots``, each after its parents (by the node protocol)."""
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False) for root in reversed(roots)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        stack.extend((p, False) for p in reversed(node.parents) if p not in seen)
    return order


class Tape:
    """A traced function as a flat program, replayed over batches (made by ``trace``).

    ``tape(*batch)`` returns f's output for every sample; ``tape.backward(weights)`` then adds
    the batch's gradient to every captured leaf's ``.grad``. ``tape.graph`` is the recorded
    one-sample graph (``draw_dot(tape.graph)`` draws it), and ``tape.values(node)`` gives any of
    its nodes' values in the last call.

    The program: instruction i computes slot ``first_node + i`` as operation ``OPS[codes[i]]``
    of the slots ``a[i]`` and ``b[i]`` (-1 for a unary operation). The slots before
    ``first_node`` hold the inputs (argument by argument), the captured ``leaves`` and the
    ``constants``; ``guards`` are the comparisons made while tracing, and ``replay`` says
    whether the program runs in C or with NumPy. Calls from several threads take turns.
    """

    def __init__(
        self,
        out: Value,
        widths: list[int | None],
        inputs: list[Value],
        comparisons: list[tuple[str, object, object, bool]],
    ) -> None:
        self.graph = out
        self.widths = tuple(widths)
        compared = [x for _, left, right, _ in comparisons for x in (left, right)]
        order = _walk([out, *(x for x in compared if isinstance(x, Value))])
        input_set = set(inputs)
        leaves: list[Value] = []
        constants: list[Value] = []
        nodes: list[Value] = []
        for node in order:
            if node.parents:
                nodes.append(node)
            elif node in input_set:
                continue
            elif isinstance(node, Constant):
                constants.append(node)
            else:
                leaves.append(node)
        # Depth of each node: one more than its deepest operand (leaves are 0). Ordering the
        # nodes by depth, then operation, is a topological order in which each group of
        # independent instructions of one operation fills consecutive slots.
        depth: dict[Value, int] = {}
        for node in nodes:
            depth[node] = 1 + max(depth.get(p, 0) for p in node.parents)
        nodes.sort(key=lambda n: (depth[n], CODES[n.op]))
        # Leaves in the order the program first reads them, so that a group's operands are
        # often consecutive slots too (a layer's weights), which NumPy reads as one view.
        used = {p: None for node in nodes for p in node.parents}
        leaves = [p for p in used if p in set(leaves)] + [p for p in leaves if p not in used]
        self.leaves: tuple[Value, ...] = tuple(leaves)
        self.constants: tuple[float, ...] = tuple(c.data for c in constants)
        slot: dict[Value, int] = {}
        for node in (*inputs, *leaves, *constants):
            slot.setdefault(node, len(slot))
        self.n_inputs = len(inputs)
        self.first_node = len(slot)
        for node in nodes:
            slot[node] = len(slot)
        self.n_slots = len(slot)
        self.codes = [CODES[n.op] for n in nodes]
        self.a = [slot[n.parents[0]] for n in nodes]
        self.b = [slot[n.parents[1]] if len(n.parents) == 2 else -1 for n in nodes]
        self.output = slot[out]
        self.slots = slot
        self.depths = [depth[n] for n in nodes]
        self.guards = [
            Guard(
                op,
                slot[left],
                slot[right] if isinstance(right, Value) else -1,
                0.0 if isinstance(right, Value) else as_float(right, "comparison operand"),
                outcome,
            )
            for op, left, right, outcome in comparisons
            if isinstance(left, Value)
        ]
        self.live = _ancestors(self)
        self._plan: _NumpyPlan | None = None
        self._compiled: _CompiledPlan | None = None
        self._buffers: tuple[Array, Array] | None = None  # values and adjoints
        self._last: tuple[Array, int] | None = None
        self._lock = threading.Lock()

    # --- inspection ----------------------------------------------------------------------------

    def __repr__(self) -> str:
        return (
            f"Tape({counted(len(self.codes), 'operation')}, {counted(self.n_inputs, 'input')}, "
            f"{counted(len(self.leaves), 'captured leaf', 'captured leaves')}, "
            f"{counted(len(self.constants), 'constant')}, {counted(len(self.guards), 'guard')})"
        )

    def __len__(self) -> int:
        """The number of operations (instructions) in the program."""
        return len(self.codes)

    def values(self, node: Value) -> Array:
        """The values the last call computed for ``node`` of the recorded graph, one per sample."""
        if self._last is None:
            raise RuntimeError("tape.values needs a successful call of the tape first")
        if node not in self.slots:
            raise ValueError(f"{node!r} is not a node of this tape's recorded graph")
        values, _ = self._last
        row: Array = values[self.slots[node]].copy()
        return row

    # --- replay --------------------------------------------------------------------------------

    def __call__(self, *batch: object) -> Array:
        """f's output for every sample of the batch: an array of shape (B,)."""
        with self._lock:  # one call or backward at a time: they share the tape's buffers
            return self._call(batch)

    def _call(self, batch: tuple[object, ...]) -> Array:
        import numpy as np

        self._last = None
        if len(batch) != len(self.widths):
            raise TypeError(
                f"the tape takes {counted(len(self.widths), 'argument')}, as f did when traced; "
                f"got {len(batch)}"
            )
        arrays = [
            _batch_array(arg, k, width)
            for k, (arg, width) in enumerate(zip(batch, self.widths, strict=True))
        ]
        size = arrays[0].shape[0]
        for k, array in enumerate(arrays[1:], start=1):
            if array.shape[0] != size:
                raise ValueError(
                    f"tape argument {k} has {array.shape[0]} samples but argument 0 has {size}"
                )
        # The buffers stay from call to call (as long as the batch size does): fresh pages
        # of a few megabytes cost more to fault in than the replay takes to fill them.
        if self._buffers is None or self._buffers[0].shape[1] != size:
            self._buffers = (np.empty((self.n_slots, size)), np.empty((self.n_slots, size)))
        values = self._buffers[0]
        row = 0
        for array in arrays:
            n = 1 if array.ndim == 1 else array.shape[1]
            values[row : row + n] = array.T if array.ndim == 2 else array
            row += n
        n_leaves = len(self.leaves)
        if n_leaves:
            values[row : row + n_leaves] = self._leaf_data(n_leaves)[:, None]
            row += n_leaves
        if self.constants:
            values[row : self.first_node] = np.array(self.constants)[:, None]
        self._replay().forward(values)
        self._last = (values, size)
        result: Array = values[self.output].copy()
        return result

    def _leaf_data(self, n: int) -> Array:
        """The captured leaves' data now, as an array."""
        import numpy as np

        try:
            data: Array = np.fromiter(map(_DATA, self.leaves), np.float64, n)
        except (TypeError, ValueError):  # say which leaf holds what
            data = np.array([as_float(leaf.data, "a captured leaf's data") for leaf in self.leaves])
        return data

    def backward(self, weights: object = None) -> None:
        """Add to every captured leaf's ``.grad`` the sum over the last batch of
        ``weights[s] * d out_s / d leaf`` (weights default to 1). Nothing changes on an error."""
        with self._lock:
            self._backward(weights)

    def _backward(self, weights: object) -> None:
        import numpy as np

        if self._last is None:
            raise RuntimeError("tape.backward needs a successful call of the tape first")
        values, size = self._last
        if weights is None:
            seed = np.ones(size)
        else:
            seed = _float_array(weights, "tape.backward weights")
            if seed.shape != (size,):
                raise ValueError(
                    f"tape.backward weights must have shape ({size},), one per sample of the "
                    f"last call; got shape {seed.shape}"
                )
            finite = np.isfinite(seed)
            if not finite.all():
                s = int(np.argmin(finite))
                raise ValueError(
                    f"tape.backward weights must be finite; weight {s} is {float(seed[s])!r}"
                )
        assert self._buffers is not None
        adjoints = self._buffers[1]
        adjoints.fill(0.0)
        adjoints[self.output] = seed
        self._replay().backward(values, adjoints)
        start = self.n_inputs
        sums = adjoints[start : start + len(self.leaves)].sum(axis=1).tolist()
        for leaf, total in zip(self.leaves, sums, strict=True):
            leaf.grad += total

    @property
    def replay(self) -> str:
        """Which replay runs this tape: ``"compiled"`` (C) or ``"numpy"``."""
        return "numpy" if _compiled_module() is None else "compiled"

    def _replay(self) -> _NumpyPlan | _CompiledPlan:
        module = _compiled_module()
        if module is None:
            if self._plan is None:
                self._plan = _NumpyPlan(self)
            return self._plan
        if self._compiled is None:
            self._compiled = _CompiledPlan(self, module)
        return self._compiled

    def _check_guards(self, guards: Sequence[Guard], values: Array) -> None:
        """Raise TraceError for the first sample on which any of ``guards`` takes the other
        branch."""
        np = _np()
        for guard in guards:
            left = values[guard.left]
            right = values[guard.right] if guard.right >= 0 else guard.number
            wrong = COMPARISONS[guard.op](left, right) != guard.outcome
            if wrong.any():
                s = int(np.argmax(wrong))
                r = float(values[guard.right, s]) if guard.right >= 0 else guard.number
                raise self._guard_error(guard, s, float(left[s]), r)

    def _guard_ready(self, guard: Guard) -> int:
        """The instruction after which ``guard`` can be checked (-1: before any)."""
        return max(guard.left, guard.right, self.first_node - 1) - self.first_node

    # --- messages ------------------------------------------------------------------------------

    def _describe(self, slot: int) -> str:
        """How a message names the Value in ``slot``."""
        if slot < self.n_inputs:
            k, i = self._argument_of(slot)
            return f"argument {k}" if i is None else f"argument {k}[{i}]"
        if slot < self.n_inputs + len(self.leaves):
            leaf = self.leaves[slot - self.n_inputs]
            return f"captured leaf {leaf.label!r}" if leaf.label else "a captured leaf"
        if slot < self.first_node:
            return repr(self.constants[slot - self.n_inputs - len(self.leaves)])
        op = OPS[self.codes[slot - self.first_node]]
        return f"the result of {op}"

    def _argument_of(self, slot: int) -> tuple[int, int | None]:
        row = 0
        for k, width in enumerate(self.widths):
            n = 1 if width is None else width
            if slot < row + n:
                return k, None if width is None else slot - row
            row += n
        raise AssertionError(slot)

    def _domain_error(self, instruction: int, sample: int, values: Array) -> ValueError:
        """The rule table's own ValueError for an instruction at a sample, naming the sample."""
        op = OPS[self.codes[instruction]]
        operands = [float(values[self.a[instruction], sample])]
        if self.b[instruction] >= 0:
            operands.append(float(values[self.b[instruction], sample]))
        try:
            RULES[op].value(*operands)
        except ValueError as error:
            return _at_sample(ValueError(f"{error} (sample {sample})"), str(error), sample)
        raise AssertionError(f"{op} of {operands} has no domain error")

    def _derivative_error(
        self, instruction: int, sample: int, values: Array, adjoint: float
    ) -> ArithmeticError | ValueError:
        """The rule table's own ValueError for an undefined derivative, naming the sample."""
        op = OPS[self.codes[instruction]]
        operands = [float(values[self.a[instruction], sample])]
        if self.b[instruction] >= 0:
            operands.append(float(values[self.b[instruction], sample]))
        out = float(values[self.first_node + instruction, sample])
        try:
            RULES[op].vjp(adjoint, out, *operands)
        except (ArithmeticError, ValueError) as error:
            return _at_sample(type(error)(f"{error} (sample {sample})"), str(error), sample)
        raise AssertionError(f"the derivative of {op} at {operands} is defined")

    def _guard_error(self, guard: Guard, sample: int, left: float, right: float) -> TraceError:
        """The TraceError for a sample that disagrees with a guard."""
        right_name = self._describe(guard.right) if guard.right >= 0 else repr(guard.number)
        comparison = (
            f"f compared {self._describe(guard.left)} {guard.op} {right_name}, which was "
            f"{guard.outcome} when traced but is {not guard.outcome} for this sample "
            f"({left!r} {guard.op} {right!r})"
        )
        return TraceError(
            f"sample {sample} takes another branch than the traced example: "
            f"{comparison.replace('this sample', f'sample {sample}')}; trace f again on that "
            "sample, or write the branch without a comparison",
            sample,
            comparison,
        )


_E = TypeVar("_E", bound=Exception)


def _at_sample(error: _E, reason: str, sample: int) -> _E:
    """``error`` with ``.sample`` and ``.reason`` (its message without the sample), so that a
    caller such as ``nn.train`` can say which sample of its own data it was."""
    error.sample = sample  # type: ignore[attr-defined]
    error.reason = reason  # type: ignore[attr-defined]
    return error


def _ancestors(tape: Tape) -> list[bool]:
    """For each instruction, whether the output depends on it (the rest feed only guards)."""
    live = [False] * len(tape.codes)
    needed = [False] * tape.n_slots
    needed[tape.output] = True
    first = tape.first_node
    for i in range(len(tape.codes) - 1, -1, -1):
        if needed[first + i]:
            live[i] = True
            needed[tape.a[i]] = True
            if tape.b[i] >= 0:
                needed[tape.b[i]] = True
    return live


def _float_array(x: object, what: str) -> Array:
    import numpy as np

    try:
        array = np.asarray(x)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{what} must be an array of real numbers: {error}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{what} must hold real numbers, got dtype {array.dtype}")
    return array.astype(np.float64, copy=False)


def _batch_array(x: object, k: int, width: int | None) -> Array:
    """Argument ``k`` of a batch as a float array of shape (B,) or (B, width)."""
    array = _float_array(x, f"tape argument {k}")
    if width is None:
        if array.ndim != 1:
            raise ValueError(
                f"tape argument {k} must have shape (B,), one number per sample (f took a "
                f"number there); got shape {array.shape}"
            )
    elif array.ndim != 2 or array.shape[1] != width:
        raise ValueError(
            f"tape argument {k} must have shape (B, {width}), one sequence of {width} per "
            f"sample (f took {width} numbers there); got shape {array.shape}"
        )
    return array


# --- the NumPy replay ----------------------------------------------------------------------------
#
# Forward values and local derivatives on arrays. Where a rule of the table is plain arithmetic,
# it already works on arrays and is used as it is; only the rules that branch on a number or call
# a float function (division's check, **, abs, sqrt, relu, sin, cos, and the functions of math)
# need a NumPy statement here, and tests/autograd/test_tape.py checks each against the table's
# rule, element by element, so the two cannot drift. A domain error is found with the predicate
# below and then raised by the table's own rule at the offending sample, with its own message.


def _np() -> Any:
    import numpy as np

    return np


def _sigmoid(a: Array) -> Any:
    np = _np()
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _array_values() -> dict[str, Callable[..., Any]]:
    np = _np()
    table: dict[str, Callable[..., Any]] = {
        op: RULES[op].value for op in ("+", "-", "*", "neg", "pos", "abs")
    }
    table.update(
        {
            "/": np.divide,
            "**": np.power,
            "exp": np.exp,
            "log": np.log,
            "sqrt": np.sqrt,
            "tanh": np.tanh,
            "sigmoid": _sigmoid,
            "relu": lambda a: np.where(a <= 0, 0.0, a),
            "sin": np.sin,
            "cos": np.cos,
        }
    )
    return table


def _not_integer(b: Array) -> Any:
    np = _np()
    return ~np.isfinite(b) | (np.floor(b) != b)


# Where the forward value is outside the domain: the samples the table's rule refuses.
def _domains() -> dict[str, Callable[..., Any]]:
    np = _np()
    return {
        "/": lambda a, b: b == 0,
        "**": lambda a, b: ((a == 0) & (b < 0)) | ((a < 0) & _not_integer(b)),
        "log": lambda a: a <= 0,
        "sqrt": lambda a: a < 0,
        "sin": np.isinf,
        "cos": np.isinf,
    }


def _pow_vjp(g: Array, out: Array, a: Array, b: Array) -> tuple[Array, Array]:
    np = _np()
    positive = a > 0
    da = np.where((a == 0) & (b < 1), 0.0, g * b * np.power(a, b - 1))
    db = np.where(positive, g * out * np.log(np.where(positive, a, 1.0)), 0.0)
    return da, db


def _array_vjps() -> dict[str, Callable[..., tuple[Array, ...]]]:
    np = _np()
    table: dict[str, Callable[..., tuple[Array, ...]]] = {
        op: RULES[op].vjp
        for op in ("+", "-", "*", "/", "neg", "pos", "exp", "log", "tanh", "sigmoid")
    }
    table.update(
        {
            "**": _pow_vjp,
            "abs": lambda g, out, a: (g * np.sign(a),),
            "sqrt": lambda g, out, a: (g / (2.0 * out),),
            "relu": lambda g, out, a: (np.where(a > 0, g, 0.0),),
            "sin": lambda g, out, a: (g * np.cos(a),),
            "cos": lambda g, out, a: (-g * np.sin(a),),
        }
    )
    return table


# Where a local derivative does not exist: the samples the table's vjp refuses.
DERIVATIVE_DOMAINS: dict[str, Callable[..., Any]] = {
    "**": lambda out, a, b: (a == 0) & (b < 1) & (b != 0),
    "sqrt": lambda out, a: out == 0,
}


class _NumpyPlan:
    """The program cut into groups of independent instructions, for array-at-a-time replay."""

    def __init__(self, tape: Tape) -> None:
        np = _np()
        self.tape = tape
        self.values = _array_values()
        self.vjps = _array_vjps()
        self.domains = _domains()
        first = tape.first_node
        groups: list[Group] = []
        self.reads: list[tuple[Rows, Rows | None]] = []  # each group's operands, as read
        i = 0
        n = len(tape.codes)
        while i < n:
            j = i
            while j < n and (tape.codes[j], tape.depths[j]) == (tape.codes[i], tape.depths[i]):
                j += 1
            a = np.array(tape.a[i:j], dtype=np.intp)
            b = np.array(tape.b[i:j], dtype=np.intp) if tape.b[i] >= 0 else None
            groups.append(Group(OPS[tape.codes[i]], first + i, first + j, a, b))
            self.reads.append((_rows(a), None if b is None else _rows(b)))
            i = j
        self.groups = groups
        # Guards are checked after the group that computes the last of their operands.
        self.guards_after: dict[int, list[Guard]] = {}
        self.early_guards: list[Guard] = []
        for guard in tape.guards:
            ready = first + tape._guard_ready(guard)
            if ready < first:
                self.early_guards.append(guard)
                continue
            k = next(k for k, g in enumerate(groups) if g.start <= ready < g.stop)
            self.guards_after.setdefault(k, []).append(guard)
        # Backward: only the instructions the output depends on, with each operand's
        # contributions summed per slot (an operand may appear several times in a group).
        self.backward_groups = []
        live = np.array(tape.live, dtype=bool)
        for group in reversed(groups):
            rows = np.nonzero(live[group.start - first : group.stop - first])[0]
            if rows.size == 0:
                continue
            every = rows.size == group.stop - group.start
            outs: slice | Index = slice(group.start, group.stop) if every else group.start + rows
            a = group.a if every else group.a[rows]
            b = None if group.b is None else group.b if every else group.b[rows]
            self.backward_groups.append(
                (
                    group,
                    outs,
                    _rows(a),
                    None if b is None else _rows(b),
                    _Scatter(a),
                    None if b is None else _Scatter(b),
                )
            )

    def forward(self, values: Array) -> None:
        np = _np()
        first = self.tape.first_node
        self.tape._check_guards(self.early_guards, values)
        with np.errstate(all="ignore"):
            for k, (group, (a, b)) in enumerate(zip(self.groups, self.reads, strict=True)):
                operands = (values[a],) if b is None else (values[a], values[b])
                domain = self.domains.get(group.op)
                if domain is not None:
                    bad = domain(*operands)
                    if bad.any():
                        row, sample = divmod(int(np.argmax(bad)), values.shape[1])
                        raise self.tape._domain_error(group.start - first + row, sample, values)
                values[group.start : group.stop] = self.values[group.op](*operands)
                guards = self.guards_after.get(k)
                if guards:
                    self.tape._check_guards(guards, values)

    def backward(self, values: Array, adjoints: Array) -> None:
        np = _np()
        tape = self.tape
        first = tape.first_node
        with np.errstate(all="ignore"):
            for group, outs, a, b, scatter_a, scatter_b in self.backward_groups:
                g = adjoints[outs]
                out = values[outs]
                operands = (values[a],) if b is None else (values[a], values[b])
                undefined = DERIVATIVE_DOMAINS.get(group.op)
                if undefined is not None:
                    bad = undefined(out, *operands)
                    if bad.any():
                        row, sample = divmod(int(np.argmax(bad)), values.shape[1])
                        slot = group.start + row if isinstance(outs, slice) else int(outs[row])
                        raise tape._derivative_error(
                            slot - first, sample, values, float(adjoints[slot, sample])
                        )
                local = self.vjps[group.op](g, out, *operands)
                scatter_a.add(adjoints, local[0])
                if scatter_b is not None:
                    scatter_b.add(adjoints, local[1])


def _rows(index: Index) -> Rows:
    """Row indices as a slice when they step evenly (NumPy then reads a view, not a copy)."""
    np = _np()
    if len(index) == 0:
        return index
    step = int(index[1] - index[0]) if len(index) > 1 else 1
    if step >= 1 and bool((np.diff(index) == step).all()):
        return slice(int(index[0]), int(index[-1]) + 1, step)
    return index


class _Scatter:
    """``adjoints[index[k]] += rows[k]`` for every k, also where ``index`` repeats a slot."""

    def __init__(self, index: Index) -> None:
        np = _np()
        self.index = _rows(index)
        self.unique = len(set(index.tolist())) == len(index)
        if not self.unique:
            self.order = np.argsort(index, kind="stable")
            self.slots, self.starts = np.unique(index[self.order], return_index=True)

    def add(self, adjoints: Array, rows: Array) -> None:
        np = _np()
        if self.unique:
            adjoints[self.index] += rows
        else:
            adjoints[self.slots] += np.add.reduceat(rows[self.order], self.starts, axis=0)


# --- the compiled replay --------------------------------------------------------------------------


def _compiled_module() -> Any:
    """``autograd._tape`` when it is built and the compiled core is in use, else None."""
    global _COMPILED
    if _COMPILED is False:
        _COMPILED = None
        if backend() == "native":
            try:
                from autograd import _tape

                _COMPILED = _tape
            except ImportError:
                pass
    return _COMPILED


_COMPILED: Any = False  # not looked for yet


class _CompiledPlan:
    """The program as rows of four int32 (op, a, b, live) for ``autograd._tape``, cut where
    guards are checked."""

    def __init__(self, tape: Tape, module: Any) -> None:
        np = _np()
        self.tape = tape
        self.module = module
        n = len(tape.codes)
        program = np.empty((n, 4), dtype=np.int32)
        program[:, 0] = tape.codes
        program[:, 1] = tape.a
        program[:, 2] = tape.b
        program[:, 3] = tape.live
        self.program = program
        after: dict[int, list[Guard]] = {}
        for guard in tape.guards:
            after.setdefault(tape._guard_ready(guard), []).append(guard)
        self.early_guards = after.pop(-1, [])
        # Run the instructions in segments, checking each guard as soon as its operands exist.
        self.segments: list[tuple[int, int, list[Guard]]] = []
        start = 0
        for ready in sorted(after):
            self.segments.append((start, ready + 1, after[ready]))
            start = ready + 1
        if start < n or not self.segments:
            self.segments.append((start, n, []))

    def forward(self, values: Array) -> None:
        tape = self.tape
        size = values.shape[1]
        tape._check_guards(self.early_guards, values)
        for start, stop, guards in self.segments:
            failure = self.module.forward(self.program, tape.first_node, values, size, start, stop)
            if failure is not None:
                raise tape._domain_error(failure[0], failure[1], values)
            tape._check_guards(guards, values)

    def backward(self, values: Array, adjoints: Array) -> None:
        tape = self.tape
        failure = self.module.backward(
            self.program, tape.first_node, values, adjoints, values.shape[1]
        )
        if failure is not None:
            i, s = failure
            raise tape._derivative_error(i, s, values, float(adjoints[tape.first_node + i, s]))
