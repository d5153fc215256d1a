"""render_steps: one frame per step of the backward sweep, and the page that steps through them."""

from __future__ import annotations

import json
import math
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd import Value, render_steps, topological_order
from autograd.draw import GraphvizNotFoundError
from autograd.functional import jvp
from autograd.steps import seeds, sweep, tangent_sweep
from tests.autograd.expressions import VALUES, Tree, trees, variable_values

SVG = "{http://www.w3.org/2000/svg}"


def notes_example() -> tuple[Value, Value, Value, Value]:
    """J = 3 (a + b c) with a, b, c = 5, 3, 2 (no backward run: the drawings must not need it)."""
    a, b, c = Value(5.0, "a"), Value(3.0, "b"), Value(2.0, "c")
    return 3 * (a + b * c), a, b, c


def frames(folder: Path) -> list[ET.Element]:
    return [ET.fromstring(p.read_bytes()) for p in sorted(folder.glob("step-*.svg"))]


def groups(svg: ET.Element, kind: str) -> dict[str, ET.Element]:
    return {
        g.findtext(f"{SVG}title", ""): g
        for g in svg.iter(f"{SVG}g")
        if kind in (g.get("class") or "").split()
    }


def texts(group: ET.Element) -> list[str]:
    return [t.text or "" for t in group.iter(f"{SVG}text")]


def shown_grad(group: ET.Element, quantity: str = "grad") -> str:
    """What a value node shows after 'grad ' (or 'tangent '): a number, or ? while it has not
    arrived."""
    lines = texts(group)
    start = lines.index(f"{quantity} ") + 1 if f"{quantity} " in lines else None
    if start is not None:
        return lines[start]
    return next(line for line in lines if line.startswith(f"{quantity} "))[len(quantity) + 1 :]


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Value, list[Value]]:
    J, *_ = notes_example()
    folder = tmp_path_factory.mktemp("steps")
    page = render_steps(J, folder)
    assert page == folder / "index.html"
    return folder, J, topological_order(J)


# --- the frames ----------------------------------------------------------------------------------


def test_one_frame_for_the_seed_and_one_per_operation(
    drawn: tuple[Path, Value, list[Value]],
) -> None:
    folder, _, order = drawn
    interior = sum(1 for node in order if node.parents)
    names = sorted(p.name for p in folder.glob("step-*.svg"))
    assert names == [f"step-{k:03d}.svg" for k in range(1 + interior)]


def test_each_frame_highlights_the_node_being_processed(
    drawn: tuple[Path, Value, list[Value]],
) -> None:
    folder, _, order = drawn
    expected = [len(order) - 1] + [i for i in reversed(range(len(order))) if order[i].parents]
    current = [sorted(groups(svg, "current")) for svg in frames(folder)]
    assert current == [[f"v{i}"] for i in expected]


def test_gradients_appear_as_they_arrive_and_end_as_backward_leaves_them(
    drawn: tuple[Path, Value, list[Value]],
) -> None:
    folder, J, order = drawn
    shown = [
        {name: shown_grad(g) for name, g in groups(svg, "value").items()} for svg in frames(folder)
    ]
    assert [k for k, grad in shown[0].items() if grad != "?"] == [f"v{len(order) - 1}"]
    arrived = [sum(grad != "?" for grad in frame.values()) for frame in shown]
    assert arrived == sorted(arrived)  # once a gradient is shown it stays
    J.backward()
    assert shown[-1] == {f"v{i}": f"{node.grad:.4g}" for i, node in enumerate(order)}


def test_every_edge_into_an_operation_carries_its_local_derivative(
    drawn: tuple[Path, Value, list[Value]],
) -> None:
    folder, _, order = drawn
    # For J = 3 (a + b c): d(bc)/db = c, d(bc)/dc = b, d(a + bc)/d(each) = 1,
    # dJ/d3 = a + bc, dJ/d(a + bc) = 3.
    bc = next(node for node in order if node.op == "*" and node.parents[0].label == "b")
    b, c = bc.parents
    total = next(node for node in order if node.op == "+")
    three, _ = order[-1].parents
    expected = {
        (b, bc): c.data,
        (c, bc): b.data,
        (total.parents[0], total): 1.0,
        (total.parents[1], total): 1.0,
        (three, order[-1]): total.data,
        (total, order[-1]): three.data,
    }
    wanted = {
        f"v{order.index(parent)}->v{order.index(child)}op": f"{d:.4g}"
        for (parent, child), d in expected.items()
    }
    for svg in frames(folder):
        labelled = {name: texts(g) for name, g in groups(svg, "edge").items() if "op" in name[-2:]}
        assert {name: label for name, label in labelled.items() if label} == {
            name: [label] for name, label in wanted.items()
        }


