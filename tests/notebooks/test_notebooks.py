"""Every notebook in notebooks/ runs from top to bottom, and is stored without outputs.

The notebooks assert the source texts' numbers in their own cells, so a regression in the
library fails the notebook that relies on it. Training is shortened through
CHAINRULE_NOTEBOOK_STEPS. What the executed notebooks show is checked too: plain numbers, and
drawings that fit the page.
"""

from __future__ import annotations

import functools
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

REPOSITORY = Path(__file__).parents[2]
NOTEBOOKS = REPOSITORY / "notebooks"
SEEDS = Path(__file__).parents[3] / "shared" / "seeds"
# The numbers of the five source texts the notebooks retell (their files: SEEDS/NNN_*.txt).
SOURCE_TEXTS = ("000", "001", "002", "003", "004")
NOTEBOOK_PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))

# Enough steps for the moons notebook to show the loss falling, few enough to stay quick.
TRAINING_STEPS = "15"


def test_there_are_notebooks() -> None:
    assert NOTEBOOK_PATHS, f"no notebooks found in {NOTEBOOKS}"


@functools.cache
def executed(path: Path) -> Any:
    """The notebook at ``path`` after running every cell (once per test session)."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    # The kernel inherits this process's environment.
    previous = os.environ.get("CHAINRULE_NOTEBOOK_STEPS")
    os.environ["CHAINRULE_NOTEBOOK_STEPS"] = TRAINING_STEPS
    try:
        client.execute()  # raises CellExecutionError, with the failing cell, if any cell fails
    finally:
        if previous is None:
            del os.environ["CHAINRULE_NOTEBOOK_STEPS"]
        else:
            os.environ["CHAINRULE_NOTEBOOK_STEPS"] = previous
    return notebook


def outputs(notebook: Any) -> list[tuple[int, Any]]:
    """Every output of every code cell, with the cell's index."""
    return [
        (index, output)
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        for output in cell.outputs
    ]


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=[p.name for p in NOTEBOOK_PATHS])
def test_notebook_runs(path: Path) -> None:
    errors = [output for _, output in outputs(executed(path)) if output.output_type == "error"]
    assert not errors


# NumPy 2 shows a NumPy scalar as np.float64(0.25); a reader should see 0.25.
NUMPY_SCALAR = re.compile(r"\bnp\.(float|int|uint|complex|bool)\w*\(")


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=[p.name for p in NOTEBOOK_PATHS])
def test_notebook_outputs_show_plain_numbers(path: Path) -> None:
    for index, output in outputs(executed(path)):
        shown = output.get("text", "") + output.get("data", {}).get("text/plain", "")
        assert not NUMPY_SCALAR.search(shown), f"{path.name}: cell {index} shows {shown!r}"


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=[p.name for p in NOTEBOOK_PATHS])
def test_notebook_drawings_scale_to_the_page_width(path: Path) -> None:
    for index, output in outputs(executed(path)):
        svg = output.get("data", {}).get("image/svg+xml")
        if svg is None:
            continue
        root = ET.fromstring(svg)
        style = root.get("style", "")
        assert "max-width: 100%" in style and "height: auto" in style, (path.name, index)
        assert root.get("viewBox"), (path.name, index)


def drawn_values(svg: str) -> dict[str, tuple[str, str]]:
    """The (data, grad) that a drawing shows for each labelled Value, by label."""
    shown: dict[str, tuple[str, str]] = {}
    for group in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}g"):
        lines = [
            (t.text or "").replace("\xa0", " ")
            for t in group.iter("{http://www.w3.org/2000/svg}text")
        ]
        if "node" in (group.get("class") or "").split() and len(lines) == 3:
            label, data, grad = lines
            shown[label] = (data.removeprefix("data "), grad.removeprefix("grad "))
    return shown


@pytest.mark.notebook
def test_the_moons_neuron_is_drawn_with_the_gradients_of_its_backward_pass() -> None:
    notebook = executed(NOTEBOOKS / "moons_demo.ipynb")
    drawings = [
        o.data["image/svg+xml"]
        for _, o in outputs(notebook)
        if "image/svg+xml" in o.get("data", {})
    ]
    shown = drawn_values(drawings[0])  # the first drawing is the neuron's
    assert shown["out"][1] == "1"
    # An active ReLU: d out/d z = 1, so d out/d w.k = x_k (by hand) and d out/d b = 1.
    weights = sorted(label for label in shown if re.fullmatch(r"w\.\d+", label))
    assert weights == ["w.0", "w.1"]
    for k, w in enumerate(weights):
        x_k = float(shown[f"x{k}"][0])
        assert shown[w][1] == f"{x_k:.4g}" and x_k != 0
        assert shown[f"x{k}"][1] == shown[w][0]
    assert shown["b"][1] == "1"


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=[p.name for p in NOTEBOOK_PATHS])
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3"
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        assert cell.outputs == [], f"{path.name}: cell {index} is stored with outputs"
        assert cell.execution_count is None, (
            f"{path.name}: cell {index} is stored with execution count {cell.execution_count}"
        )


def test_every_source_text_has_its_notebook() -> None:
    numbers = {p.name.split("_", 1)[0] for p in NOTEBOOK_PATHS}
    missing = [number for number in SOURCE_TEXTS if number not in numbers]
    assert not missing, f"source texts without a notebook (named after the number): {missing}"


def test_the_source_texts_beside_a_checkout_are_the_ones_listed() -> None:
    # A development checkout has the texts themselves in ../shared/seeds; a clone of the
    # repository alone has only the list above, which the previous test holds the notebooks to.
    present = sorted(p.name.split("_", 1)[0] for p in SEEDS.glob("*")) if SEEDS.is_dir() else []
    assert present in ([], list(SOURCE_TEXTS)), f"{SEEDS} holds {present}, not {SOURCE_TEXTS}"
