"""draw_dot and render: what a drawing shows, escaping, determinism, the size guard, formats."""

from __future__ import annotations

import json
import math
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd import Value, draw_dot, render, render_steps, scope, topological_order
from autograd.draw import (
    LABEL_LIMIT,
    GraphvizError,
    GraphvizNotFoundError,
    drawn_scopes,
    fit_to_width,
    shorten,
)
from tests.autograd.expressions import VALUES, Tree, trees, variable_values
from tests.fake_dot import CRASH, fake_dot, needs_sh

SVG = "{http://www.w3.org/2000/svg}"
# The elements Graphviz draws a graph with: anything else in the SVG would be injected markup.
SVG_ELEMENTS = {"svg", "g", "title", "text", "polygon", "ellipse", "path", "polyline"}

# Text with no control characters, surrogates or U+FFFE/U+FFFF: shown exactly as written.
# Characters that mean something to DOT, HTML/XML or Graphviz's \N-style escapes come often.
SPECIAL = [*"<>&\"'\\{}[];=-/ NGETHLlnr#%", "&amp;", "&#60;", "]]>", "<!--", "\\N"]
printable = st.lists(
    st.one_of(
        st.sampled_from(SPECIAL),
        st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff"),
    ),
    max_size=30,
).map("".join)


def svg_of(graph: graphviz.Digraph) -> ET.Element:
    """The graph laid out by Graphviz, parsed as XML (which fails on malformed SVG)."""
    return ET.fromstring(graph.pipe(format="svg"))


def classes(group: ET.Element) -> list[str]:
    return (group.get("class") or "").split()


def nodes(svg: ET.Element) -> dict[str, ET.Element]:
    """The SVG group of every node, by node id."""
    return {
        group.findtext(f"{SVG}title", ""): group
        for group in svg.iter(f"{SVG}g")
        if "node" in classes(group)
    }


def edges(svg: ET.Element) -> list[str]:
    """Every edge as 'tail->head'."""
    return [
        group.findtext(f"{SVG}title", "")
        for group in svg.iter(f"{SVG}g")
        if "edge" in classes(group)
    ]


def texts(group: ET.Element) -> list[str]:
    """The text lines of a node; Graphviz writes a run of spaces as space + no-break space."""
    return [(t.text or "").replace("\xa0", " ") for t in group.iter(f"{SVG}text")]


def notes_example() -> tuple[Value, Value, Value, Value]:
    """J = 3 (a + b c) with a, b, c = 5, 3, 2: J = 33, dJ/da = 3, dJ/db = 6, dJ/dc = 9."""
    a, b, c = Value(5.0, "a"), Value(3.0, "b"), Value(2.0, "c")
    J = 3 * (a + b * c)
    J.backward()
    return J, a, b, c


def node_of(svg: ET.Element, root: Value, value: Value) -> ET.Element:
    return nodes(svg)[f"v{topological_order(root).index(value)}"]


# --- what a drawing shows ------------------------------------------------------------------------


def test_one_node_per_value_and_per_operation_linked_in_operand_order() -> None:
    J, *_ = notes_example()
    order = topological_order(J)
    svg = svg_of(draw_dot(J))
    interior = [i for i, node in enumerate(order) if node.parents]
    assert set(nodes(svg)) == {f"v{i}" for i in range(len(order))} | {f"v{i}op" for i in interior}
    expected = []
    for i in interior:
        expected.append(f"v{i}op->v{i}")
        expected += [f"v{order.index(p)}->v{i}op" for p in order[i].parents]
    assert sorted(edges(svg)) == sorted(expected)
    for i in interior:
        assert texts(nodes(svg)[f"v{i}op"]) == [order[i].op]


