"""Recording modes, per thread: ``no_grad``/``enable_grad`` and name scopes for drawings.

Every operation asks whether it should record. To keep that question cheap, ``modes.open``
counts the contexts open in any thread; while it is zero (the usual case) every thread records
with no scope, and only otherwise is the thread's own state consulted.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager


class _ThreadState(threading.local):
    """What the current thread records: whether to build a graph, and under which scope."""

    def __init__(self) -> None:
        self.recording = True
        self.scope = ""


class _Modes:
    """The open-context counter shared by all threads, and each thread's own state."""

    __slots__ = ("_lock", "open", "thread")

    def __init__(self) -> None:
        self.open = 0
        self.thread = _ThreadState()
        self._lock = threading.Lock()

    def _adjust(self, delta: int) -> None:
        with self._lock:
            self.open += delta

    def recording(self) -> bool:
        """Whether operations in this thread record a graph."""
        return self.open == 0 or self.thread.recording

    def scope(self) -> str:
        """The scope name given to Values created now in this thread ("" for none)."""
        return "" if self.open == 0 else self.thread.scope


modes = _Modes()


@contextmanager
def _set(recording: bool | None = None, scope: str | None = None) -> Iterator[None]:
    state = modes.thread
    saved = state.recording, state.scope
    if recording is not None:
        state.recording = recording
    if scope is not None:
        state.scope = scope
    modes._adjust(+1)
    try:
        yield
    finally:
        state.recording, state.scope = saved
        modes._adjust(-1)


def no_grad() -> AbstractContextManager[None]:
    """Context manager: operations inside it record nothing (their results are leaves)."""
    return _set(recording=False)


def enable_grad() -> AbstractContextManager[None]:
    """Context manager: record again inside a ``no_grad`` block."""
    return _set(recording=True)


def is_grad_enabled() -> bool:
    """Whether operations in this thread currently record a graph."""
    return modes.recording()


def scope(name: str) -> AbstractContextManager[None]:
    """Context manager: Values created inside carry ``name`` in ``.scope``; nested names join
    with dots (``layers.0`` then ``neurons.3`` gives ``layers.0.neurons.3``)."""
    if not isinstance(name, str):
        raise TypeError(f"scope name must be a str, got {type(name).__name__}")
    outer = modes.scope()
    return _set(scope=f"{outer}.{name}" if outer and name else name or outer)
