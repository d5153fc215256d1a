"""Builds the optional compiled core, autograd._core, beside the pure-Python engine.

Everything else about the package is in pyproject.toml. Without a working C compiler the
build prints one line and the install goes on with the pure-Python reference engine, which
keeps every promise (``autograd.backend()`` then says ``"python"``).
"""

from __future__ import annotations

import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

NATIVE = "autograd/_native"
# One file per concept; a new C file is one more entry here.
SOURCES = ["module.c", "value.c", "graph.c", "mode.c", "number.c"]
HEADERS = ["core.h", "ops.h"]


class optional_build_ext(build_ext):
    """build_ext that turns a failed compile into a one-line warning."""

    warned = False

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:  # no compiler at all, or no Python headers
            self._skip(error)

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as error:  # the compiler failed
            self._skip(error)

    @classmethod
    def _skip(cls, error: Exception) -> None:
        if cls.warned:  # the failed compile, then the copy of what it did not make
            return
        cls.warned = True
        reason = str(error).splitlines()[0][:120] if str(error) else ""
        print(
            f"warning: chainrule's compiled core was not built ({type(error).__name__}: {reason}); "
            "installing the pure-Python engine",
            file=sys.stderr,
        )


core = Extension(
    "autograd._core",
    sources=[f"{NATIVE}/{name}" for name in SOURCES],
    depends=[f"{NATIVE}/{name}" for name in HEADERS],
    # No fused multiply-add: the core must round exactly as Python's float arithmetic does.
    extra_compile_args=["-std=c11", "-ffp-contract=off"],
)

# The compiled replay of traced tapes (autograd/tape.py): one file, the math from ops.h.
tape = Extension(
    "autograd._tape",
    sources=[f"{NATIVE}/tape.c"],
    depends=[f"{NATIVE}/ops.h"],
    extra_compile_args=["-std=c11", "-ffp-contract=off"],
)

setup(ext_modules=[core, tape], cmdclass={"build_ext": optional_build_ext})
