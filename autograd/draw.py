"""Drawings of computation graphs: every Value with its data and grad, every operation between.

Ids are numbered in topological order and nothing depends on memory addresses or hashing, so
the same graph gives byte-identical DOT and SVG every time. Every piece of text in a drawing goes
through :func:`escape` into an HTML-like label, so no label can break the DOT source or inject
markup into the SVG.
"""

from __future__ import annotations

import functools
import html
import math
import numbers
import operator
import os
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from autograd.engine import topological_order
from autograd.files import write_atomic as write_atomic  # still importable from here
from autograd.value import Constant, Value

RANKDIRS = ("LR", "RL", "TB", "BT")
FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": None, ".gv": None}

# How each kind of node looks: told apart by shape and by colour. ``class`` ends up in the SVG.
LEAF = {"shape": "box", "style": "filled", "fillcolor": "#dbeafe", "class": "value leaf"}
CONSTANT = {
    "shape": "hexagon",
    "style": "filled",
    "fillcolor": "#e5e7eb",
    "class": "value constant",
}
INTERIOR = {"shape": "box", "style": "rounded,filled", "fillcolor": "#ffffff", "class": "value"}
OUTPUT = {
    "shape": "box",
    "style": "filled",
    "fillcolor": "#fde68a",
    "peripheries": "2",
    "class": "value output",
}
OPERATION = {"shape": "circle", "style": "filled", "fillcolor": "#f5f5f4", "class": "op"}
CURRENT = {"color": "#7c3aed", "penwidth": "3"}  # the node being processed in a step drawing
NON_FINITE = "#dc2626"
PENDING = "#9ca3af"  # a gradient that has not arrived yet

# A label, operation name or scope longer than this is drawn shortened, ending in an ellipsis:
# Graphviz 2.43's HTML lexer fails on a text of over 16,384 characters, and no drawing can show
# a text that long anyway.
LABEL_LIMIT = 100

# How long Graphviz's dot may take to lay out one drawing, in seconds, unless told otherwise.
TIMEOUT = 60.0
# The layout dot falls back to when its full layout crashes or takes FULL_LAYOUT_TIME seconds
# (or half the time limit, if that is less): network simplex places the nodes without optimizing
# their coordinates (nslimit=0), and edges are drawn straight (splines=line). Graphviz 2.43
# overflows its stack (SIGSEGV) optimizing a sum of 300 terms of one variable (180,000 virtual
# nodes for the long edges), and takes minutes over the 100 terms x*0 + x*1 + ... + x*99; this
# layout drew each in 0.2 to 1.5 seconds here. None of newrank, splines, nslimit > 0, nslimit1,
# mclimit, searchsize, ordering or remincross avoided the crash of the full layout. With a label
# on every edge (as the explorer and the step pages draw them), routing curved edges around the
# labels crashed on that sum too, or took 26 seconds on one of 98 terms: straight edges took 1.0
# and 0.7 seconds.
SIMPLE_LAYOUT = {"nslimit": "0", "splines": "line"}
# A graph of 500 Values (a small MLP's) takes dot under a second.
FULL_LAYOUT_TIME = 10.0


# The graphviz package is imported by the first drawing, not by ``import autograd``.
if TYPE_CHECKING:
    import graphviz

    class GraphvizNotFoundError(graphviz.ExecutableNotFound):  # type: ignore[misc]
        """Graphviz's ``dot`` program is missing; the message says how to install it."""

else:

    def __getattr__(name: str) -> object:
        if name == "GraphvizNotFoundError":
            return _graphviz_not_found_error()
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _graphviz_not_found_error() -> type[GraphvizNotFoundError]:
    """The class GraphvizNotFoundError, a graphviz.ExecutableNotFound, made on first use."""
    import graphviz

    class GraphvizNotFoundError(graphviz.ExecutableNotFound):  # type: ignore[misc]
        """Graphviz's ``dot`` program is missing; the message says how to install it."""

        def __init__(self, message: str) -> None:
            RuntimeError.__init__(self, message)

    GraphvizNotFoundError.__module__ = __name__
    GraphvizNotFoundError.__qualname__ = "GraphvizNotFoundError"
    return GraphvizNotFoundError


class GraphvizError(RuntimeError):
    """Graphviz's ``dot`` crashed, failed or ran out of time on a drawing; the message names the
    graph's size and what to try."""


