"""The backward sweep drawn step by step: one SVG per step and a page that steps through them.

Step 0 seeds the output with gradient 1; each later step takes the next node in reverse
topological order and passes its gradient to its parents, each share being the node's gradient
times the local derivative written on the edge. The sweep is replayed on the side: no ``.grad``
changes.
"""

from __future__ import annotations

import html
import json
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from string import Template

from autograd.draw import build, checked_order, pipe, write_atomic
from autograd.engine import sweep as chain_rule
from autograd.rules import RULES
from autograd.value import Constant, Value


@dataclass(frozen=True)
class Step:
    """One frame: the node being processed, the gradients known after it, and what happened."""

    current: int
    grads: dict[Value, float]
    caption: str


def render_steps(
    root: Value, folder: str | os.PathLike[str], *, rankdir: str = "LR", max_nodes: int = 100
) -> Path:
    """Write ``step-000.svg`` ... (one per step of ``root``'s backward sweep) and ``index.html``,
    a page that steps through them, into ``folder``; returns the page's path.

    Every edge into an operation is labelled with its local derivative, the node being processed
    is highlighted, and gradients appear as they arrive (``?`` before). The page needs no
    network and works opened as a local file: Previous/Next buttons or the arrow keys. Without
    Graphviz's ``dot`` program, GraphvizNotFoundError says how to install it.
    """
    order = checked_order(root, rankdir, max_nodes, "render_steps")
    local = {
        i: RULES[node.op].vjp(1.0, node.data, *(p.data for p in node.parents))
        for i, node in enumerate(order)
        if node.parents
    }
    steps = sweep(order)
    # Every frame gives a node's grad cell room for the widest text it will show, so nodes keep
    # their size, and Graphviz lays every frame out the same: nothing jumps between steps.
    widths = {
        node: max(
            _text_width(f"grad {step.grads[node]:.4g}" if node in step.grads else "grad ?")
            for step in steps
        )
        for node in order
    }
    out = Path(folder)  # write_atomic creates it with the first frame
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
        )
        for step in steps
    ]
    # One Graphviz process per frame, as many at a time as there are cores.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        svgs = pool.map(lambda graph, name: pipe(graph, "svg", name), graphs, names)
        for name, svg in zip(names, svgs, strict=True):
            write_atomic(out / name, svg)
    page = out / "index.html"
    write_atomic(page, viewer(names, [step.caption for step in steps]).encode("utf-8"))
    return page


def _text_width(text: str, fontsize: float = 11.0) -> int:
    """A generous estimate of ``text``'s width in points in a Helvetica-like font, plus padding."""
    return math.ceil(len(text) * fontsize * 0.62) + 8


def sweep(order: list[Value]) -> list[Step]:
    """The backward sweep over ``order`` (root last), as the engine runs it, one Step per node."""
    root = order[-1]

    def name(node: Value) -> str:
        """How a caption refers to a node: its label, else what it is."""
        if node.label:
            return node.label
        if node is root:
            return "the output"
        if isinstance(node, Constant):
            return f"the constant {node.data:.4g}"
        return f"the {node.op} node" if node.op else "an unlabelled leaf"

    grads: dict[Value, float] = {root: 1.0}
    seed = f"The sweep starts at {name(root)}, whose grad is 1 (its own derivative)."
    steps = [Step(len(order) - 1, dict(grads), seed)]
    for i, shares in chain_rule(order, grads, float):
        node = order[i]
        rule = RULES[node.op]
        sent = ", ".join(
            f"{share:.4g} to {name(p)}" for p, share in zip(node.parents, shares, strict=True)
        )
        caption = (
            f"At {name(node)}, whose grad {grads[node]:.4g} is now complete: {node.op} passes "
            f"grad times its local derivatives ({rule.formula}) on: {sent}."
        )
        steps.append(Step(i, dict(grads), caption))
    return steps


def viewer(frames: list[str], captions: list[str]) -> str:
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
<title>Backward pass, step by step</title>
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
<h1>Backward pass, step by step</h1>
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
