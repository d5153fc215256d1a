"""chainrule's traced tapes on the reference backend, whose tapes replay with NumPy."""

from __future__ import annotations

import os

# Read when autograd is imported, which must come after.
os.environ["CHAINRULE_BACKEND"] = "python"

from benchmarks.engines.chainrule_tape import classifier, moons, replay

__all__ = ["classifier", "moons", "replay"]
