"""Without PyTorch, the hand-off says how to install it (the default suite runs without torch)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, cast

import pytest

from nn import MLP


@pytest.fixture
def no_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes `import torch` raise ImportError, as if it were not installed.
    monkeypatch.setitem(sys.modules, "torch", None)


@pytest.mark.usefixtures("no_torch")
@pytest.mark.parametrize(
    ("convert", "caller"),
    [
        (lambda: MLP(2, [1], seed=0).to_torch(), "MLP.to_torch"),
        (lambda: MLP.from_torch(cast(Any, object())), "MLP.from_torch"),
    ],
)
def test_both_directions_say_how_to_install_the_torch_extra(
    convert: Callable[[], object], caller: str
) -> None:
    with pytest.raises(ImportError) as caught:
        convert()
    message = str(caught.value)
    assert message.startswith(f"{caller} needs PyTorch, which is not installed")
    assert "pip install 'chainrule[torch]'" in message
    assert caught.value.name == "torch"
