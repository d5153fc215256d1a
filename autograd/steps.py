"""The sweeps drawn step by step: one SVG per step and a page that steps through them.

Backward (reverse mode): step 0 seeds the output with gradient 1; each later step takes the next
node in reverse topological order and passes its gradient to its operands, each share being the
node's gradient times the local derivative written on the edge.

Forward (forward mode): step 0 gives every leaf its tangent (the seeds; 0 for the rest); each
later step takes the next node in topological order, whose tangent is the sum over its operands
of the local derivative on the edge times the operand's tangent.

Either sweep is replayed on the side: no ``.grad`` changes.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from string import Template

from autograd.draw import build, checked_order, pipe_layout
from autograd.engine import sweep as chain_rule
from autograd.files import write_atomic
from autograd.functional import tangent
from autograd.rules import RULES
from autograd.value import Constant, Value, as_float

MODES = ("backward", "forward")


@dataclass(frozen=True)
class Step:
    """One frame: the index of the node being processed (None while seeding the leaves), the
    numbers known after it (gradients, or tangents in forward mode), and what happened."""

    current: int | None
    grads: dict[Value, float]
    caption: str


def render_steps(
    root: Value,
    folder: str | os.PathLike[str],
    *,
    rankdir: str = "LR",
    max_nodes: int = 100,
    mode: str = "backward",
    tangents: Mapping[Value, float] | None = None,
) -> Path:
    """Write ``step-000.svg`` ... (one per step of a sweep over ``root``'s graph) and
    ``index.html``, a page that steps through them, into ``folder``; returns the page's path.

    ``mode="backward"`` draws the backward sweep: gradients appear as they arrive (``?``
    before). ``mode="forward"`` draws forward mode's tangent sweep, seeded by ``tangents``, a
    mapping from leaves to numbers (``{x: 1.0}`` gives d(node)/dx at every node; leaves left out
    stay fixed, with tangent 0); it may be omitted when the graph has a single leaf that is not a
    constant, which then gets tangent 1. Either way every edge into an operation is labelled with
    its local derivative and the node being processed is highlighted. The page needs no network
    and works opened as a local file: Previous/Next buttons or the arrow keys. Without Graphviz's
    ``dot`` program, GraphvizNotFoundError says how to install it.
    """
    if mode not in MODES:
        raise ValueError(f"render_steps: mode must be 'backward' or 'forward', got {mode!r}")
    order = checked_order(root, rankdir, max_nodes, "render_steps")
    if mode == "backward":
        if tangents is not None:
            raise ValueError("render_steps: tangents seed the forward sweep; pass mode='forward'")
        steps, quantity = sweep(order), "grad"
    else:
        steps, quantity = tangent_sweep(order, seeds(order, tangents)), "tangent"
    local = {
        i: RULES[node.op].vjp(1.0, node.data, *(p.data for p in node.parents))
        for i, node in enumerate(order)
        if node.parents
    }
    # Every frame gives a node's number cell room for the widest text it will show, so nodes
    # keep their size, and Graphviz lays every frame out the same: nothing jumps between steps.
    widths = {
        node: max(
            _text_width(
                f"{quantity} {step.grads[node]:.4g}" if node in step.grads else f"{quantity} ?"
            )
            for step in steps
        )
        for node in order
    }
    out = Path(folder)
    width = max(3, len(str(len(steps) - 1)))
    names = [f"step-{k:0{width}d}.svg" for k in range(len(steps))]
    graphs = [
        build(
            order,
            rankdir,
            grads=step.grads,
            edge_labels=local.__getitem__,
            current=step.current,
            grad_widths=widths,
            quantity=quantity,
        )
        for step in steps
    ]
    # Every frame is laid out alike, so the first tells whether the full layout works; the
    # others then take the same one, one Graphviz process per frame, as many as there are cores.
    first, full = pipe_layout(graphs[0], "svg", names[0])
    out.mkdir(parents=True, exist_ok=True)  # made once the first frame is drawn
    write_atomic(out / names[0], first)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        svgs = pool.map(
            lambda graph, name: pipe_layout(graph, "svg", name, full=full)[0],
            graphs[1:],
            names[1:],
        )
        for name, svg in zip(names[1:], svgs, strict=True):
            write_atomic(out / name, svg)
    page = out / "index.html"
    title = "Backward pass" if mode == "backward" else "Forward mode: the tangent sweep"
    captions = [step.caption for step in steps]
    write_atomic(page, viewer(names, captions, f"{title}, step by step").encode("utf-8"))
    return page


def _text_width(text: str, fontsize: float = 11.0) -> int:
    """A generous estimate of ``text``'s width in points in a Helvetica-like font, plus padding."""
    return math.ceil(len(text) * fontsize * 0.62) + 8


# --- how captions speak of the graph's nodes ---------------------------------------------------


def _number(x: float) -> str:
    return f"{x:.4g}"


def _short(node: Value) -> str:
    """A node inside an expression: its label, else its data."""
    return node.label or _number(node.data)


def _operand(node: Value) -> str:
    """A node as an operand in a formula: its short name, in parentheses unless it is a name or
    an unsigned number (``x``, ``2.5``, but ``(-0.7)``, ``(my input)``)."""
    text = _short(node)
    return text if re.fullmatch(r"[^\W\d]\w*|\d+(\.\d+)?", text) else f"({text})"


def _expression(node: Value) -> str:
    """How an operation's result was made, in terms of its operands: ``x * w``, ``tanh(z)``."""
    parents = node.parents
    if len(parents) == 2:
        return f"{_short(parents[0])} {node.op} {_short(parents[1])}"
    a = _short(parents[0])
    prefix = {"neg": "-", "pos": "+"}
    if node.op in prefix:
        return f"{prefix[node.op]}{_operand(parents[0])}"
    return f"|{a}|" if node.op == "abs" else f"{node.op}({a})"


def _namer(root: Value) -> Callable[[Value], str]:
    def name(node: Value) -> str:
        """How a caption refers to a node: its label, else what it is and holds."""
        if node.label:
            return node.label
        if not node.parents:
            kind = "the constant" if isinstance(node, Constant) else "the leaf with data"
            return f"{kind} {_number(node.data)}"
        made = f"{_expression(node)} (= {_number(node.data)})"
        return f"the output {made}" if node is root else made

    return name


# The operands' letters in a rule's formula ("b, a" for *), standing alone as variables.
_LETTER = re.compile(r"(?<![A-Za-z])[ab](?![A-Za-z])")


def local_derivatives(node: Value) -> list[str]:
    """Each local derivative of ``node`` written with the graph's own operands, not the rule's
    letters: for ``x * w``, ``["w", "x"]``; empty strings where the formula has no such form."""
    rule = RULES[node.op]
    parts = rule.formula.split(", ") if rule.arity == 2 else [rule.formula]
    if len(parts) != len(node.parents):
        return [""] * len(node.parents)
    names = dict(zip("ab", map(_operand, node.parents), strict=False))
    return [_LETTER.sub(lambda m: names[m.group()], part) for part in parts]


def _factor(formula: str, d: float) -> str:
    """A local derivative as a factor: its number, with its formula when that says more."""
    number = _number(d)
    return number if formula in ("", number) else f"({formula} = {number})"


# --- the sweeps ---------------------------------------------------------------------------------


def sweep(order: list[Value]) -> list[Step]:
    """The backward sweep over ``order`` (root last), as the engine runs it, one Step per node."""
    root = order[-1]
    name = _namer(root)
    grads: dict[Value, float] = {root: 1.0}
    seed = f"The sweep starts at {name(root)}, whose grad is 1 (its own derivative)."
    steps = [Step(len(order) - 1, dict(grads), seed)]
    for i, shares in chain_rule(order, grads, float):
        node = order[i]
        g = grads[node]
        local = RULES[node.op].vjp(1.0, node.data, *(p.data for p in node.parents))
        sent = "; ".join(
            f"{_number(g)} × {_factor(formula, d)} = {_number(share)} to {name(p)}"
            for p, formula, d, share in zip(
                node.parents, local_derivatives(node), local, shares, strict=True
            )
        )
        caption = (
            f"At {name(node)}, whose grad {_number(g)} is now complete: the {node.op} operation "
            f"passes on its grad times each local derivative: {sent}."
        )
        steps.append(Step(i, dict(grads), caption))
    return steps


def seeds(order: list[Value], given: Mapping[Value, float] | None) -> dict[Value, float]:
    """The leaves' tangents for a forward sweep over ``order``, checked: ``given`` maps leaves of
    the graph to numbers; None will do for a graph with one leaf that is not a constant."""
    leaves = [node for node in order if not node.parents]
    if given is None:
        variables = [node for node in leaves if not isinstance(node, Constant)]
        if len(variables) == 1:
            return {variables[0]: 1.0}
        name = _namer(order[-1])
        listed = ", ".join(name(node) for node in variables) or "none"
        raise ValueError(
            "render_steps(mode='forward') needs tangents={leaf: number, ...} to say how the "
            f"leaves move; the graph's leaves that are not constants: {listed}"
        )
    if not isinstance(given, Mapping):
        raise TypeError(
            f"render_steps: tangents must be a mapping from leaves to numbers, "
            f"got {type(given).__name__}"
        )
    in_graph = set(order)
    checked: dict[Value, float] = {}
    for node, t in given.items():
        if not isinstance(node, Value):
            raise TypeError(
                f"render_steps: tangents' keys must be Values, got {type(node).__name__}"
            )
        if node not in in_graph:
            raise ValueError(f"render_steps: tangents seed {node!r}, which is not in the graph")
        if node.parents:
            raise ValueError(
                f"render_steps: tangents seed leaves only; {_namer(order[-1])(node)} is made by "
                f"{node.op}"
            )
        checked[node] = as_float(t, "render_steps: a tangent")
    return checked


def tangent_sweep(order: list[Value], seeds: Mapping[Value, float]) -> list[Step]:
    """Forward mode's tangent sweep over ``order`` (each node after its operands), as
    :func:`autograd.functional.jvp` runs it, one Step per operation after the seeds."""
    name = _namer(order[-1])
    known: dict[Value, float] = dict(seeds)  # what jvp knows: seeded, or reached from a seed
    shown = {node: known.get(node, 0.0) for node in order if not node.parents}
    given = ", ".join(f"{name(node)}: {_number(t)}" for node, t in seeds.items()) or "none"
    caption = (
        f"The tangent sweep starts at the leaves. Tangents given: {given}; every other leaf, "
        "constants included, has tangent 0. A node's tangent is how fast it moves as the leaves "
        "move at these rates."
    )
    steps = [Step(None, dict(shown), caption)]
    for i, node in enumerate(order):
        if not node.parents:
            continue
        t = tangent(node, known, graph=False)
        if t is not None:
            known[node] = t
        shown[node] = 0.0 if t is None else t
        local = RULES[node.op].vjp(1.0, node.data, *(p.data for p in node.parents))
        terms = " + ".join(
            f"{_factor(formula, d)} × {_number(shown[p])} from {name(p)}"
            for p, formula, d in zip(node.parents, local_derivatives(node), local, strict=True)
        )
        caption = (
            f"At {name(node)}: its tangent is the sum over its operands of local derivative × "
            f"tangent: {terms} = {_number(shown[node])}."
        )
        steps.append(Step(i, dict(shown), caption))
    return steps


def viewer(
    frames: list[str], captions: list[str], title: str = "Backward pass, step by step"
) -> str:
    """The self-contained HTML page that steps through ``frames`` (file names) with captions."""
    data = json.dumps([{"src": f, "caption": c} for f, c in zip(frames, captions, strict=True)])
    # Inside <script>, "</script>" or "<!--" in a caption must not end or change the script.
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    links = "\n".join(
        f'<li><a href="{html.escape(f)}">{html.escape(c)}</a></li>'
        for f, c in zip(frames, captions, strict=True)
    )
    # One pass, so text substituted for one placeholder is never taken for another.
    return PAGE.substitute(
        title=html.escape(title),
        first_src=html.escape(frames[0]),
        first_caption=html.escape(captions[0]),
        last=len(frames) - 1,
        links=links,
        frames=data,
    )


PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 1rem 2rem; color: #111827; }
  nav { display: flex; gap: 1rem; align-items: center; margin: 0.5rem 0; }
  button { font: inherit; padding: 0.3rem 0.9rem; cursor: pointer; }
  button:disabled { cursor: default; opacity: 0.4; }
  #caption { min-height: 3em; white-space: pre-wrap; }
  #frame { max-width: 100%; height: auto; border: 1px solid #e5e7eb; }
  .hint { color: #6b7280; font-size: 0.9em; }
</style>
</head>
<body>
<h1>$title</h1>
<nav>
  <button id="previous" type="button">&#9664; Previous</button>
  <span id="counter" aria-live="polite">Step 0 of $last</span>
  <button id="next" type="button">Next &#9654;</button>
  <span class="hint">or use the &larr; and &rarr; keys</span>
</nav>
<p id="caption">$first_caption</p>
<img id="frame" src="$first_src" alt="computation graph at this step">
<noscript><ol>
$links
</ol></noscript>
<script>
"use strict";
const frames = $frames;
const image = document.getElementById("frame");
const caption = document.getElementById("caption");
const counter = document.getElementById("counter");
const previous = document.getElementById("previous");
const next = document.getElementById("next");
let current = 0;

function show(k) {
  current = Math.max(0, Math.min(frames.length - 1, k));
  image.src = frames[current].src;
  caption.textContent = frames[current].caption;
  counter.textContent = "Step " + current + " of " + (frames.length - 1);
  previous.disabled = current === 0;
  next.disabled = current === frames.length - 1;
  // The frame number in the address lets a reload or a shared link open the same frame.
  try { history.replaceState(null, "", "#" + current); } catch (error) { /* some file: URLs */ }
}

previous.addEventListener("click", () => show(current - 1));
next.addEventListener("click", () => show(current + 1));
document.addEventListener("keydown", (event) => {
  if (event.key === "ArrowRight") show(current + 1);
  else if (event.key === "ArrowLeft") show(current - 1);
  else if (event.key === "Home") show(0);
  else if (event.key === "End") show(frames.length - 1);
  else return;
  event.preventDefault();
});
// Load every frame now, so stepping never waits.
for (const frame of frames) new Image().src = frame.src;
show(parseInt(location.hash.slice(1), 10) || 0);
</script>
</body>
</html>
""")
