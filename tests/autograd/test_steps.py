"""render_steps: one frame per step of the backward sweep, and the page that steps through them."""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd import Value, render_steps, topological_order
from autograd.draw import GraphvizNotFoundError
from autograd.steps import sweep
from tests.autograd.expressions import VALUES, Tree, trees, variable_values

SVG = "{http://www.w3.org/2000/svg}"


def seed_example() -> tuple[Value, Value, Value, Value]:
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


def shown_grad(group: ET.Element) -> str:
    """What a value node shows after 'grad ' (a number, or ? while it has not arrived)."""
    lines = texts(group)
    start = lines.index("grad ") + 1 if "grad " in lines else None
    if start is not None:
        return lines[start]
    return next(line for line in lines if line.startswith("grad "))[len("grad ") :]


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Value, list[Value]]:
    J, *_ = seed_example()
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
    J, a, *_ = seed_example()
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
        render_steps(seed_example()[0], folder)
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