def _layout(svg: ET.Element) -> dict[str, str | None]:
    """Where everything is drawn: the canvas size and the outline of every node and edge."""
    where: dict[str, str | None] = {"size": f"{svg.get('width')} x {svg.get('height')}"}
    for kind in ("node", "edge"):
        for name, g in groups(svg, kind).items():
            outline = next(el for el in g if el.tag[len(SVG) :] in ("polygon", "ellipse", "path"))
            where[name] = (
                outline.get("points")
                or outline.get("d")
                or " ".join(f"{outline.get(a)}" for a in ("cx", "cy", "rx", "ry"))
            )
    return where


@pytest.mark.parametrize("long_label", [False, True])
def test_nothing_moves_between_frames(tmp_path: Path, long_label: bool) -> None:
    # Gradients of very different lengths arrive (7.5e-05 next to 1), and a long label makes
    # the graph narrower than any caption would be.
    x = Value(4.0, "an unusually long label for x" if long_label else "x")
    y = (x * x + 1).tanh() * x + x
    render_steps(y, tmp_path)
    layouts = [_layout(svg) for svg in frames(tmp_path)]
    assert len(layouts) > 3
    assert all(layout == layouts[0] for layout in layouts)


def test_drawing_the_steps_changes_no_grad(tmp_path: Path) -> None:
    J, a, *_ = notes_example()
    a.grad = 7.0  # a leaf's gradient from an earlier backward stays as it was
    render_steps(J, tmp_path)
    assert [n.grad for n in topological_order(J)] == [
        7.0 if n is a else 0.0 for n in topological_order(J)
    ]


def test_a_lone_leaf_has_one_frame(tmp_path: Path) -> None:
    render_steps(Value(2.0, "x"), tmp_path)
    (svg,) = frames(tmp_path)
    assert list(groups(svg, "current")) == ["v0"]
    assert shown_grad(groups(svg, "value")["v0"]) == "1"


