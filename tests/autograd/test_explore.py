"""explore: the page's structure, its numbers, its escaping, its limits and its command.

What the page does in a browser is tested in test_explorer_browser.py (``make browser-test``).
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd import Explorer, Value, draw_dot, explore, grad, topological_order
from autograd.cli import main as autograd_main
from autograd.draw import drawn_scopes
from autograd.explore import local_derivatives, tangent_sweep
from autograd.rules import RULES
from nn import MLP
from nn.cli import main as chainrule_main
from tests.autograd.expressions import N_VARS, VALUES, Tree, trees, variable_values
from tests.autograd.test_steps import _Page as Tags  # every tag, and the text of each script

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = [
    "</script><script>window.pwned = 1</script>",
    '<img src=x onerror="window.pwned = 2">',
    "]]><!-- & \"quotes\" 'single' -->",
    "\\N \\G {braces} ${dollar}",
    "tab\tnul\x00 bell\x07 line\nbreak",
    "</svg><svg onload=alert(3)>",
]


def example() -> tuple[Value, Value, Value, Value]:
    """y = tanh(x w + b) x: x is used twice, so its grad is a sum of two terms."""
    x, w, b = Value(2.0, "x"), Value(-3.0, "w"), Value(1.0, "b")
    n = x * w + b
    n.label = "n"
    y = n.tanh() * x
    y.label = "y"
    return y, x, w, b


def parsed(page: str) -> Tags:
    tags = Tags()
    tags.feed(page)
    tags.close()
    return tags


def page_data(page: str) -> dict[str, object]:
    tags = parsed(page)
    (index,) = [
        k
        for k, (tag, attrs) in enumerate(t for t in tags.tags if t[0] == "script")
        if attrs.get("id") == "explorer-data"
    ]
    data: dict[str, object] = json.loads(tags.scripts[index])
    return data


def views(page: str) -> dict[str, ET.Element]:
    """The page's drawings by view name, parsed as XML."""
    found = re.findall(r'<div class="view" data-view="(\w+)">\s*(<svg.*?</svg>)', page, re.S)
    return {name: ET.fromstring(svg) for name, svg in found}


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    y, *_ = example()
    path = explore(y, tmp_path_factory.mktemp("explore") / "page.html")
    assert isinstance(path, Path)
    return path.read_text(encoding="utf-8")


# --- the page --------------------------------------------------------------------------------


def test_the_page_is_one_self_contained_file(page: str) -> None:
    tags = parsed(page)
    names = [tag for tag, _ in tags.tags]
    assert names.count("svg") == 1 and names.count("style") == 1
    assert [attrs.get("type") for tag, attrs in tags.tags if tag == "script"] == [
        "application/json",
        None,
    ]
    # Nothing is fetched: no element points anywhere, no stylesheet imports anything.
    for tag, attrs in tags.tags:
        for name in ("src", "href", "xlink:href", "action", "data"):
            assert name not in attrs, (tag, attrs)
    addresses = set(re.findall(r"https?://[^\s\"')]+", page))
    assert addresses <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert "@import" not in page and "url(" not in page
    assert "window.explorer = {" in tags.scripts[1]


def test_the_drawing_is_draw_dots(page: str) -> None:
    """Same nodes, same role classes, same colours; every value node has one grad text."""
    y, *_ = example()
    drawn = views(page)["detail"]
    reference = ET.fromstring(draw_dot(y).pipe(format="svg"))

    def roles(svg: ET.Element) -> list[str]:
        return sorted(
            g.get("class") or "" for g in svg.iter(f"{SVG}g") if "node" in (g.get("class") or "")
        )

    def fills(svg: ET.Element) -> set[str]:
        return {
            el.get("fill") or "" for el in svg.iter() if el.tag in (f"{SVG}polygon", f"{SVG}path")
        }

    assert roles(drawn) == roles(reference)
    assert fills(reference) - {"none"} <= fills(drawn)
    values = [g for g in drawn.iter(f"{SVG}g") if g.get("data-kind") == "value"]
    assert len(values) == len(topological_order(y))
    for g in values:
        texts = [t.text for t in g.iter(f"{SVG}text")]
        assert sum(1 for t in g.iter(f"{SVG}text") if t.get("class") == "grad") == 1
        assert any((t or "").startswith("data ") for t in texts)


