"""Every notebook in notebooks/ runs from top to bottom, and is stored without outputs.

The notebooks assert the seeds' numbers in their own cells, so a regression in the library
fails the notebook that relies on it. Training is shortened through CHAINRULE_NOTEBOOK_STEPS.
"""

from __future__ import annotations

from pathlib import Path

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


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=[p.name for p in NOTEBOOK_PATHS])
def test_notebook_runs(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The kernel inherits this process's environment.
    monkeypatch.setenv("CHAINRULE_NOTEBOOK_STEPS", TRAINING_STEPS)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError, with the failing cell, if any cell fails
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert not errors


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
