"""save and load: plain JSON, exact round trips, atomic writes, and a clear error per bad file."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest

import nn
from autograd import Value
from nn import MLP, Layer, Module, Neuron


def saved(tmp_path: Path, model: Module | None = None) -> Path:
    model = model or MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=4)
    return model.save(tmp_path / "model.json")


@pytest.mark.parametrize(
    "model",
    [
        MLP(3, [4, 4, 2], activation="tanh", output_activation="sigmoid", seed=1),
        Layer(2, 3, activation="linear", seed=2),
        Neuron(4, activation="sigmoid", seed=3),
    ],
)
def test_round_trip_is_exact(tmp_path: Path, model: Module) -> None:
    # Weights that need all 17 digits to survive.
    for k, p in enumerate(model.parameters()):
        p.data = math.pi * (k + 1) / 7 - 1e-17 * k
    path = model.save(tmp_path / "m.json")
    loaded = type(model).load(path)
    assert type(loaded) is type(model)
    assert repr(loaded) == repr(model)
    assert loaded.state_dict() == model.state_dict()
    x = [0.3, -0.7, 1.1, 0.2][: model.nin]  # type: ignore[attr-defined]
    assert outputs(loaded, x) == outputs(model, x)


def outputs(model: Module, x: list[float]) -> list[float]:
    out = model(x)
    return [out.data] if isinstance(out, Value) else [v.data for v in out]


def test_the_file_is_plain_json_naming_every_parameter(tmp_path: Path) -> None:
    model = MLP(2, [3, 1], seed=0)
    document = json.loads(model.save(tmp_path / "m.json").read_text(encoding="utf-8"))
    assert document["module"] == "MLP"
    assert document["config"] == {
        "nin": 2,
        "nouts": [3, 1],
        "activation": "relu",
        "output_activation": "linear",
    }
    assert document["parameters"] == model.state_dict()
    assert "layers.0.neurons.2.w.1" in document["parameters"]


def test_module_load_returns_whatever_the_file_holds(tmp_path: Path) -> None:
    path = Layer(2, 2, seed=0).save(tmp_path / "layer.json")
    assert isinstance(Module.load(path), Layer)


def test_saving_replaces_the_file_whole_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text("old contents", encoding="utf-8")
    MLP(2, [2, 1], seed=0).save(path)
    assert MLP.load(path).state_dict() == MLP(2, [2, 1], seed=0).state_dict()
    assert os.listdir(tmp_path) == ["m.json"]


def test_a_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = saved(tmp_path)
    before = path.read_bytes()

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="No space left"):
        MLP(2, [3, 1], seed=9).save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.json"]


def test_a_file_that_cannot_be_created_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: object, *args: object) -> int:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(os, "open", refuse)
    target = tmp_path / "m.json"
    with pytest.raises(PermissionError) as caught:
        MLP(2, [1]).save(target)
    assert caught.value.filename == str(target)
    assert os.listdir(tmp_path) == []


def test_a_model_with_nan_is_not_saved(tmp_path: Path) -> None:
    path = saved(tmp_path)
    before = path.read_bytes()
    model = MLP(2, [3, 1], seed=0)
    model.layers[1].neurons[0].b.data = math.nan
    with pytest.raises(ValueError, match="parameter layers.1.neurons.0.b is nan"):
        model.save(path)
    assert path.read_bytes() == before


def test_saving_into_a_missing_directory_names_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="directory .*nowhere.* does not exist"):
        MLP(2, [1]).save(tmp_path / "nowhere" / "m.json")


# --- bad files: each raises ValueError naming the file and the problem ----------------------------


def load_error(path: Path, cls: type[Module] = MLP) -> str:
    with pytest.raises(ValueError) as caught:
        cls.load(path)
    message = str(caught.value)
    assert str(path) in message
    return message


def test_a_missing_file(tmp_path: Path) -> None:
    assert "does not exist" in load_error(tmp_path / "absent.json")


def test_a_directory_and_an_empty_file(tmp_path: Path) -> None:
    assert "is a directory" in load_error(tmp_path)
    empty = tmp_path / "empty.json"
    empty.write_text("  \n", encoding="utf-8")
    assert "is empty" in load_error(empty)


def test_a_file_cut_short_anywhere_is_truncated(tmp_path: Path) -> None:
    """Every proper prefix of a saved file: in the middle of a key, a number, between entries."""
    path = saved(tmp_path)
    text = path.read_text(encoding="utf-8").rstrip()
    for cut in range(1, len(text)):
        path.write_text(text[:cut], encoding="utf-8")
        message = load_error(path)
        assert "is truncated" in message, (text[:cut][-20:], message)


@pytest.mark.parametrize(
    ("contents", "problem"),
    [
        ('{"format": "chainrule.nn",, "version": 1}', "is not valid JSON"),
        ("{'format': 'chainrule.nn'}", "is not valid JSON"),
        ('{"a": 1} trailing', "is not valid JSON"),
        ('{"a": NaN}', "contains NaN, which is not a number in plain JSON"),
        (
            '{"format": "chainrule.nn", "nin": 1' + "0" * 5000 + "}",
            "is not a model file: a number of 5001 digits (more than Python reads from text)",
        ),
        ("[1, 2, 3]", "is not a chainrule model"),
        ('{"format": "something else"}', "is not a chainrule model"),
        ('{"format": "chainrule.nn", "version": 99}', "has version 99"),
    ],
)
def test_malformed_files(tmp_path: Path, contents: str, problem: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(contents, encoding="utf-8")
    assert problem in load_error(path)


def test_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "binary.json"
    path.write_bytes(b"\x80\x81\xfe")
    assert "is not UTF-8 text" in load_error(path)


def edit(path: Path, change: object) -> Path:
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)  # type: ignore[operator]
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_a_config_that_does_not_match_the_parameters(tmp_path: Path) -> None:
    path = edit(saved(tmp_path), lambda d: d["config"].update(nouts=[4, 1]))
    message = load_error(path)
    assert "does not fit" in message
    assert "missing layers.0.neurons.3.w.0, layers.0.neurons.3.w.1, layers.0.neurons.3.b" in message
    assert "unexpected" not in message.split("missing")[0]


def test_missing_and_unexpected_parameters(tmp_path: Path) -> None:
    def change(document: dict[str, Any]) -> None:
        del document["parameters"]["layers.1.neurons.0.b"]
        document["parameters"]["layers.9.w"] = 1.0

    message = load_error(edit(saved(tmp_path), change))
    assert "missing layers.1.neurons.0.b" in message
    assert "unexpected layers.9.w" in message


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("0.5", "is '0.5', not a number"),
        (True, "is True, not a number"),
        (None, "is None, not a number"),
        (1e400, "is inf, not a finite number"),
        (10**400, "is too large for a float"),
    ],
)
def test_a_parameter_that_is_not_a_finite_number(
    tmp_path: Path, value: object, problem: str
) -> None:
    path = saved(tmp_path)
    if value == 1e400:
        text = path.read_text(encoding="utf-8")
        document = json.loads(text)
        key = "layers.0.neurons.0.w.0"
        path.write_text(
            text.replace(repr(document["parameters"][key]), "1e400", 1), encoding="utf-8"
        )
    else:
        edit(path, lambda d: d["parameters"].update({"layers.0.neurons.0.w.0": value}))
    message = load_error(path)
    assert f"parameter layers.0.neurons.0.w.0 {problem}" in message


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d.update(module="Transformer"), "unknown module 'Transformer'"),
        (lambda d: d.pop("config"), 'has no "config" object'),
        (lambda d: d.update(parameters=[1, 2]), 'has no "parameters" object'),
        (lambda d: d["config"].update(activation="gelu"), "invalid MLP config"),
        (lambda d: d["config"].update(depth=3), "invalid MLP config"),
        (lambda d: d["config"].update(nouts=[]), "invalid MLP config"),
    ],
)
def test_a_document_that_does_not_describe_a_model(
    tmp_path: Path, change: object, problem: str
) -> None:
    assert problem in load_error(edit(saved(tmp_path), change))


def test_loading_a_file_of_another_module_type(tmp_path: Path) -> None:
    path = saved(tmp_path, Neuron(2, seed=0))
    assert "holds a Neuron, not an MLP" in load_error(path, MLP)
    assert "holds an MLP, not a Neuron" in load_error(saved(tmp_path, MLP(2, [1])), Neuron)


def test_load_state_dict_changes_nothing_unless_everything_fits() -> None:
    model = MLP(2, [2, 1], seed=0)
    before = model.state_dict()
    state = dict(before, **{"layers.0.neurons.0.w.0": 9.0, "layers.1.neurons.0.b": "x"})
    with pytest.raises(ValueError, match="parameter layers.1.neurons.0.b is 'x'"):
        model.load_state_dict(state)
    assert model.state_dict() == before
    model.load_state_dict({name: 0.5 for name in before})
    assert set(model.state_dict().values()) == {0.5}


def test_no_pickle_anywhere_in_nn() -> None:
    sources = Path(nn.__file__).parent.glob("*.py")
    assert not [p.name for p in sources if "pickle" in p.read_text(encoding="utf-8")]


def test_a_config_far_larger_than_the_file_is_refused_before_anything_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.json"
    document = {
        "format": "chainrule.nn",
        "version": 1,
        "module": "MLP",
        "config": {"nin": 1000000, "nouts": [10000]},
        "parameters": {},
    }
    path.write_text(json.dumps(document), encoding="utf-8")

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("MLP.load built the model")

    monkeypatch.setattr(MLP, "__init__", never)
    message = load_error(path)
    assert "makes 10,000,010,000 parameters, but the file holds 0" in message


@pytest.mark.parametrize(
    ("module", "config", "count"),
    [
        ("Neuron", {"nin": 10**9}, 10**9 + 1),
        ("Layer", {"nin": 10**5, "nout": 10**5}, (10**5 + 1) * 10**5),
        ("MLP", {"nin": 2, "nouts": [10**6, 10**6]}, 3 * 10**6 + (10**6 + 1) * 10**6),
    ],
)
def test_every_module_counts_its_parameters_from_its_config(
    tmp_path: Path, module: str, config: dict[str, Any], count: int
) -> None:
    path = tmp_path / "m.json"
    document = {"format": "chainrule.nn", "version": 1, "module": module, "config": config}
    path.write_text(json.dumps(dict(document, parameters={"w.0": 0.5})), encoding="utf-8")
    assert f"makes {count:,} parameters, but the file holds 1" in load_error(path, Module)


@pytest.mark.parametrize(
    "config", [{"nin": "2", "nouts": [1]}, {"nin": 2, "nouts": "x"}, {"nin": 2}]
)
def test_a_config_that_cannot_be_counted_is_invalid(tmp_path: Path, config: dict[str, Any]) -> None:
    path = edit(saved(tmp_path), lambda d: d.update(config=config))
    assert "invalid MLP config" in load_error(path)


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_deeply_nested_json_is_a_value_error_naming_the_file(tmp_path: Path, opening: str) -> None:
    path = tmp_path / "nested.json"
    closing = "]" if opening == "[" else "}"
    path.write_text(opening * 100_000 + "1" + closing * 100_000, encoding="utf-8")
    assert "is nested too deeply" in load_error(path)


class Scaled(Module):
    """A module of the user's own that does not say how many parameters a config makes."""

    def __init__(self, n: int = 1) -> None:
        self.n = n
        self.w = [Value(1.0) for _ in range(n)]


def test_a_module_without_parameter_count_is_saved_but_not_loaded(tmp_path: Path) -> None:
    path = Scaled(2).save(tmp_path / "scaled.json")
    assert "holds a Scaled, which cannot be loaded" in load_error(path, Module)
    message = load_error(edit(path, lambda d: d.update(module="Transformer")), Module)
    known = message.split("(known: ")[1].rstrip(")").split(", ")
    assert {"Neuron", "Layer", "MLP"} <= set(known) and not {"Module", "Scaled"} & set(known)


def test_a_huge_config_is_shown_shortened(tmp_path: Path) -> None:
    path = edit(saved(tmp_path), lambda d: d["config"].update(nouts=[7] * 100_000))
    message = load_error(path)
    assert "makes 5,599,965 parameters, but the file holds 13" in message
    assert len(message) < 500