def install_hint() -> str:
    """The command that installs Graphviz on this platform."""
    if sys.platform == "darwin":
        return "brew install graphviz"
    if sys.platform == "win32":
        return "winget install graphviz   (or: choco install graphviz)"
    for manager, command in (
        ("apt-get", "sudo apt-get install graphviz"),
        ("dnf", "sudo dnf install graphviz"),
        ("pacman", "sudo pacman -S graphviz"),
        ("zypper", "sudo zypper install graphviz"),
        ("apk", "sudo apk add graphviz"),
    ):
        if shutil.which(manager):
            return command
    return "see https://graphviz.org/download/"


# --- text ----------------------------------------------------------------------------------------


def visible(text: str) -> str:
    """``text`` with every control character, surrogate and U+FFFE/U+FFFF written as an escape
    (``\\t``, ``\\x01``, ``\\ud800``), keeping newlines: what a drawing shows for a label."""
    return "".join(
        ch.encode("unicode_escape", "backslashreplace").decode("ascii")
        if ch != "\n" and (unicodedata.category(ch) in ("Cc", "Cs") or ch in "\ufffe\uffff")
        else ch
        for ch in text
    )


def shorten(text: str, limit: int = LABEL_LIMIT) -> str:
    """``text``, or its first ``limit - 1`` characters and an ellipsis when it is longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """``text`` as the content of a Graphviz HTML-like label, newlines as line breaks."""
    # Graphviz's HTML parser is XML: control characters would make it fail, so show them as
    # escapes. It also expands \N, \G, \E ... inside HTML labels, and \\ is its literal backslash.
    # A text that is just "]" breaks Graphviz 2.43's HTML lexer (a syntax error, or the text
    # lands in the next cell); as a character reference it is plain text.
    lines = visible(text).split("\n")
    return "<BR/>".join(
        html.escape(line).replace("\\", "\\\\").replace("]", "&#93;") for line in lines
    )


def html_label(markup: str) -> str:
    """A DOT HTML-like label around markup whose text already went through :func:`escape`."""
    return f"<{markup}>"


def number(x: float) -> str:
    """``x`` to four significant digits, in red when it is NaN or infinite."""
    text = escape(f"{x:.4g}")
    return text if math.isfinite(x) else f'<FONT COLOR="{NON_FINITE}">{text}</FONT>'


# --- drawing -------------------------------------------------------------------------------------


def checked_order(root: Value, rankdir: str, max_nodes: int, caller: str) -> list[Value]:
    """The topological order of ``root``'s graph, for ``caller`` to draw: TypeError or ValueError
    for a root, rankdir or max_nodes it cannot use, and for a graph of over max_nodes Values."""
    if not isinstance(rankdir, str) or rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    max_nodes = whole_number(max_nodes, "max_nodes")
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be at least 1, got {max_nodes}")
    if not isinstance(root, Value):
        raise TypeError(f"{caller} needs a Value, got {type(root).__name__}")
    order = topological_order(root)
    if len(order) > max_nodes:
        raise ValueError(
            f"the graph has {len(order)} Values, more than max_nodes={max_nodes}; "
            f"pass {caller}(..., max_nodes={len(order)}) to draw it anyway "
            "(Graphviz gets slow on large graphs)"
        )
    return order


def whole_number(n: object, name: str) -> int:
    """``n`` as an int when it is one: an int or any integral number such as a NumPy integer
    (anything with ``__index__``), but not a bool; TypeError naming ``name`` otherwise."""
    if isinstance(n, bool):
        raise TypeError(f"{name} must be an int, got bool")
    try:
        return operator.index(n)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be an int, got {type(n).__name__}") from None


def value_label(
    node: Value, grad: float | None, grad_width: int = 0, quantity: str = "grad"
) -> str:
    """A Value's HTML label: its label (if any), data and grad (``?`` while grad is None), the
    grad cell at least ``grad_width`` points wide and named ``quantity``."""
    cells = [f"<TD><B>{escape(shorten(node.label))}</B></TD>"] if node.label else []
    cells.append(f"<TD>data {number(node.data)}</TD>")
    shown = f'<FONT COLOR="{PENDING}">?</FONT>' if grad is None else number(grad)
    width = f' WIDTH="{grad_width}"' if grad_width else ""
    cells.append(f"<TD{width}>{quantity} {shown}</TD>")
    return html_label(
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4"><TR>'
        + "<VR/>".join(cells)
        + "</TR></TABLE>"
    )


def build(
    order: Sequence[Value],
    rankdir: str = "LR",
    *,
    grads: Mapping[Value, float] | None = None,
    edge_labels: Callable[[int], Sequence[float]] | None = None,
    current: int | None = None,
    grad_widths: Mapping[Value, int] | None = None,
    quantity: str = "grad",
) -> graphviz.Digraph:
    """The Digraph of a topologically ordered graph (root last).

    ``grads`` replaces each ``.grad`` (a node missing from it shows ``?``); ``edge_labels(i)``
    gives the local derivatives that node i's operation passes to its parents; ``current`` is the
    index of the node to highlight; ``grad_widths`` gives the grad cells' minimum widths in
    points (so that node sizes, and with them the layout, can be held fixed); ``quantity`` names
    the number in that cell ("tangent" for a forward-mode sweep).
    """
    index = {node: i for i, node in enumerate(order)}
    root = len(order) - 1
    graph = _drawing_class()(
        name="chainrule",
        graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "fontsize": "12"},
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"fontname": "Helvetica", "fontsize": "10", "arrowsize": "0.7"},
    )
    scopes = drawn_scopes(order)
    clusters = _clusters(scopes)

    for i, node in enumerate(order):
        target = clusters.get(scopes[i], graph)
        kind = (
            OUTPUT if i == root else CONSTANT if isinstance(node, Constant) else
            LEAF if not node.parents else INTERIOR
        )  # fmt: skip
        attrs = dict(kind)
        grad = node.grad if grads is None else grads.get(node)
        if not math.isfinite(node.data) or (grad is not None and not math.isfinite(grad)):
            attrs["color"] = NON_FINITE
        if i == current:
            attrs.update(CURRENT)
            attrs["class"] += " current"
        width = grad_widths.get(node, 0) if grad_widths is not None else 0
        target.node(f"v{i}", value_label(node, grad, width, quantity), **attrs)
        if node.parents:
            op = dict(OPERATION, **CURRENT) if i == current else OPERATION
            target.node(f"v{i}op", html_label(escape(shorten(node.op))), **op)

    _attach(graph, clusters)
    graph.values = len(order)

    for i, node in enumerate(order):
        if not node.parents:
            continue
        graph.edge(f"v{i}op", f"v{i}", **(CURRENT if i == current else {}))
        local = edge_labels(i) if edge_labels is not None else ()
        for k, parent in enumerate(node.parents):
            attrs = dict(CURRENT) if i == current else {}
            if local:
                attrs["label"] = html_label(number(local[k]))
            graph.edge(f"v{index[parent]}", f"v{i}op", **attrs)

    return graph


@functools.cache
def _drawing_class() -> type[graphviz.Digraph]:
    """The class of the Digraphs that :func:`build` returns, made on first use (it subclasses
    graphviz.Digraph, and graphviz is imported by the first drawing)."""
    import graphviz

    class Drawing(graphviz.Digraph):  # type: ignore[misc]
        """The Digraph of a computation graph. Jupyter shows it as an SVG scaled down to the
        width of the page, laid out by :func:`pipe` (with its time limit and fallback layout)."""

        values = 0  # how many Values the drawing shows, for messages

        def _repr_mimebundle_(
            self,
            include: Iterable[str] | None = None,
            exclude: Iterable[str] | None = None,
            **options: object,
        ) -> dict[str, bytes | str]:
            wanted = set(include) if include is not None else {"image/svg+xml"}
            wanted -= set(exclude or ())
            if wanted != {"image/svg+xml"}:
                bundle: dict[str, bytes | str] = super()._repr_mimebundle_(
                    include, exclude, **options
                )
                return bundle
            return {"image/svg+xml": pipe(self, "svg", "the drawing").decode("utf-8")}

    Drawing.__module__ = __name__
    return Drawing


def fit_to_width(svg: str) -> str:
    """Graphviz's SVG with a style that scales it down to the width of the page it is shown on
    (a notebook, one exported to HTML, a browser window), keeping its proportions; a narrow one
    keeps its size."""
    return svg.replace("<svg ", '<svg style="max-width: 100%; height: auto" ', 1)


def drawn_scopes(order: Sequence[Value]) -> list[str]:
    """The scope each node is drawn in: its own; else, for an operation's result or a constant,
    the one all its consumers are drawn in.

    So a neuron that tags only its parameters and its output still gets its products, sums and
    constants drawn inside its cluster, while its inputs (untagged leaves) stay outside.
    """
    index = {node: i for i, node in enumerate(order)}
    drawn = [""] * len(order)
    consumers: list[str | None] = [None] * len(order)  # the consumers' common scope so far
    agree = [True] * len(order)
    for i in range(len(order) - 1, -1, -1):  # consumers come after their parents
        node = order[i]
        inherits = agree[i] and (node.parents or isinstance(node, Constant))
        scope = node.scope or (consumers[i] or "" if inherits else "")
        drawn[i] = scope
        for parent in node.parents:
            k = index[parent]
            if consumers[k] is None:
                consumers[k] = scope
            elif consumers[k] != scope:
                agree[k] = False
    return drawn


def _parent_scope(scope: str, scopes: Iterable[str]) -> str:
    """The longest other scope that is a dotted prefix of ``scope`` ("" for none)."""
    prefixes = [s for s in scopes if scope.startswith(s + ".")]
    return max(prefixes, key=len, default="")


def _clusters(scopes: Iterable[str]) -> dict[str, graphviz.Digraph]:
    """One empty cluster subgraph per scope, numbered in order of first appearance."""
    import graphviz

    return {
        scope: graphviz.Digraph(
            name=f"cluster_{k}",
            graph_attr={
                "label": html_label(escape(shorten(scope))),
                "style": "rounded,dashed",
                "color": "#6b7280",
                "fontname": "Helvetica",
                "fontsize": "11",
            },
        )
        for k, scope in enumerate(dict.fromkeys(s for s in scopes if s))
    }


def _attach(graph: graphviz.Digraph, clusters: dict[str, graphviz.Digraph]) -> None:
    """Nest each cluster in its parent scope's cluster (or the graph), innermost first."""
    scopes = list(clusters)
    # graphviz copies a subgraph's body when it is added, so children must be complete first.
    for scope in sorted(scopes, key=lambda s: s.count("."), reverse=True):
        parent = _parent_scope(scope, scopes)
        (clusters[parent] if parent else graph).subgraph(clusters[scope])