def test_a_graph_over_max_nodes_is_refused(tmp_path: Path) -> None:
    v = Value(0.1)
    for _ in range(100):
        v = v.tanh()
    with pytest.raises(ValueError, match=r"101 Values.*render_steps\(\.\.\., max_nodes=101\)"):
        render_steps(v, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_render_steps_needs_a_value(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="float"):
        render_steps(1.0, tmp_path)  # type: ignore[arg-type]


def test_without_graphviz_the_error_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    folder = tmp_path / "steps"
    with pytest.raises(
        GraphvizNotFoundError, match=r"(?i)step-000\.svg.*install graphviz with: \S+"
    ):
        render_steps(notes_example()[0], folder)
    assert not folder.exists()


# --- the sweep, against the engine ---------------------------------------------------------------


def _build(tree: Tree, xs: list[float]) -> Value:
    out = VALUES.evaluate(tree, [Value(x, f"x{i}") for i, x in enumerate(xs)])
    return out if isinstance(out, Value) else Value(out)


@settings(max_examples=100)
@given(trees(max_leaves=10), st.lists(variable_values, min_size=3, max_size=3))
def test_the_replayed_sweep_ends_with_exactly_the_engines_gradients(
    tree: Tree, xs: list[float]
) -> None:
    root = _build(tree, xs)
    order = topological_order(root)
    try:
        steps = sweep(order)
        root.backward()
    except (ValueError, ArithmeticError):
        assume(False)
    interior = [i for i in reversed(range(len(order))) if order[i].parents]
    assert [step.current for step in steps] == [len(order) - 1, *interior]
    final = steps[-1].grads
    assert set(final) == set(order)
    for node in order:
        assert final[node] == node.grad or (math.isnan(final[node]) and math.isnan(node.grad))
    # A node's gradient is complete once it is processed: no later step changes it.
    for k, i in enumerate(interior, start=1):
        assert all(later.grads[order[i]] == steps[k].grads[order[i]] for later in steps[k:])


# --- the page ------------------------------------------------------------------------------------


class _Page(HTMLParser):
    """Every tag with its attributes, and the text of each script."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def _page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text("utf-8"))
    return page


def test_the_page_uses_only_its_own_frames_and_no_network(
    drawn: tuple[Path, Value, list[Value]],
) -> None:
    folder, _, _ = drawn
    page = _page(folder / "index.html")
    references = [
        value
        for _, attrs in page.tags
        for key, value in attrs.items()
        if key in ("src", "href") and value is not None
    ]
    assert references and all((folder / ref).is_file() for ref in references)
    assert all(tag not in ("link", "iframe", "object") for tag, _ in page.tags)
    assert all("src" not in attrs for tag, attrs in page.tags if tag == "script")
    assert not re.search(r"(?i)https?:|//[a-z]|fetch\(|XMLHttpRequest|import\(", page.scripts[0])


def test_captions_with_markup_stay_text(tmp_path: Path) -> None:
    hostile = '</script><script>alert("x")</script><!-- $frames ${frames}'
    x = Value(2.0, hostile)
    y = (x * x).tanh()
    render_steps(y, tmp_path)
    page = _page(tmp_path / "index.html")
    assert len(page.scripts) == 1
    match = re.search(r"const frames = (\[.*?\]);\n", page.scripts[0], re.S)
    assert match
    data = json.loads(match.group(1))
    steps = sweep(topological_order(y))
    assert [f["caption"] for f in data] == [step.caption for step in steps]
    assert [f["src"] for f in data] == sorted(p.name for p in tmp_path.glob("step-*.svg"))
    assert any(hostile in f["caption"] for f in data)


# --- captions speak of the graph's own nodes ---------------------------------------------------

# A rule's own operand letters (its formula for * is "b, a"), standing alone as a variable.
RULE_LETTER = re.compile(r"(?<![A-Za-z])[ab](?![A-Za-z])")


def neuron() -> tuple[Value, Value, Value, Value]:
    """tanh(x w + b) with x, w, b = 0.5, -2, 0.3: the graph whose captions once said (b, a)."""
    x, w, b = Value(0.5, "x"), Value(-2.0, "w"), Value(0.3, "b")
    return (x * w + b).tanh(), x, w, b


def test_backward_captions_name_the_operands_by_label_or_value() -> None:
    y, *_ = neuron()
    captions = [step.caption for step in sweep(topological_order(y))]
    assert captions == [
        "The sweep starts at the output tanh(-0.7) (= -0.6044), whose grad is 1 "
        "(its own derivative).",
        "At the output tanh(-0.7) (= -0.6044), whose grad 1 is now complete: the tanh operation "
        "passes on its grad times each local derivative: "
        "1 × (1 - tanh²(-0.7) = 0.6347) = 0.6347 to -1 + b (= -0.7).",
        "At -1 + b (= -0.7), whose grad 0.6347 is now complete: the + operation passes on its "
        "grad times each local derivative: 0.6347 × 1 = 0.6347 to x * w (= -1); "
        "0.6347 × 1 = 0.6347 to b.",
        "At x * w (= -1), whose grad 0.6347 is now complete: the * operation passes on its grad "
        "times each local derivative: 0.6347 × (w = -2) = -1.269 to x; "
        "0.6347 × (x = 0.5) = 0.3174 to w.",
    ]
    # The product x * w never speaks of b, the node the rule's letters once named.
    assert not RULE_LETTER.search(captions[-1])
    assert not any(re.search(r"the \S+ node", caption) for caption in captions)


def test_forward_captions_name_the_operands_by_label_or_value() -> None:
    y, x, *_ = neuron()
    order = topological_order(y)
    captions = [step.caption for step in tangent_sweep(order, {x: 1.0})]
    assert captions == [
        "The tangent sweep starts at the leaves. Tangents given: x: 1; every other leaf, "
        "constants included, has tangent 0. A node's tangent is how fast it moves as the leaves "
        "move at these rates.",
        "At x * w (= -1): its tangent is the sum over its operands of local derivative × "
        "tangent: (w = -2) × 1 from x + (x = 0.5) × 0 from w = -2.",
        "At -1 + b (= -0.7): its tangent is the sum over its operands of local derivative × "
        "tangent: 1 × -2 from x * w (= -1) + 1 × 0 from b = -2.",
        "At the output tanh(-0.7) (= -0.6044): its tangent is the sum over its operands of "
        "local derivative × tangent: (1 - tanh²(-0.7) = 0.6347) × -2 from -1 + b (= -0.7) "
        "= -1.269.",
    ]


def test_unlabelled_leaves_and_constants_are_named_by_their_values() -> None:
    z = Value(2.0)
    y = (z**3 - z / 4).exp()
    order = topological_order(y)
    backward = " ".join(step.caption for step in sweep(order))
    assert "1808 × (3·2^(3-1) = 12) = 2.17e+04 to the leaf with data 2" in backward
    assert "to the constant 4" in backward
    forward = " ".join(step.caption for step in tangent_sweep(order, seeds(order, None)))
    assert "Tangents given: the leaf with data 2: 1;" in forward
    assert "(1/4 = 0.25) × 1 from the leaf with data 2 + (-2/4² = -0.125) × 0 from" in forward


@settings(max_examples=100)
@given(trees(max_leaves=10), st.lists(variable_values, min_size=3, max_size=3))
def test_no_caption_uses_a_rules_own_letters(tree: Tree, xs: list[float]) -> None:
    root = _build(tree, xs)
    order = topological_order(root)
    leaves = [node for node in order if node.label]
    try:
        steps = sweep(order) + tangent_sweep(order, {leaf: 1.0 for leaf in leaves})
    except (ValueError, ArithmeticError):
        assume(False)
    for step in steps:
        assert not RULE_LETTER.search(step.caption), step.caption


# --- the forward sweep -------------------------------------------------------------------------


@settings(max_examples=100)
@given(
    trees(max_leaves=10),
    st.lists(variable_values, min_size=3, max_size=3),
    st.lists(variable_values, min_size=3, max_size=3),
)
def test_the_replayed_tangent_sweep_ends_with_exactly_jvps_tangent(
    tree: Tree, xs: list[float], v: list[float]
) -> None:
    def f(*inputs: Value) -> Value:
        out = VALUES.evaluate(tree, list(inputs))
        return out if isinstance(out, Value) else Value(out)

    leaves = [Value(x, f"x{i}") for i, x in enumerate(xs)]
    root = f(*leaves)
    order = topological_order(root)
    try:
        steps = tangent_sweep(order, {leaf: t for leaf, t in zip(leaves, v, strict=True)})
        _, expected = jvp(f, xs, v)
    except (ValueError, ArithmeticError):
        assume(False)
    interior = [i for i, node in enumerate(order) if node.parents]
    assert [step.current for step in steps] == [None, *interior]
    assert set(steps[0].grads) == {node for node in order if not node.parents}
    final = steps[-1].grads[root]
    assert final == expected or (math.isnan(final) and math.isnan(expected))
    # Each node's tangent is final once it is shown.
    for k, i in enumerate(interior, start=1):
        assert all(later.grads[order[i]] == steps[k].grads[order[i]] for later in steps[k:])


@pytest.fixture(scope="module")
def drawn_forward(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Value]]:
    J, _, b, _ = notes_example()
    folder = tmp_path_factory.mktemp("forward")
    assert render_steps(J, folder, mode="forward", tangents={b: 1.0}) == folder / "index.html"
    return folder, topological_order(J)


def test_forward_frames_follow_the_topological_order(
    drawn_forward: tuple[Path, list[Value]],
) -> None:
    folder, order = drawn_forward
    interior = [i for i, node in enumerate(order) if node.parents]
    current = [sorted(groups(svg, "current")) for svg in frames(folder)]
    assert current == [[]] + [[f"v{i}"] for i in interior]


def test_forward_frames_show_tangents_as_they_are_computed(
    drawn_forward: tuple[Path, list[Value]],
) -> None:
    folder, order = drawn_forward
    shown = [
        {name: shown_grad(g, "tangent") for name, g in groups(svg, "value").items()}
        for svg in frames(folder)
    ]
    # Leaves have their tangents from the start; each operation's arrives at its own step.
    leaves = [f"v{i}" for i, node in enumerate(order) if not node.parents]
    interior = [f"v{i}" for i, node in enumerate(order) if node.parents]
    for k, frame in enumerate(shown):
        assert {name for name, t in frame.items() if t != "?"} == {*leaves, *interior[:k]}
    # For J = 3 (a + b c) moving b alone: d(bc)/db = c = 2, d(a + bc)/db = 2, dJ/db = 6.
    b = next(node for node in order if node.label == "b")
    assert shown[-1] == {name: "0" for name in leaves} | {f"v{order.index(b)}": "1"} | {
        name: "6" if name == f"v{len(order) - 1}" else "2" for name in interior
    }


def test_forward_edges_carry_the_local_derivatives_and_the_page_is_titled(
    drawn_forward: tuple[Path, list[Value]],
) -> None:
    folder, order = drawn_forward
    local = {
        f"v{order.index(p)}->v{i}op": f"{d:.4g}"
        for i, node in enumerate(order)
        if node.parents
        for p, d in zip(
            node.parents,
            [node.parents[1].data, node.parents[0].data] if node.op == "*" else [1.0, 1.0],
            strict=True,
        )
    }
    for svg in frames(folder):
        labelled = {name: texts(g) for name, g in groups(svg, "edge").items() if "op" in name[-2:]}
        assert {name: label[0] for name, label in labelled.items() if label} == local
    page = (folder / "index.html").read_text("utf-8")
    assert "<title>Forward mode: the tangent sweep, step by step</title>" in page


def test_a_single_variable_needs_no_tangents(tmp_path: Path) -> None:
    x = Value(0.5, "x")
    y = (x * x + 1).tanh()
    render_steps(y, tmp_path, mode="forward")
    first, *_, last = frames(tmp_path)
    assert shown_grad(groups(first, "value")["v0"], "tangent") == "1"
    tangent = 2 * 0.5 * (1 - math.tanh(1.25) ** 2)
    assert (
        shown_grad(
            groups(last, "value")[f"v{len(topological_order((x * x + 1).tanh())) - 1}"], "tangent"
        )
        == f"{tangent:.4g}"
    )


def test_bad_modes_and_tangents_are_named(tmp_path: Path) -> None:
    y, x, *_ = neuron()
    with pytest.raises(ValueError, match=r"mode must be 'backward' or 'forward', got 'sideways'"):
        render_steps(y, tmp_path, mode="sideways")
    with pytest.raises(ValueError, match=r"tangents seed the forward sweep; pass mode='forward'"):
        render_steps(y, tmp_path, tangents={x: 1.0})
    with pytest.raises(ValueError, match=r"needs tangents=\{leaf: number.*: x, w, b$"):
        render_steps(y, tmp_path, mode="forward")
    with pytest.raises(ValueError, match=r"tangents seed .*, which is not in the graph"):
        render_steps(y, tmp_path, mode="forward", tangents={Value(1.0): 1.0})
    with pytest.raises(
        ValueError, match=r"tangents seed leaves only; x \* w \(= -1\) is made by \*"
    ):
        render_steps(y, tmp_path, mode="forward", tangents={y.parents[0].parents[0]: 1.0})
    with pytest.raises(TypeError, match=r"a tangent must be a real number.*got str"):
        render_steps(y, tmp_path, mode="forward", tangents={x: "1"})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match=r"tangents must be a mapping .*got list"):
        render_steps(y, tmp_path, mode="forward", tangents=[x])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"tangents' keys must be Values, got str"):
        render_steps(y, tmp_path, mode="forward", tangents={"x": 1.0})  # type: ignore[dict-item]
    assert list(tmp_path.iterdir()) == []


def test_once_a_frame_needs_the_simpler_layout_the_other_frames_start_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every frame has the same layout: when the full one crashes (or runs out of time) on the
    # first, trying it again on each of the others would cost each frame as long again.
    calls = tmp_path / "calls"
    program = tmp_path / "dot"
    program.write_text(
        f'#!/bin/sh\necho x >> "{calls}"\ngrep -q "nslimit=0" && echo "<svg/>" || kill -SEGV $$\n'
    )
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    x = Value(2.0, "x")
    y = (x * x + x).tanh()
    page = render_steps(y, tmp_path / "steps")
    frames = sorted(page.parent.glob("step-*.svg"))
    assert len(frames) == len(topological_order(y))
    assert len(calls.read_text().split()) == len(frames) + 1  # the full layout tried once