def test_value_nodes_show_label_data_and_grad() -> None:
    J, a, b, c = notes_example()
    svg = svg_of(draw_dot(J))
    assert texts(node_of(svg, J, a)) == ["a", "data 5", "grad 3"]
    assert texts(node_of(svg, J, b)) == ["b", "data 3", "grad 6"]
    assert texts(node_of(svg, J, c)) == ["c", "data 2", "grad 9"]
    assert texts(node_of(svg, J, J)) == ["data 33", "grad 1"]  # unlabelled: data and grad only


def test_interior_nodes_show_their_gradient() -> None:
    J, _, b, c = notes_example()
    bc = J.parents[1].parents[1]
    assert bc.parents == (b, c)
    assert texts(node_of(svg_of(draw_dot(J)), J, bc)) == ["data 6", "grad 3"]


def _look(group: ET.Element) -> tuple[tuple[str, ...], str]:
    """A node's outline (the shapes it is drawn with) and fill colour."""
    shapes = [el for el in group if el.tag[len(SVG) :] in ("polygon", "ellipse", "path")]
    return tuple(el.tag for el in shapes), shapes[0].get("fill", "")


def test_leaves_constants_interior_nodes_output_and_operations_look_different() -> None:
    J, a, *_ = notes_example()
    order = topological_order(J)
    svg = svg_of(draw_dot(J))
    three = next(node for node in order if type(node).__name__ == "Constant")
    interior = J.parents[1]
    groups = {
        "leaf": node_of(svg, J, a),
        "constant": node_of(svg, J, three),
        "interior": node_of(svg, J, interior),
        "output": node_of(svg, J, J),
        "operation": nodes(svg)[f"v{len(order) - 1}op"],
    }
    looks = {kind: _look(group) for kind, group in groups.items()}
    assert len(set(looks.values())) == len(looks), looks
    assert len({fill for _, fill in looks.values()}) >= 4  # colour alone separates most kinds
    assert len({outline for outline, _ in looks.values()}) >= 3  # and so does shape


def _redness(colour: str) -> float:
    """How red a #rrggbb colour is: red minus the larger of green and blue, over 255."""
    r, g, b = (int(colour[k : k + 2], 16) for k in (1, 3, 5))
    return (r - max(g, b)) / 255


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_data_and_grads_are_red(bad: float) -> None:
    x = Value(bad, "x")
    y = x * 2  # data non-finite
    big = Value(1e308, "big")
    z = big * big  # data inf, and big.grad = 2 * big = inf
    out = y + z
    out.backward()
    svg = svg_of(draw_dot(out))
    coloured = {
        (t.text or ""): t.get("fill", "black")
        for group in nodes(svg).values()
        for t in group.iter(f"{SVG}text")
    }
    for text, fill in coloured.items():
        if text in ("nan", "inf", "-inf"):
            assert fill.startswith("#") and _redness(fill) > 0.5, (text, fill)
        else:
            assert fill == "black" or not fill.startswith("#") or _redness(fill) < 0.5
    assert {str(bad), "inf"} <= set(coloured)
    outline = [el.get("stroke", "") for el in node_of(svg, out, big) if el.tag == f"{SVG}polygon"]
    assert outline and _redness(outline[0]) > 0.5


def test_finite_values_are_not_red() -> None:
    J, *_ = notes_example()
    svg = svg_of(draw_dot(J))
    fills = [t.get("fill") for group in nodes(svg).values() for t in group.iter(f"{SVG}text")]
    assert all(fill is None or fill == "black" for fill in fills)


# --- clusters ------------------------------------------------------------------------------------


def _layout(graph: graphviz.Digraph) -> tuple[dict[str, set[str]], dict[str, list[str]]]:
    """Per cluster label: the node ids inside it, and the labels of the clusters nested in it."""
    data = json.loads(graph.pipe(format="json"))
    objects = data["objects"]
    clusters = [o for o in objects if o["name"].startswith("cluster")]
    members = {o["label"]: {objects[i]["name"] for i in o.get("nodes", [])} for o in clusters}
    nested = {o["label"]: [objects[i]["label"] for i in o.get("subgraphs", [])] for o in clusters}
    return members, nested