# --- public API ----------------------------------------------------------------------------------


def draw_dot(root: Value, rankdir: str = "LR", max_nodes: int = 500) -> graphviz.Digraph:
    """The computation graph of ``root`` as a graphviz Digraph (Jupyter shows it inline).

    One node per Value with its label, data and grad, one node per operation; leaves, constants
    and the output differ in shape and colour, NaN and infinities are red, and Values created
    under ``autograd.scope(name)`` are grouped in one cluster per scope.
    """
    return build(checked_order(root, rankdir, max_nodes, "draw_dot"), rankdir)


def render(
    root: Value,
    path: str | os.PathLike[str],
    *,
    rankdir: str = "LR",
    max_nodes: int = 500,
    timeout: float | None = TIMEOUT,
) -> Path:
    """Write ``draw_dot(root, ...)`` to ``path``, in the format its suffix names.

    The file appears whole or not at all. Formats other than .dot need Graphviz's ``dot``
    program; without it they raise GraphvizNotFoundError, whose message says how to install it.
    dot gets ``timeout`` seconds (None: no limit); when it crashes or runs out of time, even with
    a simpler layout, GraphvizError names the graph's size and what to try.
    """
    target = Path(path)
    fmt = format_of(target)
    check_timeout(timeout)
    graph = build(checked_order(root, rankdir, max_nodes, "render"), rankdir)
    data = graph.source.encode("utf-8") if fmt is None else pipe(graph, fmt, target.name, timeout)
    write_atomic(target, data)
    return target


