"""Shared test configuration: hypothesis profiles."""

import os

from hypothesis import HealthCheck, settings

# No deadlines: these machines are shared, and a slow example is not a failing one.
settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile("thorough", parent=settings.get_profile("default"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_report_header() -> str:
    """Which engine this run tests (``make test`` runs the suite once per engine)."""
    import autograd

    chosen = os.environ.get("CHAINRULE_BACKEND", "")
    return f"chainrule engine: {autograd.backend()} (CHAINRULE_BACKEND={chosen!r})"