def test_every_edge_into_an_operation_is_labelled_with_its_local_derivative(page: str) -> None:
    y, x, w, _ = example()
    order = topological_order(y)
    drawn = views(page)["detail"]
    labels = {}
    for g in drawn.iter(f"{SVG}g"):
        if g.get("data-k") is not None:
            key = (int(g.get("data-from", "")), int(g.get("data-to", "")), int(g.get("data-k", "")))
            labels[key] = [t.text for t in g.iter(f"{SVG}text")]
    expected = {
        (order.index(p), i, k): [f"{d:.4g}"]
        for i, node in enumerate(order)
        for k, (p, d) in enumerate(zip(node.parents, local_derivatives(node), strict=True))
    }
    assert labels == expected
    xw = next(node for node in order if node.op == "*" and node.parents == (x, w))
    assert local_derivatives(xw) == [w.data, x.data]


def test_an_operand_used_twice_gets_an_edge_for_each_use() -> None:
    """x / x: the two edges from x carry d/da = 1/b and d/db = -a/b², in operand order."""
    x = Value(2.0, "x")
    page = explore(x / x)
    assert isinstance(page, Explorer)
    edges = [
        (g.get("data-k"), [t.text for t in g.iter(f"{SVG}text")])
        for g in views(page.html)["detail"].iter(f"{SVG}g")
        if g.get("data-k") is not None
    ]
    assert sorted(edges) == [("0", ["0.5"]), ("1", ["-0.5"])]


def test_the_data_holds_every_node_in_topological_order(page: str) -> None:
    y, *_ = example()
    order = topological_order(y)
    data = page_data(page)
    nodes = data["nodes"]
    assert isinstance(nodes, list)
    assert [n["label"] for n in nodes] == [node.label for node in order]
    assert [n["data"] for n in nodes] == [node.data for node in order]
    assert [n["parents"] for n in nodes] == [
        [order.index(p) for p in node.parents] for node in order
    ]
    assert [n["local"] for n in nodes] == [local_derivatives(node) for node in order]
    rules = data["rules"]
    assert isinstance(rules, dict)
    assert rules["*"] == {"formula": RULES["*"].formula, "arity": 2}
    assert set(rules) == {"*", "+", "tanh"}


def test_explore_leaves_every_grad_alone() -> None:
    y, *_ = example()
    for k, node in enumerate(topological_order(y)):
        node.grad = k / 7
    before = [node.grad for node in topological_order(y)]
    page = explore(y)
    assert isinstance(page, Explorer)
    assert [node.grad for node in topological_order(y)] == before


def test_without_a_path_jupyter_shows_the_page_inline(tmp_path: Path) -> None:
    y, *_ = example()
    shown = explore(y)
    assert isinstance(shown, Explorer)
    inline = shown._repr_html_()
    assert inline.startswith('<iframe srcdoc="') and inline.endswith("</iframe>")
    # The whole page, escaped once into the attribute: no raw quote or tag ends it early.
    srcdoc = re.fullmatch(r'<iframe srcdoc="([^"]*)" .*', inline, re.S)
    assert srcdoc is not None
    from html import unescape

    assert unescape(srcdoc.group(1)) == shown.html
    assert shown.save(tmp_path / "saved.html").read_text(encoding="utf-8") == shown.html


def test_non_finite_values_are_red() -> None:
    x = Value(math.inf, "x")
    y = x * 0.0  # inf * 0 is nan
    page = explore(y)
    assert isinstance(page, Explorer)
    drawn = views(page.html)["detail"]
    red = [t.text for t in drawn.iter(f"{SVG}text") if t.get("fill") == "#dc2626"]
    assert "inf" in red and "nan" in red
    nodes = page_data(page.html)["nodes"]
    assert isinstance(nodes, list)
    assert [n["data"] for n in nodes][-1] == "nan"  # JSON has no NaN: the page decodes "nan"