def test_one_cluster_per_scope_holding_its_values_and_their_operations() -> None:
    x = Value(0.5, "x")
    with scope("layers.0"):
        h = (x * Value(2.0, "w0")).tanh()
    with scope("layers.1"):
        y = h * Value(-1.0, "w1") + 1
    loss = y * y
    order = topological_order(loss)
    members, nested = _layout(draw_dot(loss))
    assert set(members) == {"layers.0", "layers.1"}
    assert nested == {"layers.0": [], "layers.1": []}
    for name, ids in members.items():
        inside = {i for i, node in enumerate(order) if node.scope == name}
        assert inside
        expected = {f"v{i}" for i in inside} | {f"v{i}op" for i in inside if order[i].parents}
        assert ids == expected


def test_a_scope_inside_another_is_a_cluster_inside_its_cluster() -> None:
    x = Value(0.5, "x")
    with scope("layer"):
        s = x * 3
        with scope("neuron"):
            t = s.tanh()
    members, nested = _layout(draw_dot(t + 1))
    assert nested == {"layer": ["layer.neuron"], "layer.neuron": []}
    assert members["layer.neuron"] < members["layer"]


def test_untagged_nodes_are_drawn_in_the_scope_of_all_their_consumers() -> None:
    # Two "neurons" that tag only their parameters and outputs, sharing one input.
    x = Value(0.5, "x")
    outputs = []
    for name in ("n0", "n1"):
        w, b = Value(2.0, "w"), Value(-1.0, "b")
        w.scope = b.scope = name
        product = w * x  # untagged, consumed only inside the neuron
        z = product + b
        out = (z * 3).relu()  # a constant operand, and an untagged pre-activation
        out.scope = name
        outputs.append((product, z, out))
    total = outputs[0][2] + outputs[1][2]
    order = topological_order(total)
    drawn = dict(zip(order, drawn_scopes(order), strict=True))
    for name, (product, z, out) in zip(("n0", "n1"), outputs, strict=True):
        constant = out.parents[0].parents[1]
        assert {drawn[product], drawn[z], drawn[constant], drawn[out]} == {name}
    assert drawn[x] == ""  # its consumers disagree
    assert drawn[total] == ""
    members, _ = _layout(draw_dot(total))
    assert set(members) == {"n0", "n1"}


def test_no_scopes_no_clusters() -> None:
    J, *_ = notes_example()
    assert _layout(draw_dot(J)) == ({}, {})


# --- escaping ------------------------------------------------------------------------------------


def _drawn(label: str, scope_name: str) -> tuple[ET.Element, Value, Value]:
    x = Value(1.5, label)
    with scope(scope_name):
        y = (x * 2).tanh()
    y.backward()
    return svg_of(draw_dot(y)), x, y


def _assert_only_graphviz_markup(svg: ET.Element, y: Value) -> None:
    assert {el.tag[len(SVG) :] for el in svg.iter()} <= SVG_ELEMENTS
    order = topological_order(y)
    assert len(nodes(svg)) == len(order) + sum(1 for node in order if node.parents)


@settings(max_examples=40)
@given(label=st.lists(printable, min_size=1, max_size=3).map("\n".join), scope_name=printable)
def test_any_label_is_shown_as_written_and_breaks_nothing(label: str, scope_name: str) -> None:
    assume(scope_name.strip())
    svg, x, y = _drawn(label, scope_name)
    _assert_only_graphviz_markup(svg, y)
    lines = [line for line in label.replace("\xa0", " ").split("\n") if line]
    assert texts(node_of(svg, y, x)) == [*lines, "data 1.5", f"grad {x.grad:.4g}"]
    cluster_titles = [texts(group) for group in svg.iter(f"{SVG}g") if "cluster" in classes(group)]
    assert cluster_titles == [
        [line for line in scope_name.replace("\xa0", " ").split("\n") if line]
    ]


