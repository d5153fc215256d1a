"""The ``chainrule`` command: ``demo`` writes its three pictures; ``graph`` is wired in."""

from __future__ import annotations

import re
import tempfile
import xml.etree.ElementTree as ET
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nn import MLP
from nn.cli import main
from nn.datasets import make_moons
from nn.demo import DATA_SEED, draw_neuron, run_demo
from tests.fake_dot import CRASH, fake_dot, needs_sh

PNG = b"\x89PNG\r\n\x1a\n"


def test_demo_trains_and_writes_the_pictures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pictures"
    assert main(["demo", "--steps", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert re.search(r"step 2: loss \d+\.\d{4}, accuracy \d+%", printed.out)
    assert re.search(r"trained model: accuracy \d+%", printed.out)
    assert "2/2" not in printed.err  # no progress bar: standard error is not a terminal
    from autograd import backend

    engine = printed.err.splitlines()[0]
    if backend() == "native":
        assert engine == "engine: compiled core (autograd._core)"
    else:
        assert engine.startswith("engine: pure Python (slower; build the compiled core with")
    assert sorted(p.name for p in out.iterdir()) == [
        "decision_boundary.png",
        "explorer.html",
        "loss.png",
        "neuron.svg",
    ]
    assert (out / "decision_boundary.png").read_bytes().startswith(PNG)
    assert (out / "loss.png").read_bytes().startswith(PNG)
    svg = (out / "neuron.svg").read_text(encoding="utf-8")
    assert "<svg" in svg
    # One first-layer neuron, clustered under its scope, on inputs x.0 and x.1.
    assert re.search(r"layers\.0\.neurons\.\d+", svg)
    assert "x.0" in svg and "w.1" in svg and "relu" in svg and "layers.1" not in svg


def test_demo_compile_trains_from_a_tape_to_the_same_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def last_step(printed: str) -> str:
        return next(line for line in printed.splitlines() if line.startswith("step 3:"))

    assert main(["demo", "--steps", "3", "--out", str(tmp_path / "eager")]) == 0
    eager = last_step(capsys.readouterr().out)
    assert main(["demo", "--steps", "3", "--out", str(tmp_path / "taped"), "--compile"]) == 0
    assert last_step(capsys.readouterr().out) == eager  # "step 3: loss ..., accuracy ..."
    assert sorted(p.name for p in (tmp_path / "taped").iterdir()) == [
        "decision_boundary.png",
        "explorer.html",
        "loss.png",
        "neuron.svg",
    ]


SVG = "{http://www.w3.org/2000/svg}"


def drawn_values(svg_path: Path) -> dict[str, tuple[str, str]]:
    """The (data, grad) texts that a drawing shows for each labelled Value, by label."""
    shown: dict[str, tuple[str, str]] = {}
    for group in ET.parse(svg_path).iter(f"{SVG}g"):
        lines = [(t.text or "").replace("\xa0", " ") for t in group.iter(f"{SVG}text")]
        if "node" in (group.get("class") or "").split() and len(lines) == 3:
            label, data, grad = lines
            shown[label] = (data.removeprefix("data "), grad.removeprefix("grad "))
    return shown


def assert_shows_the_chain_rule(svg_path: Path, x: list[float]) -> None:
    """Every drawn gradient checked by hand: d out/d w.k = x.k dz, d out/d b = dz."""
    shown = drawn_values(svg_path)
    dz = float(shown["z"][1])
    assert dz == 1.0  # the neuron is active: its ReLU passes the gradient on unchanged
    assert shown["out"][1] == "1"
    # Compared as the 4 significant digits the drawing shows (as numbers: -0 is 0).
    assert float(shown["b"][1]) == float(f"{dz:.4g}")
    for k, xk in enumerate(x):
        assert float(shown[f"x.{k}"][0]) == float(f"{xk:.4g}")
        assert float(shown[f"w.{k}"][1]) == float(f"{xk * dz:.4g}")
        w = float(shown[f"w.{k}"][0])
        assert float(shown[f"x.{k}"][1]) == float(f"{w * dz:.4g}")


def test_the_demo_s_neuron_drawing_shows_the_gradients_of_one_backward_pass(
    tmp_path: Path,
) -> None:
    """After training, the parameters' .grad hold the last step's gradients; the drawing must
    show d out / d node for its own backward pass alone."""
    run_demo(tmp_path, steps=3, progress=False)
    X, _ = make_moons(100, noise=0.1, seed=DATA_SEED)
    assert_shows_the_chain_rule(tmp_path / "neuron.svg", X[0])


@given(st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=2, max_size=2))
@settings(max_examples=10, deadline=None)
def test_draw_neuron_shows_the_gradients_whatever_grad_the_model_holds(x: list[float]) -> None:
    model = MLP(2, [4, 1], seed=0)
    for k, p in enumerate(model.parameters()):
        p.grad = 10.0 + k  # left over from training
    assume(
        any(n.w[0].data * x[0] + n.w[1].data * x[1] + n.b.data > 0 for n in model.layers[0].neurons)
    )
    with tempfile.TemporaryDirectory() as folder:
        path = draw_neuron(model, x, Path(folder) / "n.svg")
        assert_shows_the_chain_rule(path, x)


def test_drawing_a_neuron_leaves_the_models_gradients_alone(tmp_path: Path) -> None:
    model = MLP(2, [4, 1], seed=0)
    for k, p in enumerate(model.parameters()):
        p.grad = k / 10
    before = [p.grad for p in model.parameters()]
    draw_neuron(model, [0.5, -0.3], tmp_path / "n.svg")
    assert [p.grad for p in model.parameters()] == before


def test_a_linear_neuron_is_drawn_with_its_output_as_z(tmp_path: Path) -> None:
    """A linear neuron has no activation node: its output is z, and no partial sum is "z"."""
    source = draw_neuron(
        MLP(2, [3, 1], activation="linear", seed=0), [0.5, -0.3], tmp_path / "n.dot"
    )
    labels = re.findall(r"<B>([^<]*)</B>", source.read_text(encoding="utf-8"))
    assert "out" in labels and "z" not in labels


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ("0", "expected at least 1 step, got 0"),
        ("ten", "expected a whole number of steps, got 'ten'"),
    ],
)
def test_demo_refuses_a_bad_step_count(
    steps: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--steps", steps]) == 2
    assert message in capsys.readouterr().err


def test_demo_refuses_an_output_path_that_is_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "file"
    target.write_text("keep me", encoding="utf-8")
    assert main(["demo", "--steps", "1", "--out", str(target)]) == 1
    assert "exists and is not a directory" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "keep me"


def test_graph_is_a_subcommand_too(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "x*y + x", "x=2", "y=3"]) == 0
    assert capsys.readouterr().out.splitlines() == ["x*y + x = 8.0", "d/dx = 4.0", "d/dy = 2.0"]