def test_a_derivative_that_does_not_exist_is_nan() -> None:
    assert math.isnan(local_derivatives(Value(0.0).sqrt())[0])
    assert local_derivatives(Value(0.0).relu()) == [0.0]
    assert local_derivatives(Value(3.0)) == []


# --- tangents --------------------------------------------------------------------------------


def finite_graph(tree: Tree, xs: list[float]) -> tuple[list[Value], Value, list[Value]]:
    """The inputs, the root and the topological order of ``tree`` on Values labelled x0, x1, ...;
    hypothesis rejects a tree that is a number, or whose graph holds a NaN or an infinity."""
    inputs = [Value(x, f"x{i}") for i, x in enumerate(xs)]
    root = VALUES.evaluate(tree, inputs)
    assume(isinstance(root, Value))
    order = topological_order(root)
    assume(all(math.isfinite(node.data) for node in order))
    return inputs, root, order


@given(trees(), st.lists(variable_values, min_size=N_VARS, max_size=N_VARS), st.integers(0, 2))
def test_the_tangent_sweep_is_the_derivative(tree: Tree, xs: list[float], k: int) -> None:
    """Seeding one input with tangent 1 gives, at the output, d output / d input."""
    inputs, root, order = finite_graph(tree, xs)
    assume(inputs[k] in order)
    try:
        (expected,) = grad(root, [inputs[k]])
    except ValueError:  # a derivative that does not exist: the sweep has a NaN there
        assume(False)
    assume(math.isfinite(expected))
    tangent = tangent_sweep(order, {inputs[k]: 1.0})[-1]
    assert tangent == pytest.approx(expected, rel=1e-9, abs=1e-12)


@given(
    trees(),
    st.lists(variable_values, min_size=N_VARS, max_size=N_VARS),
    st.lists(variable_values, min_size=N_VARS, max_size=N_VARS),
)
def test_the_tangent_sweep_agrees_with_functional_jvp(
    tree: Tree, xs: list[float], v: list[float]
) -> None:
    """Seeding every input gives, at the output, autograd.functional.jvp's J v."""
    from autograd.functional import jvp

    inputs, _, order = finite_graph(tree, xs)
    try:
        _, expected = jvp(lambda *args: VALUES.evaluate(tree, list(args)), xs, v)
    except ValueError:  # a derivative that does not exist
        assume(False)
    assume(math.isfinite(expected))
    seeds = {x: t for x, t in zip(inputs, v, strict=True) if x in set(order)}
    tangent = tangent_sweep(order, seeds)[-1]
    assert tangent == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_tangents_appear_in_the_page() -> None:
    y, x, w, _ = example()
    page = explore(y, tangents={x: 1.0, w: 0.5})
    assert isinstance(page, Explorer)
    data = page_data(page.html)
    assert data["tangents"] is True
    nodes = data["nodes"]
    assert isinstance(nodes, list)
    dx, dw = grad(y, [x, w])
    assert nodes[-1]["tangent"] == pytest.approx(dx + 0.5 * dw, rel=1e-12)
    assert [n.get("seed", False) for n in nodes].count(True) == 2


@pytest.mark.parametrize(
    ("tangents", "error", "message"),
    [
        ([1.0], TypeError, "tangents must be a dict from leaf Values to numbers, got list"),
        ({"x": 1.0}, TypeError, "tangents keys must be Values, got str"),
        ({Value(1.0, "z"): 1.0}, ValueError, "the Value 'z' is not in the graph"),
        ("n", ValueError, "tangents are seeded at leaves; the Value 'n' is the result of '+'"),
        ("x", TypeError, "the tangent of 'x' must be a real number"),
    ],
)
def test_bad_tangents_are_refused_naming_the_problem(
    tangents: object, error: type[Exception], message: str
) -> None:
    y, x, *_ = example()
    n = y.parents[0].parents[0]
    if tangents == "n":
        tangents = {n: 1.0}
    elif tangents == "x":
        tangents = {x: "one"}
    with pytest.raises(error, match=re.escape(message)):
        explore(y, tangents=tangents)  # type: ignore[arg-type]