@settings(max_examples=40)
@given(label=st.text(), scope_name=st.text(min_size=1))
def test_arbitrary_text_including_control_characters_never_breaks_the_svg(
    label: str, scope_name: str
) -> None:
    svg, _, y = _drawn(label, scope_name)
    _assert_only_graphviz_markup(svg, y)


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("a\tb", ["a\\tb"]),
        ("nul\x00", ["nul\\x00"]),
        ("bell\x07", ["bell\\x07"]),
        ("\ufffe", ["\\ufffe"]),
        ("\ud800", ["\\ud800"]),
        ("two\nlines", ["two", "lines"]),
        ("\\N \\G \\E", ["\\N \\G \\E"]),  # Graphviz would substitute these unescaped
    ],
)
def test_characters_xml_or_graphviz_cannot_hold_are_shown_as_escapes(
    label: str, shown: list[str]
) -> None:
    svg, x, y = _drawn(label, "s")
    assert texts(node_of(svg, y, x))[: len(shown)] == shown


def test_markup_in_a_label_is_text_not_markup() -> None:
    attack = (
        '</TD></TR></TABLE>> shape=box]; evil [label="x"]; v0 -> evil; <script>alert(1)</script>'
    )
    svg, x, y = _drawn(attack, '"]; } subgraph cluster_x { evil2')
    _assert_only_graphviz_markup(svg, y)
    assert "evil" not in nodes(svg)
    assert texts(node_of(svg, y, x))[0] == attack


# --- determinism ---------------------------------------------------------------------------------


def _build(tree: Tree, xs: list[float]) -> Value:
    with scope("model"):
        leaves = [Value(x, f"x{i}") for i, x in enumerate(xs)]
        out = VALUES.evaluate(tree, leaves)
    return out if isinstance(out, Value) else Value(out)


@settings(max_examples=20)
@given(trees(max_leaves=8), st.lists(variable_values, min_size=3, max_size=3))
def test_the_same_graph_gives_byte_identical_dot_and_svg(tree: Tree, xs: list[float]) -> None:
    first, second = _build(tree, xs), _build(tree, xs)
    for root in (first, second):
        try:
            root.backward()
        except (ValueError, ArithmeticError):
            assume(False)
    dot = draw_dot(first).source
    assert draw_dot(second).source == dot
    assert draw_dot(first).source == dot  # drawing again changes nothing
    assert draw_dot(first).pipe(format="svg") == draw_dot(second).pipe(format="svg")


def test_ids_follow_topological_order() -> None:
    J, *_ = notes_example()
    source = draw_dot(J).source
    for tail, head in re.findall(r"^\s*v(\d+)(?:op)? -> v(\d+)(?:op)?$", source, re.M):
        assert int(tail) <= int(head)
    ids = {int(i) for i in re.findall(r"^\s*v(\d+) \[", source, re.M)}
    assert ids == set(range(len(topological_order(J))))
    assert f"v{len(ids) - 1} [" in source and "output" in source.split(f"v{len(ids) - 1} [")[1]


# --- the size guard ------------------------------------------------------------------------------


def chain(n: int) -> Value:
    """A graph of exactly n Values: a leaf and n - 1 tanh nodes."""
    v = Value(0.1, "x")
    for _ in range(n - 1):
        v = v.tanh()
    return v


def test_a_graph_over_max_nodes_is_refused_with_its_size_and_the_way_out() -> None:
    with pytest.raises(ValueError, match=r"501 Values.*max_nodes=500.*max_nodes=501"):
        draw_dot(chain(501))
    assert len(nodes(svg_of(draw_dot(chain(501), max_nodes=501)))) == 501 + 500
    assert len(nodes(svg_of(draw_dot(chain(500))))) == 500 + 499


