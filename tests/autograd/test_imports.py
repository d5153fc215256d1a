"""Light imports: `import autograd` and `import nn` load no heavy dependency until it is used."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ["graphviz", "numpy", "matplotlib", "tqdm", "torch"]


def loaded_after(code: str) -> list[str]:
    """The heavy packages in sys.modules after running ``code`` in a fresh interpreter."""
    report = "import json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    probe = f"{code}\n{report}"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return [name for name in json.loads(result.stdout.splitlines()[-1]) if name in HEAVY]


@pytest.mark.parametrize(
    "code",
    [
        "import autograd",
        "import nn",
        "import autograd.draw, autograd.steps, autograd.cli, nn.mlp, nn.train, nn.pytorch",
        "from autograd import Value, draw_dot, render, render_steps, gradcheck, grad, no_grad",
        "from nn import MLP, SGD, train\nMLP(2, [3, 1], seed=0)([1.0, 2.0]).backward()",
        # The chainrule command, until it trains the demo or draws
        "from nn.cli import main\nmain(['--version'])\nmain(['graph', 'x*y', 'x=2', 'y=3'])",
    ],
)
def test_importing_loads_no_heavy_dependency(code: str) -> None:
    assert loaded_after(code) == []


@pytest.mark.parametrize(
    ("code", "needed"),
    [
        ("import autograd\nautograd.draw_dot(autograd.Value(1.0) * 2)", ["graphviz"]),
        ("from autograd import GraphvizNotFoundError", ["graphviz"]),
        ("import nn\nnn.matrix", ["numpy"]),
        ("from nn import matrix", ["numpy"]),
    ],
)
def test_each_dependency_arrives_with_the_first_feature_that_needs_it(
    code: str, needed: list[str]
) -> None:
    assert loaded_after(code) == needed


def test_graphviz_not_found_error_is_graphvizs_own_and_named_as_exported() -> None:
    import graphviz

    from autograd import GraphvizNotFoundError, draw

    assert issubclass(GraphvizNotFoundError, graphviz.ExecutableNotFound)
    assert GraphvizNotFoundError is draw.GraphvizNotFoundError
    assert f"{GraphvizNotFoundError.__module__}.{GraphvizNotFoundError.__qualname__}" == (
        "autograd.draw.GraphvizNotFoundError"
    )