# --- escaping --------------------------------------------------------------------------------


@pytest.mark.parametrize("label", HOSTILE)
def test_no_label_can_inject_markup_or_script(label: str) -> None:
    x = Value(1.0, label)
    y = (x * 2.0).tanh()
    y.label = label
    with_scope = Value(3.0, "c")
    with_scope.scope = label  # a scope is drawn as a cluster's title
    page = explore(y * with_scope)
    assert isinstance(page, Explorer)
    tags = parsed(page.html)
    names = [tag for tag, _ in tags.tags]
    assert names.count("script") == 2 and "img" not in names
    assert names.count("svg") == 1
    assert not any(name.startswith("on") for _, attrs in tags.tags for name in attrs)
    # The labels reach the script as data, unchanged.
    nodes = page_data(page.html)["nodes"]
    assert isinstance(nodes, list)
    assert [n["label"] for n in nodes].count(label) == 2
    # ...and the drawing as text.
    drawn = views(page.html)["detail"]
    shown = "\n".join(t.text or "" for t in drawn.iter(f"{SVG}text"))
    first_line = label.split("\n")[0].split("\t")[0]
    assert first_line.split("\x00")[0] in shown


@pytest.mark.parametrize("label", HOSTILE)
def test_no_scope_can_inject_markup_into_the_collapsed_drawings(label: str) -> None:
    """A neuron's scope is drawn in the overview's box and in its own open drawing too."""
    x = Value(1.0, "x")
    w = Value(2.0, "w")
    w.scope = label
    y = (w * x).tanh()
    y.scope = label
    page = explore(y, collapse_over=1)
    assert isinstance(page, Explorer)
    tags = parsed(page.html)
    names = [tag for tag, _ in tags.tags]
    assert names.count("script") == 2 and "img" not in names
    assert not any(name.startswith("on") for _, attrs in tags.tags for name in attrs)
    divs = [attrs for tag, attrs in tags.tags if tag == "div" and "data-view" in attrs]
    assert [attrs["data-view"] for attrs in divs] == ["detail", "overview", "open"]
    assert names.count("svg") == 3
    clusters = page_data(page.html)["clusters"]
    assert isinstance(clusters, list)
    assert [c["scope"] for c in clusters] == [label]  # to the script as data, unchanged


def test_each_neuron_gets_a_drawing_of_its_own_with_the_others_boxed() -> None:
    model = MLP(2, [4, 4, 1], seed=0)
    y = model([0.5, -1.0])
    assert isinstance(y, Value)
    page = explore(y)
    assert isinstance(page, Explorer)
    clusters = page_data(page.html)["clusters"]
    assert isinstance(clusters, list)
    neurons = {c["id"]: c for c in clusters if c["neuron"]}
    found = re.findall(
        r'<div class="view" data-view="open" data-open="(\w+)">\s*(<svg.*?</svg>)', page.html, re.S
    )
    assert sorted(id for id, _ in found) == sorted(neurons)
    for id, svg in found:
        drawn = ET.fromstring(svg)
        boxed = {g.get("data-box") for g in drawn.iter(f"{SVG}g") if g.get("data-box")}
        assert boxed == set(neurons) - {id}
        shown = {int(g.get("data-node", "")) for g in drawn.iter(f"{SVG}g") if g.get("data-node")}
        assert set(neurons[id]["members"]) <= shown


# --- limits and arguments --------------------------------------------------------------------


def chain(n: int) -> Value:
    v = Value(0.5, "x")
    for _ in range(n - 1):
        v = v + 1.0
    return v


