# `make demo` and `make test` do all the set-up: a .venv with the project installed, and Graphviz.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test lint typecheck check-torch browser-test bench setup clean

setup: $(INSTALLED) $(CORE) graphviz

$(INSTALLED): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 'setuptools>=77'
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The compiled core, rebuilt in place whenever one of its sources changes.
CORE_SOURCES := $(wildcard autograd/_native/*.c autograd/_native/*.h)
CORE := $(VENV)/.core-built

$(CORE): $(CORE_SOURCES) setup.py $(INSTALLED)
	$(BIN)/python setup.py --quiet build_ext --inplace
	$(BIN)/python -c "import autograd._core, autograd._tape"
	touch $@

.PHONY: core
core: $(CORE)

.PHONY: graphviz
graphviz:
	@scripts/ensure-graphviz

demo: setup
	$(BIN)/chainrule demo

# Every test runs on both engines: the compiled core, then the pure-Python reference.
test: setup
	CHAINRULE_BACKEND=native $(BIN)/python -m pytest
	CHAINRULE_BACKEND=python $(BIN)/python -m pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy

# Cross-checks against PyTorch (opt-in: torch is large), and the type check of the modules
# that import it.
TORCH_MODULES := tests/autograd/test_torch.py tests/nn/test_torch.py \
	benchmarks/engines/torch_scalar.py benchmarks/engines/torch_matrix.py

check-torch: setup
	$(BIN)/python -m pip install --quiet -e '.[dev,torch]'
	$(BIN)/mypy $(TORCH_MODULES)
	$(BIN)/python -m pytest -m torch

# The step-by-step viewer in headless Chromium (opt-in: needs Debian's chromium and chromium-driver).
browser-test: setup
	@scripts/ensure-chromium
	$(BIN)/python -m pip install --quiet -e '.[dev,browser]'
	$(BIN)/python -m pytest -m browser

# Benchmarks against micrograd and PyTorch (opt-in: the bench extra pins torch==2.13.0).
BENCH_INSTALLED := $(VENV)/.bench-installed

$(BENCH_INSTALLED): pyproject.toml $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@

bench: setup $(BENCH_INSTALLED)
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) out build *.egg-info .pytest_cache .mypy_cache .ruff_cache autograd/_core.*.so autograd/_tape.*.so
