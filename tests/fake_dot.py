"""A stand-in for Graphviz's ``dot`` program, to test what happens when dot crashes or hangs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

needs_sh = pytest.mark.skipif(os.name != "posix", reason="the fake dot is a shell script")


def fake_dot(folder: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    """Put a program called dot, running the shell ``script`` on what it is given, first on
    PATH."""
    program = folder / "dot"
    program.write_text("#!/bin/sh\n" + script + "\n")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


CRASH = "cat > /dev/null; kill -SEGV $$"  # reads the graph, then dies as Graphviz 2.43 can
