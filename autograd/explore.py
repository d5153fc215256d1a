"""The explorer: one self-contained HTML page that steps through a graph and explains each grad.

The graph is drawn once by Graphviz, exactly as :func:`autograd.draw.draw_dot` draws it (role
colours, clusters, non-finite values in red), and embedded as inline SVG. The page holds every
Value's data and every edge's local derivative, so its script (``explorer/explorer.js``) can step
through the forward pass and the backward sweep, explain any node's gradient as the chain-rule
sum over its consumers, and redo the sweep for any node chosen as the output. Nothing is
fetched: the page works from ``file://``.

Only the node protocol is used (``.data``, ``.label``, ``.op``, ``.parents``, ``.scope``,
``Constant``) and the rule table, so both backends work; no ``.grad`` is read or changed.
"""

from __future__ import annotations

import argparse
import heapq
import html
import json
import math
import os
import sys
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import cast

from autograd.draw import build, checked_order, drawn_scopes, pipe, whole_number
from autograd.expression import Rejected, evaluate, parse_bindings, pointer
from autograd.files import write_atomic
from autograd.rules import RULES
from autograd.value import Constant, Value, as_float

# Over this many Values, neuron clusters (scopes with no scope inside) start collapsed.
COLLAPSE_OVER = 60
# Up to this many neurons, each also gets a drawing of its own with it open among the others'
# boxes (one Graphviz layout each), which a click on its box shows; beyond, a click opens the
# neuron in the full drawing, the other neurons covered.
OPEN_VIEWS_UP_TO = 16
SUFFIXES = (".html", ".htm")

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_SVG = f"{{{SVG_NS}}}"

# Every grad cell has room for at least this: a sign and four digits.
_TYPICAL_NUMBER = "-0.1234"


@dataclass(frozen=True)
class Explorer:
    """An explorer page held in memory: Jupyter shows it inline; :meth:`save` writes it."""

    html: str

    def _repr_html_(self) -> str:
        # An iframe keeps the page's script and style apart from the notebook's (and from any
        # other explorer in the same notebook); srcdoc needs no file and no server.
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" title="chainrule explorer" '
            'style="width: 100%; height: 760px; border: 1px solid #e5e7eb;"></iframe>'
        )

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (an .html file), atomically; returns the path."""
        target = _html_path(path)
        write_atomic(target, self.html.encode("utf-8"))
        return target

    def __repr__(self) -> str:
        return f"<Explorer: {len(self.html)} characters of HTML>"


def explore(
    root: Value,
    path: str | os.PathLike[str] | None = None,
    max_nodes: int = 500,
    *,
    tangents: Mapping[Value, float] | None = None,
    rankdir: str = "LR",
    collapse_over: int = COLLAPSE_OVER,
) -> Path | Explorer:
    """An interactive page for ``root``'s graph: written to ``path`` (returned), or, with no
    path, an :class:`Explorer` that Jupyter shows inline.

    The page steps through the forward pass (nodes appear in topological order with their
    values, and with their tangents when ``tangents`` seeds some leaves, e.g. ``{x: 1.0}``) and
    the backward sweep (each edge carries upstream grad × local derivative, and the sums build
    up at the receiving nodes). Hovering or clicking a node explains its gradient as the sum over
    its consumers; any node can be made the output. Graphs of over ``collapse_over`` Values start
    with each neuron's cluster collapsed into one box; graphs of over ``max_nodes`` Values are
    refused, as by ``draw_dot``. Needs Graphviz's ``dot`` program.
    """
    target = None if path is None else _html_path(path)
    order = checked_order(root, rankdir, max_nodes, "explore")
    collapse_over = whole_number(collapse_over, "collapse_over")
    if collapse_over < 0:
        raise ValueError(f"collapse_over must be at least 0, got {collapse_over}")
    seeds = _seeds(tangents, order)
    page = render_page(order, rankdir, seeds, collapse=len(order) > collapse_over)
    if target is None:
        return Explorer(page)
    write_atomic(target, page.encode("utf-8"))
    return target


def _html_path(path: str | os.PathLike[str]) -> Path:
    target = Path(path)
    if target.suffix.lower() not in SUFFIXES:
        raise ValueError(
            f"the explorer writes an HTML page; {str(target)!r} should end in .html "
            f"(got suffix {target.suffix!r})"
        )
    return target


# --- the numbers the page needs ------------------------------------------------------------------


def local_derivatives(node: Value) -> list[float]:
    """∂node/∂parent for each of ``node``'s parents, from the rule table (NaN where the
    derivative does not exist, e.g. sqrt at 0)."""
    if not node.parents:
        return []
    inputs = [p.data for p in node.parents]
    try:
        return [float(d) for d in RULES[node.op].vjp(1.0, node.data, *inputs)]
    except (ValueError, ArithmeticError):
        return [math.nan] * len(inputs)


def tangent_sweep(order: Sequence[Value], seeds: Mapping[Value, float]) -> list[float]:
    """Forward mode over ``order``: each node's tangent, the sum over its parents of the local
    derivative times the parent's tangent, starting from ``seeds`` at leaves (0 elsewhere)."""
    index = {node: i for i, node in enumerate(order)}
    tangent = [0.0] * len(order)
    for i, node in enumerate(order):
        if not node.parents:
            tangent[i] = seeds.get(node, 0.0)
            continue
        local = local_derivatives(node)
        tangent[i] = sum(d * tangent[index[p]] for d, p in zip(local, node.parents, strict=True))
    return tangent


