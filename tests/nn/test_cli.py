"""The ``chainrule`` command: ``demo`` writes its three pictures; ``graph`` is wired in."""

from __future__ import annotations

import re
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from nn import MLP
from nn.cli import main
from nn.demo import draw_neuron, run_demo

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

    engine = printed.out.splitlines()[0]
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
        "loss.png",
        "neuron.svg",
    ]


def test_the_neuron_drawing_shows_the_gradients_of_an_active_neuron(tmp_path: Path) -> None:
    """The drawn neuron passes gradient through its ReLU: d out / d out = 1 and d out / d z = 1."""
    result = run_demo(tmp_path, steps=1, progress=False)
    assert len(result.history["loss"]) == 1
    svg = (tmp_path / "neuron.svg").read_text(encoding="utf-8").replace("&#45;", "-")
    grads = [float(g) for g in re.findall(r"grad (-?[0-9.e+-]+)<", svg)]
    assert grads.count(1.0) >= 2 and sum(g != 0 for g in grads) >= 5


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