def test_no_subcommand_prints_the_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "demo" in err and "graph" in err


def test_the_console_script_is_nn_cli_main() -> None:
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "chainrule"]
    assert script.value == "nn.cli:main"


def test_demo_without_graphviz_fails_before_training_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    out = tmp_path / "pictures"
    assert main(["demo", "--steps", "1", "--out", str(out)]) == 1
    printed = capsys.readouterr()
    assert "neuron.svg needs Graphviz's 'dot' program" in printed.err
    assert "Install Graphviz with:" in printed.err and "Traceback" not in printed.err
    # No training ran: at most the line naming the engine was printed.
    assert printed.out.splitlines()[1:] == [] and "1/1" not in printed.err
    assert not out.exists()


@needs_sh
def test_demo_when_graphviz_crashes_says_so_and_has_written_no_picture(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bin").mkdir()
    fake_dot(tmp_path / "bin", monkeypatch, CRASH)
    out = tmp_path / "pictures"
    assert main(["demo", "--steps", "1", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "Graphviz's dot crashed (SIGSEGV)" in err and "10 Values" in err
    assert "Traceback" not in err
    assert list(out.iterdir()) == []


def test_version_prints_the_installed_distribution_s_version(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from importlib.metadata import version

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"chainrule {version('chainrule')}\n"