def test_a_training_sized_graph_is_refused_before_graphviz_runs() -> None:
    with pytest.raises(ValueError, match="60000 Values"):
        draw_dot(chain(60_000))


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"max_nodes": 0}, ValueError),
        ({"max_nodes": -5}, ValueError),
        ({"max_nodes": 2.5}, TypeError),
        ({"max_nodes": "500"}, TypeError),
        ({"max_nodes": True}, TypeError),
        ({"rankdir": "XY"}, ValueError),
        ({"rankdir": "lr"}, ValueError),
    ],
)
def test_bad_options_are_refused(options: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error, match=next(iter(options))):
        draw_dot(Value(1.0), **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("not_a_value", [1.0, "x", None, [Value(1.0)]])
def test_draw_dot_needs_a_value(not_a_value: object) -> None:
    with pytest.raises(TypeError, match=type(not_a_value).__name__):
        draw_dot(not_a_value)  # type: ignore[arg-type]


@pytest.mark.parametrize("rankdir", ["LR", "RL", "TB", "BT"])
def test_rankdir_is_passed_to_graphviz(rankdir: str) -> None:
    J, *_ = notes_example()
    assert json.loads(draw_dot(J, rankdir=rankdir).pipe(format="json"))["rankdir"] == rankdir


def test_a_single_leaf_draws() -> None:
    svg = svg_of(draw_dot(Value(4.0, "alone")))
    assert list(nodes(svg)) == ["v0"] and edges(svg) == []
    assert texts(nodes(svg)["v0"]) == ["alone", "data 4", "grad 0"]


def test_jupyter_shows_the_graph_inline_as_svg() -> None:
    J, *_ = notes_example()
    bundle = draw_dot(J)._repr_mimebundle_()
    ET.fromstring(bundle["image/svg+xml"])


# --- render --------------------------------------------------------------------------------------

MAGIC = {".svg": b"<?xml", ".png": b"\x89PNG\r\n\x1a\n", ".pdf": b"%PDF-"}


@pytest.mark.parametrize("suffix", [".svg", ".png", ".pdf", ".SVG"])
def test_render_writes_the_format_its_suffix_names(tmp_path: Path, suffix: str) -> None:
    J, *_ = notes_example()
    path = render(J, tmp_path / f"graph{suffix}")
    assert path == tmp_path / f"graph{suffix}"
    data = path.read_bytes()
    assert data.startswith(MAGIC[suffix.lower()])
    if suffix.lower() == ".svg":  # Graphviz's own SVG, made to fit the page
        assert data.decode() == fit_to_width(draw_dot(J).pipe(format="svg", encoding="utf-8"))


@pytest.mark.parametrize("suffix", [".dot", ".gv"])
def test_render_writes_dot_source(tmp_path: Path, suffix: str) -> None:
    J, *_ = notes_example()
    path = render(J, str(tmp_path / f"graph{suffix}"), rankdir="TB")
    assert path.read_text("utf-8") == draw_dot(J, rankdir="TB").source


def test_render_passes_draw_dot_options(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"20 Values.*render\(\.\.\., max_nodes=20\)"):
        render(chain(20), tmp_path / "g.svg", max_nodes=10)
    assert not (tmp_path / "g.svg").exists()
    assert render(chain(20), tmp_path / "g.svg", max_nodes=20).exists()


@pytest.mark.parametrize("name", ["graph.jpg", "graph", "graph.svg.txt"])
def test_render_refuses_an_unknown_suffix(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match=r"suffix.*\.svg"):
        render(Value(1.0), tmp_path / name)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def no_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH on which Graphviz's programs cannot be found."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return tmp_path


def test_without_graphviz_dot_files_still_work(no_dot: Path) -> None:
    J, *_ = notes_example()
    path = render(J, no_dot / "graph.dot")
    assert path.read_text("utf-8") == draw_dot(J).source


@pytest.mark.parametrize("suffix", [".svg", ".png", ".pdf"])
def test_without_graphviz_other_formats_say_how_to_install_it(no_dot: Path, suffix: str) -> None:
    J, *_ = notes_example()
    target = no_dot / f"graph{suffix}"
    target.write_bytes(b"the previous drawing")
    with pytest.raises(GraphvizNotFoundError, match=r"(?i)install graphviz with: \S+") as caught:
        render(J, target)
    assert isinstance(caught.value, graphviz.ExecutableNotFound)  # catchable as graphviz's own
    assert target.read_bytes() == b"the previous drawing"  # untouched, no partial file
    assert sorted(p.name for p in no_dot.iterdir()) == ["empty-bin", target.name]


def test_a_file_that_cannot_be_created_is_named_in_the_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: str | os.PathLike[str], *args: object) -> int:
        raise PermissionError(13, "Permission denied", os.fspath(path))

    monkeypatch.setattr(os, "open", refuse)
    target = tmp_path / "graph.dot"
    with pytest.raises(PermissionError) as caught:
        render(Value(1.0), target)
    assert caught.value.filename == str(target)
    assert ".tmp" not in str(caught.value)