def _seeds(tangents: Mapping[Value, float] | None, order: Sequence[Value]) -> dict[Value, float]:
    """The seed tangents, checked: Values that are leaves of the graph, with real numbers."""
    if tangents is None:
        return {}
    if not isinstance(tangents, Mapping):
        raise TypeError(
            f"tangents must be a dict from leaf Values to numbers, got {type(tangents).__name__}"
        )
    members = set(order)
    seeds: dict[Value, float] = {}
    for node, tangent in tangents.items():
        if not isinstance(node, Value):
            raise TypeError(f"tangents keys must be Values, got {type(node).__name__}")
        name = repr(node.label) if node.label else repr(node)
        if node not in members:
            raise ValueError(f"tangents: the Value {name} is not in the graph being explored")
        if node.parents:
            raise ValueError(
                f"tangents are seeded at leaves; the Value {name} is the result of {node.op!r}"
            )
        seeds[node] = as_float(tangent, f"the tangent of {name}")
    return seeds


def _number(x: float) -> float | str:
    """``x`` for JSON, which has no NaN or infinities: those become the strings Python prints."""
    return x if math.isfinite(x) else str(x)


@dataclass(frozen=True)
class Cluster:
    """One cluster of the drawing: ``cluster_k`` in Graphviz's numbering, its scope, whether it
    is a neuron (holds no other cluster), its members and its output (the last member)."""

    id: str
    scope: str
    neuron: bool
    members: list[int]
    output: int


def clusters_of(scopes: Sequence[str]) -> list[Cluster]:
    """The clusters that :func:`autograd.draw.build` draws for nodes drawn in ``scopes``."""
    names = list(dict.fromkeys(s for s in scopes if s))  # numbered as autograd.draw numbers them
    clusters = []
    for k, scope in enumerate(names):
        members = [i for i, s in enumerate(scopes) if s == scope or s.startswith(scope + ".")]
        # Every node but the root has a consumer later in the order, so the last member's
        # consumers are all outside: it is what the rest of the graph sees of the cluster.
        inner = any(other.startswith(scope + ".") for other in names)
        clusters.append(Cluster(f"cluster_{k}", scope, not inner, members, max(members)))
    return clusters


def graph_data(
    order: Sequence[Value], seeds: Mapping[Value, float], clusters: Sequence[Cluster]
) -> dict[str, object]:
    """Everything the page's script needs, as JSON-ready data (nodes in topological order)."""
    index = {node: i for i, node in enumerate(order)}
    tangent = tangent_sweep(order, seeds) if seeds else None
    nodes = []
    for i, node in enumerate(order):
        entry: dict[str, object] = {
            "label": node.label,
            "scope": node.scope,
            "op": node.op,
            "data": _number(node.data),
            "parents": [index[p] for p in node.parents],
            "local": [_number(d) for d in local_derivatives(node)],
            "constant": isinstance(node, Constant),
        }
        if tangent is not None:
            entry["tangent"] = _number(tangent[i])
        if node in seeds:
            entry["seed"] = True
        nodes.append(entry)
    ops = sorted({node.op for node in order if node.parents})
    return {
        "nodes": nodes,
        "rules": {op: {"formula": RULES[op].formula, "arity": RULES[op].arity} for op in ops},
        "clusters": [vars(c) for c in clusters],
        "tangents": tangent is not None,
    }