def test_graphs_over_max_nodes_are_refused_as_draw_dot_refuses_them() -> None:
    root = chain(6)  # 6 Values: x, five constants... and the sums
    count = len(topological_order(root))
    with pytest.raises(ValueError) as refused:
        explore(root, max_nodes=count - 1)
    with pytest.raises(ValueError) as drawn:
        draw_dot(root, max_nodes=count - 1)
    assert str(refused.value) == str(drawn.value).replace("draw_dot(", "explore(")
    assert f"pass explore(..., max_nodes={count})" in str(refused.value)
    assert isinstance(explore(root, max_nodes=count), Explorer)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"root": 3.0}, TypeError, "explore needs a Value, got float"),
        ({"max_nodes": 0}, ValueError, "max_nodes must be at least 1"),
        ({"rankdir": "XY"}, ValueError, "rankdir must be one of LR, RL, TB, BT"),
        ({"path": "page.svg"}, ValueError, "should end in .html (got suffix '.svg')"),
        ({"collapse_over": "10"}, TypeError, "collapse_over must be an int, got str"),
        ({"collapse_over": 10.0}, TypeError, "collapse_over must be an int, got float"),
        ({"collapse_over": True}, TypeError, "collapse_over must be an int, got bool"),
        ({"collapse_over": -1}, ValueError, "collapse_over must be at least 0, got -1"),
    ],
)
def test_bad_arguments_are_refused(
    kwargs: dict[str, object], error: type[Exception], message: str, tmp_path: Path
) -> None:
    arguments: dict[str, object] = {"root": example()[0]} | kwargs
    if isinstance(arguments.get("path"), str):
        arguments["path"] = tmp_path / str(arguments["path"])
    with pytest.raises(error, match=re.escape(message)):
        explore(**arguments)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_large_graphs_open_on_an_overview_with_one_box_per_neuron() -> None:
    model = MLP(2, [4, 4, 1], seed=0)
    y = model([0.5, -1.0])
    assert isinstance(y, Value)
    order = topological_order(y)
    page = explore(y)
    assert isinstance(page, Explorer)
    drawn = views(page.html)
    assert set(drawn) == {"detail", "overview"}
    boxes = [g for g in drawn["overview"].iter(f"{SVG}g") if g.get("data-box") is not None]
    assert len({g.get("data-box") for g in boxes}) == 9  # 4 + 4 + 1 neurons
    # Each box stands for its neuron's output, and shows the output's data.
    clusters = page_data(page.html)["clusters"]
    assert isinstance(clusters, list)
    outputs = {c["id"]: c["output"] for c in clusters}
    for g in boxes:
        if g.get("data-kind") != "value":
            continue
        i = outputs[g.get("data-box")]
        assert int(g.get("data-node", "")) == i
        texts = [t.text for t in g.iter(f"{SVG}text")]
        assert f"data {order[i].data:.4g}" in texts
    detail_nodes = [g for g in drawn["detail"].iter(f"{SVG}g") if g.get("data-kind") == "value"]
    assert len(detail_nodes) == len(order)


def test_the_overview_draws_what_follows_the_neurons() -> None:
    """A loss after the network: its nodes are drawn on the boxes, however far downstream."""
    model = MLP(2, [4, 4, 1], seed=0)
    y = model([0.5, -1.0])
    assert isinstance(y, Value)
    loss = ((y - 1.0) ** 2).tanh() * 0.5
    page = explore(loss)
    assert isinstance(page, Explorer)
    overview = views(page.html)["overview"]
    order = topological_order(loss)
    drawn = {int(g.get("data-node", "")) for g in overview.iter(f"{SVG}g") if g.get("data-node")}
    scopes = drawn_scopes(order)
    after = [i for i, node in enumerate(order) if not scopes[i] and node.parents]
    assert len(after) == 4  # -, **, tanh, *
    assert set(after) <= drawn and len(order) - 1 in drawn


def test_small_graphs_have_no_overview_unless_asked() -> None:
    y, *_ = example()
    small = explore(y)
    assert isinstance(small, Explorer)
    assert set(views(small.html)) == {"detail"}
    neuron = MLP(2, [1], seed=0)([0.5, -1.0])
    assert isinstance(neuron, Value)
    forced = explore(neuron, collapse_over=1)
    assert isinstance(forced, Explorer)
    assert set(views(forced.html)) == {"detail", "overview"}
    np = pytest.importorskip("numpy")
    numpy_count = explore(neuron, collapse_over=np.int64(1))  # as nn takes NumPy integers
    assert isinstance(numpy_count, Explorer)
    assert numpy_count.html == forced.html


