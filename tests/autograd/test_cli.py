"""The graph command: values and gradients, drawings, and every kind of rejected input."""

from __future__ import annotations

import importlib.metadata
import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from autograd import Value, draw_dot
from autograd.cli import main
from tests.fake_dot import CRASH, fake_dot, needs_sh


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["graph", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def results(out: str) -> dict[str, float]:
    """The printed 'LHS = NUMBER' lines as a dict."""
    pairs = (line.rsplit(" = ", 1) for line in out.splitlines())
    return {lhs: float(rhs) for lhs, rhs in pairs}


# --- what it prints ------------------------------------------------------------------------------


def test_prints_the_value_then_each_gradient_in_the_order_given(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "3*(a + b*c)", "c=2", "a=5", "b=3")
    assert (status, err) == (0, "")
    # J = 3 (a + b c) = 33; dJ/dc = 3 b = 9, dJ/da = 3, dJ/db = 3 c = 6.
    assert out.splitlines() == ["3*(a + b*c) = 33.0", "d/dc = 9.0", "d/da = 3.0", "d/db = 6.0"]


def test_a_name_the_expression_does_not_use_gets_gradient_zero(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "x*x", "x=3", "unused=1")
    assert status == 0
    assert results(out) == {"x*x": 9.0, "d/dx": 6.0, "d/dunused": 0.0}


def test_operators_and_parentheses(capsys: pytest.CaptureFixture[str]) -> None:
    x, y = 1.5, -0.5
    status, out, _ = run(capsys, "(x ** 2 / y - -x) * +y + 2 ** x", f"x={x}", f"y={y}")
    assert status == 0
    # f = (x²/y + x) y + 2^x = x² + x y + 2^x
    assert results(out) == pytest.approx(
        {
            "(x ** 2 / y - -x) * +y + 2 ** x": x * x + x * y + 2**x,
            "d/dx": 2 * x + y + 2**x * math.log(2),
            "d/dy": x,
        }
    )


FUNCTIONS: dict[str, tuple[Callable[[float], float], Callable[[float], float]]] = {
    "exp": (math.exp, math.exp),
    "log": (math.log, lambda x: 1 / x),
    "sqrt": (math.sqrt, lambda x: 0.5 / math.sqrt(x)),
    "tanh": (math.tanh, lambda x: 1 - math.tanh(x) ** 2),
    "sigmoid": (lambda x: 1 / (1 + math.exp(-x)), lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2),
    "relu": (lambda x: max(x, 0.0), lambda x: 1.0 if x > 0 else 0.0),
    "sin": (math.sin, math.cos),
    "cos": (math.cos, lambda x: -math.sin(x)),
    "abs": (abs, lambda x: math.copysign(1.0, x)),
}


@pytest.mark.parametrize("name", list(FUNCTIONS))
@pytest.mark.parametrize("x", [0.7, 2.5])
def test_each_function_and_its_derivative(
    capsys: pytest.CaptureFixture[str], name: str, x: float
) -> None:
    f, df = FUNCTIONS[name]
    status, out, _ = run(capsys, f"{name}(x)", f"x={x}")
    assert status == 0
    assert results(out) == pytest.approx({f"{name}(x)": f(x), "d/dx": df(x)})


def test_an_expression_starting_with_minus_goes_after_double_dash(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "--", "-x*2", "x=3")
    assert status == 0
    assert results(out) == {"-x*2": -6.0, "d/dx": -2.0}


def test_non_finite_numbers_print_as_python_does(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "x * 2", "x=inf")
    assert status == 0
    assert out.splitlines() == ["x * 2 = inf", "d/dx = 2.0"]


# --- drawings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "magic"), [(".svg", b"<?xml"), (".png", b"\x89PNG"), (".pdf", b"%PDF-")]
)
def test_dash_o_draws_the_graph_in_the_format_of_its_suffix(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, suffix: str, magic: bytes
) -> None:
    target = tmp_path / f"g{suffix}"
    status, out, err = run(capsys, "tanh(w*x + b)", "w=-3", "x=2", "b=1", "-o", str(target))
    assert status == 0
    assert list(results(out)) == ["tanh(w*x + b)", "d/dw", "d/dx", "d/db"]
    assert target.read_bytes().startswith(magic)
    assert str(target) in err
    if suffix == ".svg":
        shown = {t.text for t in ET.fromstring(target.read_bytes()).iter()}
        assert {"w", "x", "b", "tanh"} <= shown


