"""Recording modes, per thread: ``no_grad``/``enable_grad`` and name scopes for drawings.

Every operation asks whether it should record. To keep that question cheap, ``modes.open``
counts the contexts open in any thread; while it is zero (the usual case) every thread records
with no scope, and only otherwise is the thread's own state consulted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import ContextDecorator, contextmanager

# A comparison of Values made while tracing: (operator, left, right, outcome).
Comparison = tuple[str, object, object, bool]


class _ThreadState(threading.local):
    """What the current thread records: whether to build a graph, and under which scope."""

    def __init__(self) -> None:
        self.recording = True
        self.scope = ""
        self.saved: list[tuple[bool, str]] = []  # what each open Mode replaced, innermost last
        # The comparison lists of the traces open in this thread (autograd.tape), innermost last.
        self.comparisons: list[list[Comparison]] = []


class _Modes:
    """The open-context counter shared by all threads, and each thread's own state."""

    __slots__ = ("_hooks", "_lock", "open", "thread")

    def __init__(self) -> None:
        self.open = 0
        self.thread = _ThreadState()
        self._lock = threading.Lock()
        self._hooks: list[Callable[[int], object]] = []

    def add_hook(self, hook: Callable[[int], object]) -> None:
        """Call ``hook`` with the number of open contexts now and whenever it changes (the
        compiled core keeps its own copy of the counter this way)."""
        with self._lock:
            self._hooks.append(hook)
            hook(self.open)

    def _adjust(self, delta: int) -> None:
        with self._lock:
            self.open += delta
            for hook in self._hooks:
                hook(self.open)

    def recording(self) -> bool:
        """Whether operations in this thread record a graph."""
        return self.open == 0 or self.thread.recording

    def scope(self) -> str:
        """The scope name given to Values created now in this thread ("" for none)."""
        return "" if self.open == 0 else self.thread.scope


modes = _Modes()


class Mode(ContextDecorator):
    """A change to the thread's recording mode or scope for the length of a ``with`` block (or of
    a call, used as a decorator); what it replaced is restored on the way out.

    ``scope`` is a name joined to the thread's scope when the block is entered, so a Mode made
    once (a decorator, or one shared by threads) nests under whatever scope is open then.
    """

    def __init__(self, recording: bool | None = None, scope: str | None = None) -> None:
        self._recording = recording
        self._scope = scope

    def __enter__(self) -> None:
        state = modes.thread
        # Saved per thread, not on self: one Mode may be entered by several threads at once.
        state.saved.append((state.recording, state.scope))
        if self._recording is not None:
            state.recording = self._recording
        if self._scope is not None:
            state.scope = _joined(state.scope, self._scope)
        modes._adjust(+1)

    def __exit__(self, *exc_info: object) -> None:
        state = modes.thread
        state.recording, state.scope = state.saved.pop()
        modes._adjust(-1)


def no_grad() -> Mode:
    """Context manager (or decorator): operations inside record nothing (results are leaves)."""
    return Mode(recording=False)


def enable_grad() -> Mode:
    """Context manager (or decorator): record again inside a ``no_grad`` block."""
    return Mode(recording=True)


def is_grad_enabled() -> bool:
    """Whether operations in this thread currently record a graph."""
    return modes.recording()


def scope(name: str) -> Mode:
    """Context manager: Values created inside carry ``name`` in ``.scope``; nested names join
    with dots (``layers.0`` then ``neurons.3`` gives ``layers.0.neurons.3``)."""
    if not isinstance(name, str):
        raise TypeError(f"scope name must be a str, got {type(name).__name__}")
    return Mode(scope=name)


def _joined(outer: str, name: str) -> str:
    """``name`` inside scope ``outer``: dotted, unless either is empty."""
    return f"{outer}.{name}" if outer and name else name or outer


# --- the comparison recorder of traced tapes ---------------------------------------------------


def record_comparison(op: str, left: object, right: object, outcome: bool) -> None:
    """Note ``left op right == outcome`` for every trace open in this thread (its guards).

    Value's ``<``, ``<=``, ``>``, ``>=`` call this after comparing, but only while a context is
    open in some thread (``modes.open``, which a trace keeps open), so outside one a comparison
    costs nothing extra. The compiled Value does the same: when its copy of the open-context
    counter is not zero, it calls ``record_comparison("<", self, other, result)``.
    """
    for comparisons in modes.thread.comparisons:
        comparisons.append((op, left, right, outcome))


@contextmanager
def recording_comparisons() -> Iterator[list[Comparison]]:
    """Within the block, this thread's comparisons of Values are appended to the list given."""
    comparisons: list[Comparison] = []
    state = modes.thread
    state.comparisons.append(comparisons)
    try:
        with Mode():  # keeps modes.open above zero, so comparisons report to record_comparison
            yield comparisons
    finally:
        state.comparisons.pop()  # this block's list: the blocks of a thread nest