def format_of(path: Path) -> str | None:
    """The Graphviz format that ``path``'s suffix names (None for DOT source); ValueError, naming
    the suffixes there are, for any other."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"cannot tell the format of {str(path)!r} from its suffix {suffix!r}; "
            f"use one of {', '.join(FORMATS)}"
        )
    return FORMATS[suffix]


def pipe(graph: graphviz.Digraph, fmt: str, name: str, timeout: float | None = TIMEOUT) -> bytes:
    """``graph`` laid out by Graphviz's ``dot`` in format ``fmt``, for the file ``name``; an SVG
    scales down to the width of the page that shows it (a notebook, a browser window).

    ``dot`` gets ``timeout`` seconds in all (None: no limit). When its full layout crashes, or
    takes :data:`FULL_LAYOUT_TIME` seconds or half the limit, the rest of the time goes to a
    simpler layout (:data:`SIMPLE_LAYOUT`). Without the
    ``dot`` program: GraphvizNotFoundError saying how to install it; when dot fails, crashes
    or runs out of time: GraphvizError naming the graph's size and what to try.
    """
    return pipe_layout(graph, fmt, name, timeout)[0]


def pipe_layout(
    graph: graphviz.Digraph,
    fmt: str,
    name: str,
    timeout: float | None = TIMEOUT,
    *,
    full: bool = True,
) -> tuple[bytes, bool]:
    """:func:`pipe`'s output, and whether the full layout made it (False: the simpler one).
    With ``full=False`` only the simpler layout is tried: for drawings that are laid out as
    one already drawn was (the frames of a step page)."""
    limit = check_timeout(timeout)
    deadline = None if limit is None else time.monotonic() + limit
    if full:
        done = _run_dot(
            graph.source, fmt, name, None if limit is None else min(FULL_LAYOUT_TIME, limit / 2)
        )
        if isinstance(done, bytes):
            return _fitted(done, fmt), True
        _refused(done, name)
    simple = graph.copy()
    simple.graph_attr.update(SIMPLE_LAYOUT)
    left = None if deadline is None else max(deadline - time.monotonic(), 0.01)
    done = _run_dot(simple.source, fmt, name, left)
    if isinstance(done, bytes):
        return _fitted(done, fmt), False
    _refused(done, name)
    raise GraphvizError(_failure(graph, name, done.returncode, limit))


def _fitted(data: bytes, fmt: str) -> bytes:
    """An SVG made to scale down to the width of the page that shows it; other formats as is."""
    return fit_to_width(data.decode("utf-8")).encode("utf-8") if fmt == "svg" else data


def _refused(done: subprocess.CompletedProcess[bytes], name: str) -> None:
    """GraphvizError with dot's own message when dot refused the source (it neither crashed nor
    ran out of time, which returncode 0 stands for here)."""
    if done.returncode != 0 and not _crashed(done.returncode):
        message = done.stderr.decode("utf-8", "replace").strip()
        raise GraphvizError(f"Graphviz's dot could not draw {name}: {message}")


def check_timeout(timeout: object) -> float | None:
    """``timeout`` as seconds (> 0), or None for no limit (None or infinity); TypeError or
    ValueError otherwise."""
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real):
        raise TypeError(
            f"timeout must be a number of seconds or None, got {type(timeout).__name__}"
        )
    seconds = float(timeout)  # a NumPy number too
    if not seconds > 0:  # NaN too
        raise ValueError(f"timeout must be more than 0 seconds (or None), got {timeout!r}")
    return None if math.isinf(seconds) else seconds


def require_dot(name: str) -> None:
    """GraphvizNotFoundError, saying how to install Graphviz, unless its ``dot`` program is on
    PATH: for work that would otherwise fail on writing ``name`` only at its end."""
    if shutil.which("dot") is None:
        raise _graphviz_not_found_error()(_not_found(name))


def _not_found(name: str) -> str:
    return (
        f"writing {name} needs Graphviz's 'dot' program, which is not on PATH. "
        f"Install Graphviz with: {install_hint()}  "
        "(a .dot file can be written without it)"
    )


def _run_dot(
    source: str, fmt: str, name: str, timeout: float | None
) -> bytes | subprocess.CompletedProcess[bytes]:
    """dot's output; or, when it fails, its completed process (returncode 0 when it ran out of
    time and was killed)."""
    try:
        done = subprocess.run(
            ["dot", f"-T{fmt}"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise _graphviz_not_found_error()(_not_found(name)) from None
    except subprocess.TimeoutExpired as expired:  # subprocess.run has killed dot
        return subprocess.CompletedProcess(expired.cmd, 0, b"", expired.stderr or b"")
    if done.returncode == 0:
        return done.stdout
    return done


def _crashed(returncode: int) -> bool:
    """dot was killed by a signal (POSIX) or died of an exception (Windows: 0xC0000000 and up)."""
    return returncode < 0 or returncode >= 0xC0000000


def _signal_name(returncode: int) -> str:
    """What killed a process, as in "SIGSEGV", from its negative return code."""
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"exit status {returncode}"


def _failure(graph: graphviz.Digraph, name: str, returncode: int, limit: float | None) -> str:
    size = f"a graph of {graph.values} Values" if getattr(graph, "values", 0) else "the graph"
    what = (
        f"ran out of time ({limit:g} s) laying out {size}"
        if returncode == 0
        else f"crashed ({_signal_name(returncode)}) laying out {size}"
    )
    return (
        f"Graphviz's dot {what} for {name}, with its full layout and with a simpler one. "
        "Try drawing a part of the graph (a smaller expression, or one neuron), "
        + (
            "allow more time (render(..., timeout=...), or chainrule graph --timeout), "
            if returncode == 0
            else ""
        )
        + "or write a .dot file and lay it out with a newer Graphviz (https://graphviz.org/download/)."
    )