# --- the command -----------------------------------------------------------------------------


@pytest.mark.parametrize("main", [autograd_main, chainrule_main])
def test_the_explore_command_writes_the_page(
    main: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "page.html"
    assert callable(main)
    status = main(["explore", "tanh(x*w + b)", "x=0.5", "w=-2", "b=0.3", "-o", str(target)])
    assert status == 0
    out, err = capsys.readouterr()
    assert out == f"tanh(x*w + b) = {math.tanh(0.5 * -2 + 0.3)!r}\n"
    assert f"wrote {target}" in err
    data = page_data(target.read_text(encoding="utf-8"))
    nodes = data["nodes"]
    assert isinstance(nodes, list)
    assert [n["label"] for n in nodes if n["label"]] == ["x", "w", "b", "tanh(x*w + b)"]


def test_python_m_autograd_explore_writes_the_page(tmp_path: Path) -> None:
    from tests.autograd.test_cli import python_m_autograd

    target = tmp_path / "page.html"
    done = python_m_autograd("explore", "x*y + x", "x=2", "y=3", "-o", str(target))
    assert (done.returncode, done.stdout) == (0, "x*y + x = 8.0\n"), done.stderr
    nodes = page_data(target.read_text(encoding="utf-8"))["nodes"]
    assert isinstance(nodes, list)
    assert [n["label"] for n in nodes if n["label"]] == ["x", "y", "x*y + x"]
    assert nodes[-1]["data"] == 8.0


def test_the_demo_writes_the_explorer_of_the_neuron_it_draws(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert chainrule_main(["demo", "--steps", "1", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    page = (tmp_path / "explorer.html").read_text(encoding="utf-8")
    drawn = ET.fromstring((tmp_path / "neuron.svg").read_bytes())
    nodes = page_data(page)["nodes"]
    assert isinstance(nodes, list)
    # The same Values as neuron.svg: one first-layer neuron on x.0 and x.1, its output "out".
    assert nodes[-1]["label"] == "out" and nodes[-2]["label"] == "z"
    assert {n["label"] for n in nodes if not n["parents"]} >= {"x.0", "x.1", "w.0", "w.1", "b"}
    (scope,) = {n["scope"] for n in nodes if n["scope"]}
    assert re.fullmatch(r"layers\.0\.neurons\.\d+", scope)
    values = [g for g in drawn.iter(f"{SVG}g") if "value" in (g.get("class") or "").split()]
    assert len(values) == len(nodes)


@pytest.mark.parametrize(
    ("arguments", "status", "message"),
    [
        (["x.real", "x=1"], 2, "attribute access not allowed"),
        (["x + y", "x=1"], 2, "unknown name 'y'"),
        (["x", "x=one"], 2, "'one' in 'x=one' is not a number"),
        (["log(x)", "x=0"], 1, "log of non-positive value 0.0"),
    ],
)
def test_the_explore_command_refuses_bad_input_and_writes_nothing(
    arguments: list[str], status: int, message: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    target = tmp_path / "page.html"
    assert chainrule_main(["explore", *arguments, "-o", str(target)]) == status
    assert message in capsys.readouterr().err
    assert not target.exists()


def test_the_explore_command_wants_an_html_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert chainrule_main(["explore", "x", "x=1", "-o", str(tmp_path / "x.svg")]) == 2
    assert "should end in .html" in capsys.readouterr().err
    assert chainrule_main(["explore", "x", "x=1"]) == 2
    assert "-o/--output" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_sum_of_300_terms_explores_although_graphviz_2_43_crashes_on_its_full_layout() -> None:
    # With a label on each of the 300 edges from x, the layout without coordinate optimization
    # crashed too; drawn with straight edges, it does not.
    x = Value(1.0, "x")
    total = x
    for _ in range(299):
        total = total + x
    page = explore(total)
    assert isinstance(page, Explorer)
    detail = views(page.html)["detail"]
    drawn = [g for g in detail.iter("{http://www.w3.org/2000/svg}g") if g.get("data-kind")]
    assert len(drawn) == 300 + 299  # every Value and every operation