def test_a_failed_write_leaves_neither_a_partial_file_nor_a_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    J, *_ = notes_example()
    target = tmp_path / "graph.svg"
    target.write_bytes(b"the previous drawing")

    def fail(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        render(J, target)
    assert target.read_bytes() == b"the previous drawing"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.svg"]


# --- when Graphviz crashes, fails or takes too long ----------------------------------------------


def sum_of(n: int) -> Value:
    """x + x + ... + x, n terms: every + node reads x, so dot draws ~n²/2 edge segments."""
    x = Value(1.0, "x")
    total = x
    for _ in range(n - 1):
        total = total + x
    total.backward()
    return total


def test_a_sum_of_300_terms_draws_although_graphviz_2_43_crashes_on_its_full_layout(
    tmp_path: Path,
) -> None:
    path = render(sum_of(300), tmp_path / "sum.svg", max_nodes=600)
    svg = ET.fromstring(path.read_bytes())
    assert len(nodes(svg)) == 300 + 299
    assert texts(nodes(svg)["v0"]) == ["x", "data 1", "grad 300"]


@needs_sh
def test_when_the_full_layout_crashes_the_simpler_layout_draws_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Crashes unless asked for the layout without coordinate optimization.
    fake_dot(tmp_path, monkeypatch, 'grep -q "nslimit=0" && echo "<svg/>" || kill -SEGV $$')
    J, *_ = notes_example()
    assert render(J, tmp_path / "g.svg").read_text() == "<svg/>\n"


@needs_sh
@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_a_crash_of_dot_names_graphviz_the_size_and_what_to_try(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    fake_dot(tmp_path, monkeypatch, CRASH)
    J, *_ = notes_example()
    target = tmp_path / f"g{suffix}"
    with pytest.raises(GraphvizError) as caught:
        render(J, target)
    message = str(caught.value)
    assert (
        "Graphviz's dot crashed (SIGSEGV)" in message
        and f"{len(topological_order(J))} Values" in message
    )
    assert "Try drawing a part of the graph" in message and ".dot file" in message
    assert not target.exists()


@needs_sh
def test_dot_gets_a_time_limit_and_the_message_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dot(tmp_path, monkeypatch, "exec sleep 30")
    J, *_ = notes_example()
    with pytest.raises(
        GraphvizError,
        match=r"ran out of time \(0\.4 s\).*more time \(render\(\.\.\., timeout=\.\.\.\)",
    ):
        render(J, tmp_path / "g.svg", timeout=0.4)
    assert not (tmp_path / "g.svg").exists()


@needs_sh
def test_dot_s_own_error_is_passed_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dot(tmp_path, monkeypatch, 'echo "Error: <stdin>: syntax error in line 1" >&2; exit 1')
    with pytest.raises(GraphvizError, match="could not draw g.svg: Error: <stdin>: syntax error"):
        render(Value(1.0), tmp_path / "g.svg")


def test_a_graphviz_error_is_a_runtime_error() -> None:
    assert issubclass(GraphvizError, RuntimeError)


@pytest.mark.parametrize(
    ("timeout", "error"),
    [
        (0, ValueError),
        (-1.0, ValueError),
        (math.nan, ValueError),
        ("60", TypeError),
        (True, TypeError),
    ],
)
def test_a_timeout_that_is_not_a_positive_number_is_refused(
    tmp_path: Path, timeout: object, error: type[Exception]
) -> None:
    with pytest.raises(error, match="timeout"):
        render(Value(1.0), tmp_path / "g.dot", timeout=timeout)  # type: ignore[arg-type]


# --- labels of any length ------------------------------------------------------------------------


@pytest.mark.parametrize("length", [LABEL_LIMIT + 1, 16_385, 200_000])
def test_a_long_label_is_drawn_shortened_with_an_ellipsis(length: int) -> None:
    label = "ab" * (length // 2) + "a" * (length % 2)
    svg, x, y = _drawn(label, "s" * length)
    shown = texts(node_of(svg, y, x))[0]
    assert shown == label[: LABEL_LIMIT - 1] + "…"
    cluster = next(group for group in svg.iter(f"{SVG}g") if "cluster" in classes(group))
    assert texts(cluster) == ["s" * (LABEL_LIMIT - 1) + "…"]


@settings(max_examples=30)
@given(label=st.text(min_size=1, max_size=3 * LABEL_LIMIT))
def test_any_label_up_to_the_limit_is_whole_and_a_longer_one_is_its_start(label: str) -> None:
    assert shorten(label) == (
        label if len(label) <= LABEL_LIMIT else label[: LABEL_LIMIT - 1] + "…"
    )
    svg, _, y = _drawn(label, "s")
    _assert_only_graphviz_markup(svg, y)


# --- NumPy integers ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["int8", "int32", "int64", "uint16"])
def test_max_nodes_may_be_a_numpy_integer(kind: str, tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    n = np.dtype(kind).type(10)
    assert len(nodes(svg_of(draw_dot(chain(10), max_nodes=n)))) == 10 + 9
    with pytest.raises(ValueError, match="max_nodes=10"):
        draw_dot(chain(11), max_nodes=n)
    render(chain(10), tmp_path / "g.dot", max_nodes=n)
    render_steps(chain(3), tmp_path / "steps", max_nodes=np.int64(3))


@pytest.mark.parametrize("kind", ["int8", "int64", "uint16", "float32", "float64"])
def test_a_timeout_may_be_a_numpy_number(kind: str, tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    assert render(chain(3), tmp_path / "g.svg", timeout=np.dtype(kind).type(60)).exists()
    with pytest.raises(ValueError, match="timeout must be more than 0"):
        render(chain(3), tmp_path / "g.svg", timeout=np.dtype(kind).type(0))


@pytest.mark.parametrize("not_integral", [10.0, "10", None])
def test_max_nodes_that_is_not_integral_is_refused(not_integral: object) -> None:
    np = pytest.importorskip("numpy")
    for n in (not_integral, np.float64(10.0)):
        with pytest.raises(TypeError, match="max_nodes must be an int"):
            draw_dot(chain(3), max_nodes=n)  # type: ignore[arg-type]


# --- notebooks -----------------------------------------------------------------------------------


def test_an_svg_file_scales_down_to_the_page_width_too(tmp_path: Path) -> None:
    svg = ET.fromstring(render(sum_of(40), tmp_path / "wide.svg").read_bytes())
    assert svg.get("style") == "max-width: 100%; height: auto"
    assert svg.get("viewBox")


def test_jupyter_scales_a_wide_graph_down_to_the_page_width() -> None:
    wide = sum_of(40)
    svg_text = draw_dot(wide)._repr_mimebundle_()["image/svg+xml"]
    svg = ET.fromstring(svg_text)
    assert float(svg.get("width", "").removesuffix("pt")) > 1000  # wider than any page
    assert "max-width: 100%" in svg.get("style", "") and "height: auto" in svg.get("style", "")
    assert svg.get("viewBox")  # what the browser scales by
