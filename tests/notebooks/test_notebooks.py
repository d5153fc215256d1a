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


def test_every_seed_has_its_notebook() -> None:
    assert SEEDS.is_dir(), (
        f"the seed texts are expected in {SEEDS} (../shared/seeds beside the repository)"
    )
    seeds = sorted(p.name for p in SEEDS.iterdir() if p.is_file())
    assert seeds, f"no seed texts in {SEEDS}"
    numbers = {p.name.split("_", 1)[0] for p in NOTEBOOK_PATHS}
    missing = [name for name in seeds if name.split("_", 1)[0] not in numbers]
    assert not missing, f"seeds without a notebook (named after the seed's number): {missing}"
