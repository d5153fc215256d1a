"""What a user reads names each source text by its title and author, never as a "seed".

The five source texts the project teaches from are, to a reader, a question on Mathematics
Stack Exchange, Sudeep Raja's derivation, a blog article, notes on Tariq Rashid's book and
course notes; "seed" is only ever a random seed. Checked here: the README, every module,
docstring and comment of the packages, tests and benchmarks, every notebook cell and the command
line's help.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import nbformat
import pytest

from nn.cli import main

REPOSITORY = Path(__file__).parents[1]

# A source text called a seed: "seed 001", "the seed's equations", "the seeds' matrix form",
# "the seed is a blog article", "the seed writes". (A random seed, or the seed tangents of a
# forward sweep, are seeds; the patterns leave them alone.)
SOURCE_AS_SEED = re.compile(
    r"(?i)\bseeds?\s+0\d\d\b|\bseeds?'s?(?!\w)"
    r"|\b(the|each|every|five)\s+seeds?\s+(is|are|was|says?|writes?|derives?|defines?|gives?"
    r"|runs?|notes?|keeps?|leaves?|asks?|then|uses?|starts?|ends?)\b"
    r"|\b(from|in|by|than) the seeds?\b(?!\s+tangent)"
    # and in a name: SEED_WEIGHTS, seed_example, seed_numbers
    r"|\bseeds?_(weights?|examples?|numbers?|values?|equations?|texts?|cases?)\b"
)


def user_facing_texts() -> list[tuple[str, str]]:
    texts = [("README.md", (REPOSITORY / "README.md").read_text("utf-8"))]
    # The packages, and the tests and benchmarks, which hold the texts' numbers.
    for folder in ("autograd", "nn", "tests", "benchmarks"):
        for path in sorted((REPOSITORY / folder).rglob("*.py")):
            if path != Path(__file__):  # this file's own examples of what it looks for
                texts.append((str(path.relative_to(REPOSITORY)), path.read_text("utf-8")))
    for path in sorted((REPOSITORY / "notebooks").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
        for index, cell in enumerate(notebook.cells):
            texts.append((f"{path.name}, cell {index}", cell.source))
    for command in (["--help"], ["graph", "--help"], ["demo", "--help"]):
        shown = io.StringIO()
        with contextlib.redirect_stdout(shown):
            assert main(command) == 0
        texts.append(("chainrule " + " ".join(command), shown.getvalue()))
    return texts


def test_the_check_finds_a_source_called_a_seed() -> None:
    for text in [
        "Seed 002: the chain rule",
        "the seed's equations",
        "The seed is a blog",
        "the seeds' matrix form",
        "assert weights == SEED_WEIGHTS",
        "J, a, b, c = seed_example()",
    ]:
        assert SOURCE_AS_SEED.search(text), text
    for text in [
        "MLP(2, [4], seed=0)",
        "the same seed gives the same points",
        "a seed for random.Random",
        "layer_seed = rng.getrandbits(63)",
        "DATA_SEED = 0",
    ]:
        assert not SOURCE_AS_SEED.search(text), text


@pytest.mark.parametrize(
    ("where", "text"), user_facing_texts(), ids=lambda x: x if len(x) < 60 else ""
)
def test_no_source_text_is_called_a_seed(where: str, text: str) -> None:
    hits = [m.group(0) for m in SOURCE_AS_SEED.finditer(text)]
    assert not hits, f"{where} calls a source text a seed: {hits}"