def test_dash_o_dot_holds_the_drawing_of_the_graph_after_backward(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "g.dot"
    assert run(capsys, "x*y", "x=2", "y=5", "--output", str(target))[0] == 0
    x, y = Value(2.0, "x"), Value(5.0, "y")
    z = x * y
    z.backward()
    assert target.read_text("utf-8") == draw_dot(z).source


def test_without_graphviz_the_numbers_still_print_and_the_error_says_how_to_install(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    status, out, err = run(capsys, "x*x", "x=3", "-o", str(tmp_path / "g.svg"))
    assert status == 1
    assert results(out) == {"x*x": 9.0, "d/dx": 6.0}
    assert "install graphviz" in err.lower() and "Traceback" not in err
    assert not (tmp_path / "g.svg").exists()


# --- rejected input ------------------------------------------------------------------------------

# (expression, words the message must contain, the part the carets must point at)
REJECTED = [
    ("x.real + 1", "attribute", "x.real"),
    ("x.__class__.__mro__", "attribute", "x.__class__.__mro__"),
    ("x + y", "unknown name 'y'", "y"),
    ("foo(x)", "unknown function 'foo'", "foo"),
    ("__import__('os')", "unknown function '__import__'", "__import__"),
    ("x(2)", "unknown function 'x'", "x"),
    ("(x)(2)", "unknown function 'x'", "x"),
    ("exp(x)(x)", "can be called", "exp(x)(x)"),
    ("exp(x, x)", "one argument", "exp(x, x)"),
    ("exp()", "one argument", "exp()"),
    ("exp(x=1)", "one argument", "exp(x=1)"),
    ("x[0]", "subscript", "x[0]"),
    ("(lambda: x) + 1", "lambda", "lambda: x"),
    ("x + 'a'", "string", "'a'"),
    ("x + b'a'", "string", "b'a'"),
    ("x + f'{x}'", "f-string", "f'{x}'"),
    ("x < 2", "comparison", "x < 2"),
    ("x and 1", "'and'/'or'", "x and 1"),
    ("not x", "operator not", "not x"),
    ("~x", "operator ~", "~x"),
    ("x // 2", "operator //", "x // 2"),
    ("x % 2", "operator %", "x % 2"),
    ("x @ x", "operator @", "x @ x"),
    ("x | 1", "operator |", "x | 1"),
    ("x if x else 1", "conditional", "x if x else 1"),
    ("(y := 2) + x", "assignment", "y := 2"),
    ("[x for x in range(3)]", "comprehension", "[x for x in range(3)]"),
    ("[x]", "list", "[x]"),
    ("(x, x)", "tuple", "(x, x)"),
    ("{x: 1}", "dict", "{x: 1}"),
    ("{x}", "set", "{x}"),
    ("x + True", "True", "True"),
    ("x + None", "None", "None"),
    ("x + 1j", "1j", "1j"),
    ("x + ...", "Ellipsis", "..."),
    ("x + 1" + "0" * 400, "too large", "1" + "0" * 400),  # no float holds it
    ("x +", "invalid syntax", ""),
    ("(x", "never closed", "("),
    ("import os", "invalid syntax", ""),
    ("x = 1", "invalid syntax", ""),
    ("é + x", "unknown name 'é'", "é"),
    ("é + x.real", "attribute", "x.real"),  # carets count characters, not UTF-8 bytes
    ("é + (", "never closed", "("),
]


def pointed_at(err: str) -> str:
    """The part of the echoed expression that the caret line underlines."""
    lines = err.splitlines()
    carets = next(i for i, line in enumerate(lines) if set(line.strip()) == {"^"})
    source, marks = lines[carets - 1], lines[carets]
    start = marks.index("^")
    return source[start : start + marks.count("^")]


@pytest.mark.parametrize(("expression", "words", "offending"), REJECTED)
def test_a_rejected_expression_exits_2_pointing_at_the_offending_part(
    capsys: pytest.CaptureFixture[str], expression: str, words: str, offending: str
) -> None:
    status, out, err = run(capsys, expression, "x=2")
    assert status == 2
    assert out == ""
    assert err.startswith("graph: error: ") or " graph: error: " in err.splitlines()[0]
    assert words in err
    assert "Traceback" not in err
    if offending:
        assert pointed_at(err) == offending
    else:
        assert f"  {expression}" in err.splitlines()


@pytest.mark.parametrize(
    "expression",
    ["x+" * 200_000 + "x", "-" * 200_000 + "x", "(" * 500 + "x" + ")" * 500],
)
def test_an_absurdly_deep_expression_is_rejected_cleanly(
    capsys: pytest.CaptureFixture[str], expression: str
) -> None:
    status, out, err = run(capsys, expression, "x=1")
    assert status == 2 and out == ""
    assert "error:" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("bindings", "words"),
    [
        (["x"], "NAME=VALUE"),
        (["x:2"], "NAME=VALUE"),
        (["=2"], "not a valid name"),
        (["1x=2"], "'1x' in '1x=2' is not a valid name"),
        (["x.y=2"], "not a valid name"),
        (["for=2"], "not a valid name"),
        (["x="], "'' in 'x=' is not a number"),
        (["x=two"], "'two' in 'x=two' is not a number"),
        (["x=1j"], "not a number"),
        (["exp=1"], "'exp' is a function"),
        (["x=1", "x=2"], "'x' is bound twice"),
    ],
)
def test_a_missing_or_malformed_binding_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], bindings: list[str], words: str
) -> None:
    status, out, err = run(capsys, "x + 1", *bindings)
    assert status == 2 and out == ""
    assert words in err and "Traceback" not in err


