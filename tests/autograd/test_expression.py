"""The expression language on its own: what it builds, the names it binds, what it rejects."""

from __future__ import annotations

import ast
import math
import unicodedata

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from autograd import Value
from autograd.expression import (
    FUNCTIONS,
    Rejected,
    build,
    evaluate,
    parse_binding,
    parse_bindings,
    parse_expression,
    pointer,
)

# --- what it builds ------------------------------------------------------------------------------

NAMES = ("x", "y", "z")
SAFE = {"tanh": math.tanh, "sin": math.sin, "cos": math.cos, "abs": abs}


def sources() -> st.SearchStrategy[str]:
    """Expressions over x, y, z and small constants whose value is defined everywhere."""
    leaves = st.sampled_from(NAMES) | st.floats(-3, 3, allow_nan=False).map(repr)

    def extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.tuples(children, st.sampled_from(["+", "-", "*"]), children)
        return (
            binary.map(lambda t: f"({t[0]} {t[1]} {t[2]})")
            | st.tuples(st.sampled_from(list(SAFE)), children).map(lambda t: f"{t[0]}({t[1]})")
            | children.map(lambda c: f"-{c}")
        )

    return st.recursive(leaves, extend, max_leaves=12)


@given(
    source=sources(),
    numbers=st.tuples(*(st.floats(-2, 2, allow_nan=False) for _ in NAMES)),
)
def test_the_value_is_python_s_value_of_the_same_text(
    source: str, numbers: tuple[float, ...]
) -> None:
    bindings = dict(zip(NAMES, numbers, strict=True))
    root, leaves = evaluate(source, bindings)
    assert root.data == pytest.approx(eval(source, dict(SAFE), dict(bindings)), rel=1e-12, abs=0)
    assert list(leaves) == list(NAMES)
    assert [(v.label, v.data, v.parents) for v in leaves.values()] == [
        (name, bindings[name], ()) for name in NAMES
    ]


def test_evaluate_builds_the_graph_on_the_leaves_it_returns() -> None:
    root, leaves = evaluate("tanh(w*x + b)", {"w": -3.0, "x": 2.0, "b": 1.0})
    assert root.op == "tanh"
    root.backward()
    # d tanh(wx + b)/dw = (1 - tanh²) x, and so on.
    local = 1 - math.tanh(-5.0) ** 2
    assert {n: v.grad for n, v in leaves.items()} == pytest.approx(
        {"w": local * 2.0, "x": local * -3.0, "b": local}
    )


def test_build_has_no_depth_limit() -> None:
    depth = 100_000
    tree: ast.expr = ast.Name("x", ast.Load())
    for _ in range(depth):
        tree = ast.BinOp(tree, ast.Add(), ast.Constant(1))
    assert build(tree, {"x": Value(0.5, "x")}).data == 0.5 + depth


def test_every_function_is_one_of_value_s_methods() -> None:
    assert list(FUNCTIONS) == ["exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sin", "cos", "abs"]
    for name, fn in FUNCTIONS.items():
        assert fn(Value(0.5)).op == name


# --- names, as Python reads them -----------------------------------------------------------------


def test_a_binding_names_the_variable_python_reads() -> None:
    # Python reads the mathematical italic 𝑥 as x (NFKC); so must the bindings.
    assert parse_binding("𝑥=3") == ("x", 3.0)
    root, leaves = evaluate("x + 𝑥", parse_bindings(["𝑥=3"]))
    assert root.data == 6.0 and list(leaves) == ["x"]


# Characters that can make up identifiers, and the compatibility forms of them (𝑥, ｘ, ﬁ).
IDENTIFIER_CHARACTERS = st.characters(
    categories=("Lu", "Ll", "Lt", "Lm", "Lo", "Nl", "Mn", "Mc", "Nd", "Pc"), codec="utf-8"
)


@given(st.text(IDENTIFIER_CHARACTERS, min_size=1, max_size=4))
@example("iſ")  # Python reads it as the name 'is': keywords are matched before normalizing
@example("ｉｆ")
def test_any_name_python_accepts_binds_what_python_reads(name: str) -> None:
    normal = unicodedata.normalize("NFKC", name)
    assume(normal.isidentifier())  # not, say, 'x#' (a name and a comment)
    try:
        tree = ast.parse(name, mode="eval").body
    except SyntaxError:
        return
    if not isinstance(tree, ast.Name) or tree.id in FUNCTIONS:
        return
    assert tree.id == normal
    root, leaves = evaluate(name, parse_bindings([f"{name}=2"]))
    assert root is leaves[normal] and root.data == 2.0


@pytest.mark.parametrize("texts", [["x=1", "𝑥=3"], ["𝑥=3", "x=1"], ["ｘ=1", "𝑥=2"]])
def test_two_bindings_that_python_reads_as_one_name_are_refused(texts: list[str]) -> None:
    with pytest.raises(Rejected, match="'x' is bound twice") as caught:
        parse_bindings(texts)
    assert "Python reads both as 'x'" in caught.value.message


def test_evaluate_refuses_two_keys_that_are_one_name() -> None:
    with pytest.raises(Rejected, match="'x' is bound twice"):
        evaluate("x", {"x": 1.0, "𝑥": 2.0})


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("if=1", "not a valid name"),  # a keyword (but 𝐢𝐟 is the name 'if', as Python reads it)
        ("𝐞𝐱𝐩=1", "is a function"),
        ("x", "NAME=VALUE"),
        ("x=two", "'two' in 'x=two' is not a number"),
    ],
)
def test_a_binding_is_checked_in_its_normal_form(text: str, words: str) -> None:
    with pytest.raises(Rejected, match=words):
        parse_binding(text)


# --- text that is not UTF-8 ----------------------------------------------------------------------

# The command line hands undecodable bytes to Python as lone surrogates (PEP 383).
NOT_UTF8 = b"x\xff".decode("utf-8", "surrogateescape")


def test_an_expression_that_is_not_utf8_is_rejected_naming_the_byte() -> None:
    with pytest.raises(Rejected, match=r"not valid UTF-8 text \(byte 0xff at character 2\)") as e:
        parse_expression(NOT_UTF8 + " + 1")
    assert e.value.status == 2
    e.value.message.encode("ascii")  # printable anywhere


@pytest.mark.parametrize("text", [NOT_UTF8 + "=1", "x=1" + NOT_UTF8, "x=\ud800"])
def test_a_binding_that_is_not_utf8_is_rejected(text: str) -> None:
    with pytest.raises(Rejected, match="not valid UTF-8 text"):
        parse_binding(text)


# --- rejected input, with where ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "words", "offending"),
    [
        ("x.real", "attribute access not allowed", "x.real"),
        ("foo(x)", "unknown function 'foo'", "foo"),
        ("x + y", "unknown name 'y': bind it as y=VALUE (bound: x)", "y"),
        ("log(x - 2)", "log of non-positive value 0.0", "log(x - 2)"),
    ],
)
def test_a_rejection_says_what_and_points_where(source: str, words: str, offending: str) -> None:
    with pytest.raises(Rejected) as caught:
        evaluate(source, {"x": 2.0})
    assert words in caught.value.message
    line, carets = pointer(source, caught.value.node).splitlines()
    start = carets.index("^")
    assert line[start : start + carets.count("^")] == offending
