"""The README's claims: its examples run and print what it says, its numbers are the code's."""

from __future__ import annotations

import contextlib
import inspect
import io
import os
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from autograd import draw, draw_dot, render, render_steps
from nn.cli import main

README = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", README, re.S)
PYTHON = [code for language, code in BLOCKS if language == "python"]
SHELL = [code for language, code in BLOCKS if language == "sh" and "$ chainrule" in code]


def _example(i: int, code: str) -> Any:
    """An example as a test case; one that imports an optional extra runs where its checks run
    (``make check-torch``, ``make check-micrograd``), marked as they are."""
    extras = re.findall(r"^(?:import|from) (torch|micrograd)\b", code, re.M)
    return pytest.param(code, id=f"python-{i}", marks=[getattr(pytest.mark, m) for m in extras])


@pytest.mark.parametrize("code", [_example(i, code) for i, code in enumerate(PYTHON)])
def test_each_python_example_prints_what_its_comments_say(
    code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the examples write files
    # Each print's comment shows what it prints (or says something about it, in words).
    expected = [
        comment.strip()
        for line in code.splitlines()
        if line.startswith("print(")
        for comment in [line.partition("#")[2]]
    ]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
        exec(compile(code, "README.md", "exec"), {})  # the README's own code
    lines = printed.getvalue().splitlines()
    assert len(lines) == len(expected)
    for line, comment in zip(lines, expected, strict=True):
        if comment[:1].isalpha():  # prose about the output ("the same number"), not the output
            continue
        assert comment.startswith(line), f"prints {line!r}, the README says {comment!r}"


@pytest.mark.parametrize("block", SHELL, ids=[f"sh-{i}" for i in range(len(SHELL))])
def test_each_command_prints_what_the_readme_shows(
    block: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    command, *shown = block.strip().splitlines()
    argv = shlex.split(command.removeprefix("$ "))
    assert argv[0] == "chainrule"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert main(argv[1:]) == 0
    assert out.getvalue().splitlines() + err.getvalue().splitlines() == shown
    if "-o" in argv:
        assert os.path.getsize(argv[argv.index("-o") + 1]) > 0


def default(function: object, name: str) -> object:
    return inspect.signature(function).parameters[name].default  # type: ignore[arg-type]


def test_the_numbers_the_readme_gives_are_the_code_s() -> None:
    assert "500 by default for\n`draw_dot` and `render`, 100 for `render_steps`" in README
    assert default(draw_dot, "max_nodes") == default(render, "max_nodes") == 500
    assert default(render_steps, "max_nodes") == 100
    assert "`dot` gets 60 seconds per drawing" in README and default(render, "timeout") == 60
    assert "or\ntakes 10 seconds" in README and draw.FULL_LAYOUT_TIME == 10
    assert "over 100 characters is drawn shortened" in README and draw.LABEL_LIMIT == 100