def test_an_unknown_output_suffix_exits_2_before_anything_is_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, err = run(capsys, "x + 1", "x=1", "-o", str(tmp_path / "g.jpg"))
    assert status == 2 and out == ""
    assert ".svg" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("expression", "binding", "words", "offending"),
    [
        ("log(x) + 1", "x=0", "log of non-positive value 0.0", "log(x)"),
        ("1 / (x - 2)", "x=2", "division by zero", "1 / (x - 2)"),
        ("sqrt(x - 3)", "x=2", "sqrt of negative value", "sqrt(x - 3)"),
    ],
)
def test_an_undefined_value_exits_1_pointing_at_where(
    capsys: pytest.CaptureFixture[str], expression: str, binding: str, words: str, offending: str
) -> None:
    status, out, err = run(capsys, expression, binding)
    assert status == 1 and out == ""
    assert words in err and "Traceback" not in err
    assert pointed_at(err) == offending


def test_an_undefined_derivative_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "sqrt(x)", "x=0")
    assert status == 1 and out == ""
    assert "backward failed" in err and "sqrt has no finite derivative" in err
    assert "Traceback" not in err


def test_overflow_prints_infinities_as_the_engine_computes_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "x ** 400", "x=10")
    assert status == 0
    assert out.splitlines() == ["x ** 400 = inf", "d/dx = inf"]


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main(["graph"]) == 2
    assert main(["nonsense"]) == 2
    assert "usage" in capsys.readouterr().err


def test_help_exits_0_and_lists_the_functions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert all(name in help_text for name in FUNCTIONS)


# --- as a program --------------------------------------------------------------------------------


def python_m_autograd(*argv: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "autograd", *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )


def test_python_m_autograd_graph(tmp_path: Path) -> None:
    done = python_m_autograd("graph", "x*y + 1", "x=2", "y=4", "-o", str(tmp_path / "g.svg"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["x*y + 1 = 9.0", "d/dx = 4.0", "d/dy = 2.0"]
    ET.fromstring((tmp_path / "g.svg").read_bytes())


def test_python_m_autograd_rejects_without_a_traceback() -> None:
    done = python_m_autograd("graph", "__import__('os').system('echo hacked')")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("python -m autograd graph: error:")
    assert "Traceback" not in done.stderr


def test_python_m_autograd_version_is_the_installed_distribution_s() -> None:
    done = python_m_autograd("--version")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"chainrule {importlib.metadata.version('chainrule')}\n"


def test_a_byte_that_is_not_utf8_is_rejected_with_status_2() -> None:
    # Bytes, as a shell passes $'x\xff': Python sees them as lone surrogates.
    for argv in ([b"graph", b"x\xff", b"x=1"], [b"graph", b"x", b"x\xff=1"]):
        done = subprocess.run(
            [os.fsencode(sys.executable), b"-m", b"autograd", *argv],
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 2 and done.stdout == b""
        assert b"not valid UTF-8 text (byte 0xff at character 2)" in done.stderr
        assert b"Traceback" not in done.stderr


# --- expressions that start with '-' -------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["-x*y", "x=2", "y=3"],
        ["-x*y", "x=2", "y=3", "-o", "{out}"],
        ["-o", "{out}", "-x*y", "x=2", "y=3"],
        ["--output={out}", "-x*y", "x=2", "y=3"],
        ["-x*y", "x=2", "--out", "{out}", "y=3"],
        ["-o{out}", "-x*y", "x=2", "y=3"],
        ["--", "-x*y", "x=2", "y=3"],
        ["-o", "{out}", "--", "-x*y", "x=2", "y=3"],
    ],
)
def test_an_expression_may_start_with_minus_wherever_the_options_are(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]
) -> None:
    out_file = tmp_path / "g.dot"
    status, out, err = run(capsys, *(a.format(out=out_file) for a in argv))
    assert status == 0, err
    assert out.splitlines() == ["-x*y = -6.0", "d/dx = -3.0", "d/dy = -2.0"]
    assert out_file.exists() == ("{out}" in " ".join(argv))