# --- the drawings --------------------------------------------------------------------------------


class Box:
    """A stand-in for the overview drawing: a collapsed neuron as one Value-like node, or a node
    whose operands include one. It has exactly what :func:`autograd.draw.build` reads of a node
    (the node protocol), so the overview is drawn by the same code as everything else."""

    def __init__(
        self, original: Value, label: str, op: str, parents: tuple[Value | Box, ...], scope: str
    ) -> None:
        self.data = original.data
        self.grad = 0.0
        self.label = label
        self.op = op
        self.parents = parents
        self.scope = scope


def text_width(text: str) -> int:
    """A generous estimate of ``text``'s width in points, in Helvetica at 11 points, plus the
    cell's padding."""
    return math.ceil(len(text) * 11 * 0.62) + 8


def grad_cell_widths(order: Sequence[Value], tangents: Sequence[float] | None) -> list[int]:
    """How wide each node's grad cell is drawn: room for every grad of the sweep from the root
    and for its tangent, and at least for a grad of four digits. (Another output can bring a
    longer number; the page then narrows that text to fit.)"""
    index = {node: i for i, node in enumerate(order)}
    grads = [0.0] * len(order)
    grads[-1] = 1.0
    texts = [{"grad ?", f"grad {_TYPICAL_NUMBER}"} for _ in order]
    for i in reversed(range(len(order))):
        texts[i].add(f"grad {grads[i]:.4g}")
        for p, d in zip(order[i].parents, local_derivatives(order[i]), strict=True):
            k = index[p]
            grads[k] += grads[i] * d
            texts[k].add(f"grad {grads[k]:.4g}")  # a partial sum, shown while it builds
    if tangents is not None:
        for i, t in enumerate(tangents):
            texts[i].add(f"tangent {t:.4g}")
    return [max(map(text_width, shown)) for shown in texts]


def drawing(order: Sequence[Value], rankdir: str, widths: Sequence[int]) -> str:
    """The graph laid out by Graphviz as ``draw_dot`` draws it, every edge into an operation
    labelled with its local derivative, each grad cell ``widths[i]`` wide, marked up for the
    page's script (see :func:`mark_up`)."""
    local = {i: local_derivatives(node) for i, node in enumerate(order) if node.parents}
    graph = build(
        order,
        rankdir,
        grads={},  # every grad starts as "?": the page fills them in
        edge_labels=local.__getitem__,
        grad_widths=dict(zip(order, widths, strict=True)),
    )
    index = {node: i for i, node in enumerate(order)}
    operands = [[index[p] for p in node.parents] for node in order]
    return mark_up(
        pipe(graph, "svg", "the explorer page"), list(range(len(order))), operands, widths
    )


def overview(
    order: Sequence[Value], rankdir: str, widths: Sequence[int], neurons: Sequence[Cluster]
) -> str | None:
    """The graph with each of ``neurons`` drawn as one box (its output's data and grad), marked
    up as :func:`drawing` is; None when the boxes would make a cycle (a scope that is not one
    piece), where there is no such drawing."""
    box_of = {i: b for b, cluster in enumerate(neurons) for i in cluster.members}
    index = {node: i for i, node in enumerate(order)}
    drawn: dict[int, Value | Box] = {}  # original index -> what stands for it

    def shown(i: int) -> int:
        """The original index of what node i is drawn as: itself, or its neuron's output."""
        return neurons[box_of[i]].output if i in box_of else i

    # Each node or box with the originals of its operands, before any stand-in exists.
    operands: dict[int, list[int]] = {}
    for i in range(len(order)):
        if i not in box_of:
            operands[i] = [shown(index[p]) for p in order[i].parents]
        elif i == shown(i):  # a box: what flows into its neuron from outside, once each
            inside = set(neurons[box_of[i]].members)
            found = [index[p] for m in inside for p in order[m].parents if index[p] not in inside]
            operands[i] = list(dict.fromkeys(shown(p) for p in sorted(found)))
    placed = _topological(operands)
    if placed is None:
        return None
    for i in placed:
        node = order[i]
        parents = tuple(drawn[p] for p in operands[i])
        if i in box_of:
            cluster = neurons[box_of[i]]
            named = f"{cluster.scope} → {node.label}" if node.label else cluster.scope
            label = f"{named}\n(click to expand)"
            drawn[i] = Box(node, label, "neuron", parents, _outer_scope(cluster.scope))
        elif any(drawn[p] is not order[p] for p in operands[i]):  # its operands stand in
            drawn[i] = Box(node, node.label, node.op, parents, node.scope)
        else:
            drawn[i] = node
    ids = placed
    stand_ins = [drawn[i] for i in ids]
    local = {
        j: local_derivatives(order[i]) if i not in box_of else []
        for j, i in enumerate(ids)
        if stand_ins[j].parents
    }
    graph = build(
        cast("list[Value]", stand_ins),
        rankdir,
        grads={},
        edge_labels=local.__getitem__,
        grad_widths={cast(Value, node): widths[i] for node, i in zip(stand_ins, ids, strict=True)},
    )
    boxes = {neurons[b].output: neurons[b].id for b in range(len(neurons))}
    drawn_operands = [operands[i] for i in ids]
    return mark_up(pipe(graph, "svg", "the explorer page"), ids, drawn_operands, widths, boxes)


