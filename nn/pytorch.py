"""The hand-off to PyTorch: an ``nn.MLP`` as a ``torch.nn.Sequential`` and back, same numbers.

``MLP(nin, nouts, activation, output_activation)`` is ``Sequential(Linear(nin, nouts[0]), act,
Linear(nouts[0], nouts[1]), act, ..., Linear(..., nouts[-1]), output_act)`` in float64, with no
module for a ``"linear"`` activation; layer ``i``'s ``neurons[j].w[k]`` is the Linear's
``weight[j, k]`` and ``neurons[j].b`` its ``bias[j]``. PyTorch is optional: it is imported here,
by the first conversion, and without it both directions raise an ImportError that says how to
install it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nn.mlp import MLP

if TYPE_CHECKING:
    import torch

INSTALL = "pip install 'chainrule[torch]'"

# Each activation's PyTorch module, by the name nn uses; "linear" has none.
MODULES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid"}

WHAT_FITS = (
    "an MLP is Linear layers (with biases), each followed by at most one of ReLU, Tanh, "
    "Sigmoid or Identity, the hidden layers all alike"
)


def require_torch(caller: str) -> None:
    """Nothing when PyTorch can be imported; else an ImportError naming ``caller`` and saying how
    to install it."""
    try:
        import torch  # noqa: F401
    except ImportError as error:
        raise ImportError(
            f"{caller} needs PyTorch, which is not installed; install chainrule's torch extra "
            f"with: {INSTALL}",
            name="torch",
        ) from error


def to_torch(model: MLP) -> torch.nn.Sequential:
    """``model`` as a float64 ``torch.nn.Sequential`` computing the same function."""
    require_torch("MLP.to_torch")
    import torch

    modules: list[torch.nn.Module] = []
    for layer in model.layers:
        # Made on the meta device, where PyTorch's random initialisation draws nothing (so the
        # user's random-number stream does not move), then given the model's numbers.
        linear = torch.nn.Linear(layer.nin, layer.nout, dtype=torch.float64, device="meta")
        weights = [[w.data for w in neuron.w] for neuron in layer.neurons]
        biases = [neuron.b.data for neuron in layer.neurons]
        linear.weight = torch.nn.Parameter(torch.tensor(weights, dtype=torch.float64))
        linear.bias = torch.nn.Parameter(torch.tensor(biases, dtype=torch.float64))
        modules.append(linear)
        if layer.activation in MODULES:
            modules.append(getattr(torch.nn, MODULES[layer.activation])())
    return torch.nn.Sequential(*modules)


def from_torch(sequential: torch.nn.Module) -> MLP:
    """The ``nn.MLP`` that computes what ``sequential`` computes, with its weights as float64.

    TypeError unless ``sequential`` is a ``torch.nn.Sequential``; ValueError naming the first
    layer an MLP cannot represent (another kind of module, a Linear without bias or of the wrong
    size, two activations in a row, hidden layers with different activations).
    """
    require_torch("MLP.from_torch")
    import torch

    if not isinstance(sequential, torch.nn.Sequential):
        raise TypeError(
            f"MLP.from_torch takes a torch.nn.Sequential, got {type(sequential).__name__}"
        )
    if type(sequential).forward is not torch.nn.Sequential.forward:
        raise ValueError(
            f"MLP.from_torch cannot represent a {type(sequential).__name__}: it overrides "
            "Sequential.forward"
        )
    activations = {getattr(torch.nn, name): act for act, name in MODULES.items()}
    linears: list[tuple[str, torch.nn.Linear]] = []
    after: list[str] = []  # the activation after each Linear, "linear" for none
    for name, module in sequential.named_children():
        kind = type(module)
        if kind is torch.nn.Identity:
            continue
        if isinstance(module, torch.nn.Linear) and kind is torch.nn.Linear:
            if module.bias is None:
                raise _refuse(name, module, "it has no bias; every neuron of an MLP has one")
            if module.in_features < 1 or module.out_features < 1:
                raise _refuse(name, module, "an MLP's layers have at least one input and output")
            if linears and module.in_features != linears[-1][1].out_features:
                previous = linears[-1][1].out_features
                raise _refuse(
                    name,
                    module,
                    f"it takes {module.in_features} inputs, but the layer before it gives "
                    f"{previous}",
                )
            linears.append((name, module))
            after.append("linear")
        elif kind in activations:
            if not linears:
                raise _refuse(name, module, f"it comes before the first Linear; {WHAT_FITS}")
            if after[-1] != "linear":
                raise _refuse(name, module, f"it follows another activation; {WHAT_FITS}")
            after[-1] = activations[kind]
        else:
            why = f"{kind.__name__} is not one of the layers an MLP has; {WHAT_FITS}"
            raise _refuse(name, module, why)
    if not linears:
        raise ValueError(f"MLP.from_torch found no Linear layer in {sequential!r}; {WHAT_FITS}")
    hidden = after[:-1]
    for (name, module), activation in zip(linears[1:-1], hidden[1:], strict=True):
        if activation != hidden[0]:
            raise ValueError(
                f"MLP.from_torch cannot represent layer {name} ({module!r}) followed by "
                f"{activation!r}: the hidden layers before it use {hidden[0]!r}, and {WHAT_FITS}"
            )
    model = MLP(
        linears[0][1].in_features,
        [module.out_features for _, module in linears],
        activation=hidden[0] if hidden else "relu",
        output_activation=after[-1],
    )
    for layer, (name, module) in zip(model.layers, linears, strict=True):
        weight = _floats(module.weight, f"{name}.weight")
        bias = _floats(module.bias, f"{name}.bias")
        for neuron, row, b in zip(layer.neurons, weight, bias, strict=True):
            for w, value in zip(neuron.w, row, strict=True):
                w.data = value
            neuron.b.data = b
    return model


def _refuse(name: str, module: torch.nn.Module, why: str) -> ValueError:
    """The error for layer ``name`` of a Sequential, which an MLP cannot represent."""
    return ValueError(f"MLP.from_torch cannot represent layer {name} ({module!r}): {why}")


def _floats(tensor: torch.Tensor, name: str) -> list[Any]:
    """``tensor``'s entries as (nested lists of) Python floats; ValueError naming the tensor when
    it is complex or holds NaN or infinity."""
    import torch

    if tensor.is_meta:
        raise ValueError(
            f"MLP.from_torch cannot represent {name}: it is on the meta device, which holds no "
            "numbers"
        )
    if tensor.is_complex():
        raise ValueError(f"MLP.from_torch cannot represent {name}: it is complex ({tensor.dtype})")
    values = tensor.detach().to(device="cpu", dtype=torch.float64)
    if not bool(torch.isfinite(values).all()):
        raise ValueError(f"MLP.from_torch cannot represent {name}: it holds NaN or infinity")
    entries: list[Any] = values.tolist()
    return entries