def test_a_binding_that_starts_with_minus_is_named_as_given(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, _, err = run(capsys, "x", "-x=2")
    assert status == 2
    assert "'-x' in '-x=2' is not a valid name" in err


@pytest.mark.parametrize("argv", [["-o*x"], ["-o*x", "o=2", "x=1"]])
def test_an_expression_that_reads_as_the_option_says_to_put_double_dash_first(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    status, out, err = run(capsys, *argv)  # -o with the value '*x'
    assert (status, out) == (2, "")
    assert "goes after '--'" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["-h*x", "h=2", "x=3"], ["-h*x = -6.0", "d/dh = -3.0", "d/dx = -2.0"]),
        (["-h", "h=2", "--max-nodes", "5"], None),  # -h itself is the help
        (["--", "-h", "h=2"], ["-h = -2.0", "d/dh = -1.0"]),
    ],
)
def test_an_expression_that_starts_with_a_flag_s_letter_is_an_expression(
    capsys: pytest.CaptureFixture[str], argv: list[str], shown: list[str] | None
) -> None:
    # -h takes no value, so '-h*x' cannot be the flag: argparse used to refuse it with
    # "ignored explicit argument '*x'" and no word of '--'.
    status, out, err = run(capsys, *argv)
    assert status == 0, err
    if shown is None:
        assert out.startswith("usage:")
    else:
        assert out.splitlines() == shown


def test_after_double_dash_an_expression_may_start_with_the_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "--", "-o*x", "o=2", "x=1")
    assert status == 0
    assert out.splitlines() == ["-o*x = -2.0", "d/do = -1.0", "d/dx = -2.0"]


# --- names as Python reads them ------------------------------------------------------------------


def test_a_binding_is_normalized_as_python_normalizes_the_expression(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "x + 𝑥", "𝑥=3")
    assert status == 0
    assert out.splitlines() == ["x + 𝑥 = 6.0", "d/dx = 2.0"]


def test_two_bindings_of_one_normalized_name_are_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "x + 𝑥", "x=1", "𝑥=3")
    assert (status, out) == (2, "")
    assert "'x' is bound twice, as 'x' and as '𝑥'" in err


@needs_sh
def test_graphviz_s_time_limit_is_an_option_and_its_message_names_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The message used to say only "pass a larger timeout=", which the command line has no way to.
    fake_dot(tmp_path, monkeypatch, "exec sleep 30")
    status, _, err = run(capsys, "x*x", "x=3", "-o", str(tmp_path / "g.svg"), "--timeout", "0.4")
    assert status == 1
    assert "ran out of time (0.4 s)" in err and "--timeout" in err
    assert not (tmp_path / "g.svg").exists()
    for bad in ("0", "-1", "nan", "soon"):
        status, out, err = run(capsys, "x", "x=1", "-o", str(tmp_path / "g.svg"), "--timeout", bad)
        assert (status, out) == (2, "") and "--timeout" in err


@needs_sh
def test_a_crash_of_graphviz_is_an_error_naming_it_not_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dot(tmp_path, monkeypatch, CRASH)
    status, out, err = run(capsys, "x*x", "x=3", "-o", str(tmp_path / "g.svg"))
    assert status == 1
    assert results(out) == {"x*x": 9.0, "d/dx": 6.0}
    assert "Graphviz's dot crashed" in err and "2 Values" in err and "Traceback" not in err
    assert not (tmp_path / "g.svg").exists()


def test_a_graph_over_max_nodes_is_refused_before_anything_is_printed_with_the_option_to_raise_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    expression = "+".join(["x"] * 300)  # 300 Values: x and 299 sums
    status, out, err = run(
        capsys, expression, "x=1", "-o", str(tmp_path / "g.dot"), "--max-nodes", "299"
    )
    assert (status, out) == (2, "")
    assert "300 Values, more than --max-nodes=299" in err and "--max-nodes 300" in err
    status, out, err = run(
        capsys, expression, "x=1", "-o", str(tmp_path / "g.dot"), "--max-nodes", "300"
    )
    assert status == 0 and (tmp_path / "g.dot").exists()


def test_explore_takes_an_expression_that_starts_with_minus_too(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "page.html"
    assert main(["explore", "-x*y", "x=2", "y=3", "-o", str(page)]) == 0
    assert capsys.readouterr().out == "-x*y = -6.0\n"
    assert page.read_text("utf-8").startswith("<!DOCTYPE html>")