def _outer_scope(scope: str) -> str:
    """The scope a box is drawn in: the layer around its neuron ("layers.0" for
    "layers.0.neurons.3"), so the boxes of one layer share a cluster."""
    return scope.rpartition(".neurons.")[0] if ".neurons." in scope else ""


def _topological(operands: Mapping[int, Sequence[int]]) -> list[int] | None:
    """The keys of ``operands`` with each after its operands, ties kept in index order; None if
    there is a cycle."""
    waiting = {i: len(set(ps)) for i, ps in operands.items()}
    users: dict[int, list[int]] = {i: [] for i in operands}
    for i, ps in operands.items():
        for p in set(ps):
            users[p].append(i)
    ready = [i for i, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    placed = []
    while ready:
        i = heapq.heappop(ready)
        placed.append(i)
        for user in users[i]:
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(ready, user)
    return placed if len(placed) == len(operands) else None


def mark_up(
    svg: bytes,
    ids: Sequence[int],
    operands: Sequence[Sequence[int]],
    widths: Sequence[int],
    boxes: Mapping[int, str] | None = None,
) -> str:
    """Graphviz's SVG with data attributes the script finds things by: ``data-node`` (the
    original index of a value or operation node; drawn node j is ``ids[j]``, with the operands
    ``operands[j]``, as original indices), ``data-from``, ``data-to`` and ``data-k`` (edges: which
    operand), ``data-cluster``, ``data-box`` (a collapsed neuron's box, by cluster id, from
    ``boxes``), and one centred ``grad`` text per value node in place of the grad cell's text."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(svg)
    # The page sets the drawing's size itself (its zoom): a style that shrinks it to the width
    # of the window would undo every zoom, and leave a wide graph's text too small to read.
    root.attrib.pop("style", None)
    boxes = boxes or {}
    seen_edges: dict[tuple[str, str], int] = {}

    def original(name: str) -> int:
        return ids[int(name[1:].removesuffix("op"))]

    for group in root.iter(f"{_SVG}g"):
        kinds = (group.get("class") or "").split()
        title = group.find(f"{_SVG}title")
        name = title.text or "" if title is not None else ""
        if "node" in kinds:
            i = original(name)
            group.set("data-node", str(i))
            group.set("data-kind", "op" if "op" in kinds else "value")
            if i in boxes:
                group.set("data-box", boxes[i])
            if "op" not in kinds:
                _mark_grad_cell(group, widths[i])
        elif "edge" in kinds:
            source, _, sink = name.partition("->")
            group.set("data-from", str(original(source)))
            group.set("data-to", str(original(sink)))
            if sink.endswith("op"):  # an operand going into its operation: which one
                # Edges between the same two nodes (x * x) come in operand order.
                seen = seen_edges.get((source, sink), 0)
                seen_edges[source, sink] = seen + 1
                inputs = operands[int(sink[1:].removesuffix("op"))]
                k = [k for k, p in enumerate(inputs) if p == original(source)][seen]
                group.set("data-k", str(k))
            else:
                group.set("data-result", "true")
            for text in group.iter(f"{_SVG}text"):
                text.set("class", "edge-label")
        elif "cluster" in kinds:
            group.set("data-cluster", name)
        if title is not None:  # browsers show titles as tooltips; "v3op" would mean nothing
            group.remove(title)
    return ET.tostring(root, encoding="unicode")


def _mark_grad_cell(group: ET.Element, grad_width: int) -> None:
    """Replace the text of a value node's last cell (its grad) with one ``grad`` text, centred
    in the cell, for the script to rewrite. The cells are told apart by the vertical rules
    between them, which Graphviz draws as zero-width polygons (or polylines) after the texts."""
    rules = []
    shapes = [*group.findall(f"{_SVG}polygon"), *group.findall(f"{_SVG}polyline")]
    for polygon in shapes:
        xs = {p.split(",")[0] for p in (polygon.get("points") or "").split()}
        if len(xs) == 1:
            rules.append(float(xs.pop()))
            polygon.set("class", "rule")  # not the node's outline, which the page restyles
    texts = group.findall(f"{_SVG}text")
    if not rules or not texts:
        return
    left = max(rules)
    # The data cell, just before the grad cell: marked for the forward pass to hide until the
    # node is computed (a red number is a text of its own, after "data").
    before = max((r for r in rules if r < left), default=-math.inf)
    for text in texts:
        if before < float(text.get("x", "0")) < left:
            text.set("class", "data")
    cell = [t for t in texts if float(t.get("x", "0")) > left]
    if not cell:
        return
    first = cell[0]
    for text in cell:
        group.remove(text)
    grad = ET.SubElement(group, f"{_SVG}text", dict(first.attrib))
    grad.attrib.pop("fill", None)
    grad.set("x", f"{left + grad_width / 2:.2f}")
    grad.set("text-anchor", "middle")
    grad.set("class", "grad")
    grad.set("data-width", str(grad_width - 8))  # the room inside the cell's padding
    grad.text = "grad ?"


# --- the page ------------------------------------------------------------------------------------


def asset(name: str) -> str:
    """The text of one of the page's own files, ``autograd/explorer/NAME``."""
    return resources.files("autograd").joinpath("explorer", name).read_text(encoding="utf-8")


def _script_safe(text: str) -> str:
    """JSON that can sit inside ``<script>``: no "</script>" or "<!--" can end or change it."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_page(
    order: Sequence[Value], rankdir: str, seeds: Mapping[Value, float], *, collapse: bool
) -> str:
    """The whole explorer page for a topologically ordered graph (root last); with
    ``collapse``, it opens on the overview, each neuron one box."""
    clusters = clusters_of(drawn_scopes(order))
    data = graph_data(order, seeds, clusters)
    widths = grad_cell_widths(order, tangent_sweep(order, seeds) if seeds else None)
    views = [f'<div class="view" data-view="detail">\n{drawing(order, rankdir, widths)}\n</div>']
    neurons = [c for c in clusters if c.neuron]
    summary = overview(order, rankdir, widths, neurons) if collapse and neurons else None
    if summary is not None:
        views.append(f'<div class="view" data-view="overview">\n{summary}\n</div>')
        for cluster in neurons if len(neurons) <= OPEN_VIEWS_UP_TO else []:
            others = [other for other in neurons if other is not cluster]
            opened = overview(order, rankdir, widths, others)
            if opened is not None:
                head = f'<div class="view" data-view="open" data-open="{cluster.id}">'
                views.append(f"{head}\n{opened}\n</div>")
    script, style = asset("explorer.js"), asset("explorer.css")
    for name, text in (("explorer.js", script), ("explorer.css", style)):
        if "</" in text:
            raise RuntimeError(f"{name} must not contain '</': it is inlined into the page")
    root = order[-1]
    title = f"{root.label} = {root.data:.4g}" if root.label else f"output = {root.data:.4g}"
    return PAGE.format(
        title=html.escape(title),
        style=style,
        views="\n".join(views),
        data=_script_safe(json.dumps(data, ensure_ascii=False, allow_nan=False)),
        script=script,
    )


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>chainrule explorer: {title}</title>
<style>
{style}
</style>
</head>
<body>
<header>
  <h1>chainrule explorer: <span id="output-name">{title}</span></h1>
  <ol class="guide">
    <li><b>Forward</b>: <kbd>Next &#9654;</kbd> (or <kbd>&rarr;</kbd>) computes one node at a
      time.</li>
    <li><b>Backward</b> (choose <i>Backward pass</i>): each step sends grad &times; local
      derivative back along the edges, and the sums build up at the nodes they reach.</li>
    <li>Hover over or click any node to see why its grad is what it is.</li>
    <li id="guide-overview" hidden>A box named after a neuron (<i>layers.0.neurons.1</i>, &hellip;)
      stands for the whole neuron: click it (or press Enter on it) to open it.</li>
  </ol>
</header>
<div class="controls" role="group" aria-label="Explorer controls">
  <fieldset class="modes">
    <legend>Mode</legend>
    <label><input type="radio" name="mode" value="forward" id="mode-forward" checked>
      Forward pass</label>
    <label><input type="radio" name="mode" value="backward" id="mode-backward">
      Backward pass</label>
  </fieldset>
  <button type="button" id="previous" aria-label="Previous step">&#9664; Previous</button>
  <button type="button" id="play" aria-label="Play" aria-pressed="false">&#9654; Play</button>
  <button type="button" id="next" aria-label="Next step">Next &#9654;</button>
  <label class="slider">Step <input type="range" id="slider" min="0" max="0" value="0"></label>
  <span id="counter" aria-live="polite"></span>
  <button type="button" id="reset-output" aria-label="Make the original output the output again"
    hidden>Back to the original output</button>
  <button type="button" id="toggle-clusters" hidden>Expand all neurons</button>
  <span class="zoom">
    <button type="button" id="zoom-out" aria-label="Zoom out">&minus;</button>
    <button type="button" id="zoom-fit" aria-label="Fit the graph to the window">Fit</button>
    <button type="button" id="zoom-in" aria-label="Zoom in">+</button>
  </span>
</div>
<div class="panels">
  <section class="panel" aria-labelledby="caption-title">
    <h2 id="caption-title">This step</h2>
    <p id="caption" aria-live="polite"></p>
  </section>
  <section class="panel" id="explain" aria-labelledby="explain-title">
    <h2 id="explain-title">Why is a grad what it is?</h2>
    <pre id="explain-text" aria-live="polite"></pre>
    <button type="button" id="make-output" disabled>Make this the output</button>
  </section>
</div>
<div id="graph" role="group" aria-label="Computation graph: Tab to a node to explain it">
{views}
</div>
<dl class="legend">
  <dt>data</dt><dd>the node&rsquo;s value</dd>
  <dt>grad</dt><dd>&part;output/&part;node: black when complete,
    <span class="partial-key">amber</span> while the sum is still building, ? before anything
    has arrived</dd>
  <dt>tangent</dt><dd>forward mode: how fast the node changes with the seeded inputs</dd>
  <dt>numbers on edges</dt><dd>local derivatives &part;(result)/&part;(operand), from the rule
    table</dd>
  <dt><span class="red-key">red</span></dt><dd>NaN or infinite</dd>
</dl>
<script type="application/json" id="explorer-data">{data}</script>
<script>
{script}
</script>
</body>
</html>
"""


# --- the command ---------------------------------------------------------------------------------


def add_explore_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``explore`` subcommand to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "explore",
        help="write an interactive page that steps through an expression's graph",
        description=(
            "Build EXPR on Values (names bound to the given numbers, as for 'graph') and write "
            "PAGE.html: a self-contained page that steps through the forward pass and the "
            "backward sweep and explains each gradient as the chain-rule sum, with the numbers."
        ),
        epilog="An EXPR that starts with an option goes after '--': explore -- '-o*x' o=2",
    )
    parser.add_argument("expression", metavar="EXPR", help="for example 'tanh(w*x + b)'")
    parser.add_argument(
        "bindings", metavar="NAME=VALUE", nargs="*", help="a number for each name in EXPR"
    )
    parser.add_argument(
        "-o", "--output", metavar="PAGE.html", type=Path, required=True, help="the page to write"
    )
    parser.set_defaults(func=run_explore, explore_prog=parser.prog)


def run_explore(args: argparse.Namespace) -> int:
    """Run ``explore`` with parsed arguments: 0 on success, 2 for a rejected input, 1 otherwise."""
    prog = getattr(args, "explore_prog", "explore")
    source = args.expression.strip()
    try:
        bindings = parse_bindings(args.bindings)
        try:
            _html_path(args.output)  # refused before any work
        except ValueError as error:
            raise Rejected(str(error)) from None
        output, _ = evaluate(source, bindings)
        if not output.label:  # the page calls the output by the expression that made it
            output.label = source if len(source) <= 40 else "out"
    except Rejected as error:
        where = pointer(source, error.node)
        print(f"{prog}: error: {error.message}" + (f"\n{where}" if where else ""), file=sys.stderr)
        return error.status
    try:
        path = explore(output, args.output)
    except (OSError, RuntimeError, ValueError) as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 1
    print(f"{source} = {output.data!r}")
    print(f"wrote {path}", file=sys.stderr)
    return 0
