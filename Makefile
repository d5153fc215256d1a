# `make demo` and `make test` do all the set-up: a .venv with the project installed, and Graphviz.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo notebooks test lint typecheck check-torch check-micrograd browser-test bench setup clean

# The compiled core, built in place (gcc and Python's headers), and rebuilt whenever one of its
# sources changes. Without a compiler the build says so in one line and the pure-Python engine
# runs; the marker is then not written, so the next run tries again.
CORE_SOURCES := $(wildcard autograd/_native/*.c autograd/_native/*.h)
CORE := $(VENV)/.core-built

$(CORE): $(CORE_SOURCES) setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check 'setuptools>=77'
	$(BIN)/python setup.py --quiet build_ext --inplace
	@if ls autograd/_core.*.so >/dev/null 2>&1; then touch $@; fi

.PHONY: core
core: $(CORE)

setup: $(INSTALLED) $(CORE) graphviz

$(INSTALLED): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 'setuptools>=77'
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

.PHONY: graphviz
graphviz:
	@scripts/ensure-graphviz

# The demo needs only the project and its run-time dependencies, not the development tools;
# pip's own output shows what is being fetched and built.
RUNTIME_INSTALLED := $(VENV)/.runtime-installed

$(RUNTIME_INSTALLED): pyproject.toml
	@echo "==> Creating the virtual environment $(VENV) (if missing)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "==> Installing chainrule and what it needs to run: graphviz, numpy, matplotlib, tqdm"
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on -e .
	touch $@

demo: $(RUNTIME_INSTALLED) $(CORE) graphviz
	@echo "==> Training the moons classifier and drawing it into out/"
	$(BIN)/chainrule demo

# JupyterLab in the same .venv (opt-in: it is large), opened on the notebooks.
NOTEBOOKS_INSTALLED := $(VENV)/.notebooks-installed

$(NOTEBOOKS_INSTALLED): pyproject.toml $(RUNTIME_INSTALLED)
	@echo "==> Installing JupyterLab into $(VENV)"
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on -e '.[notebooks]'
	touch $@

# Jupyter refuses to start as root (as in many containers) unless told that it is meant.
notebooks: $(NOTEBOOKS_INSTALLED) graphviz
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

# Every test runs on both engines: the compiled core, then the pure-Python reference.
test: setup
	CHAINRULE_BACKEND=native $(BIN)/python -m pytest
	CHAINRULE_BACKEND=python $(BIN)/python -m pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy

# Cross-checks against PyTorch on both engines (opt-in: torch is large), and the type check of
# the modules that import it.
TORCH_MODULES := tests/autograd/test_torch.py tests/nn/test_torch.py \
	tests/autograd/test_functional_torch.py \
	benchmarks/engines/torch_scalar.py benchmarks/engines/torch_matrix.py

check-torch: setup
	$(BIN)/python -m pip install --quiet -e '.[dev,torch]'
	$(BIN)/mypy $(TORCH_MODULES)
	CHAINRULE_BACKEND=native $(BIN)/python -m pytest -m torch
	CHAINRULE_BACKEND=python $(BIN)/python -m pytest -m torch

# The step viewer and the explorer in headless Chromium, on both engines (opt-in: needs Debian's
# chromium and chromium-driver).
browser-test: setup
	@scripts/ensure-chromium
	$(BIN)/python -m pip install --quiet -e '.[dev,browser]'
	CHAINRULE_BACKEND=native $(BIN)/python -m pytest -m browser
	CHAINRULE_BACKEND=python $(BIN)/python -m pytest -m browser

# Benchmarks against micrograd and PyTorch (opt-in: the bench extra pins torch==2.13.0).
BENCH_INSTALLED := $(VENV)/.bench-installed

$(BENCH_INSTALLED): pyproject.toml $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@

bench: setup $(BENCH_INSTALLED)
	$(BIN)/python -m benchmarks.run

# nn's MLP against micrograd's, node for node (opt-in: micrograd 0.1.0 is in the bench extra).
check-micrograd: setup $(BENCH_INSTALLED)
	$(BIN)/python -m pytest -m micrograd

clean:
	rm -rf $(VENV) out build *.egg-info .pytest_cache .mypy_cache .ruff_cache autograd/_core.*.so autograd/_tape.*.so
