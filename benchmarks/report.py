"""The environment of a run, the equivalence checks, the targets, and the markdown table."""

from __future__ import annotations

import math
import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.engines import ENGINES
from benchmarks.workloads import MEMORY_ENGINES, WORKLOADS

COMPUTE = ("moons", "chain_1e5", "chain_1e6", "affine_1e6", "neuron_1e4", "classifier")
DRAWING = ("draw_dot", "draw_svg")
HEADINGS = {
    "moons": "moons step",
    "chain_1e5": "chain 10^5",
    "chain_1e6": "chain 10^6",
    "affine_1e6": "y * 1.0001 + 0.001, 10^6 times",
    "neuron_1e4": "neuron, 10^4 inputs",
    "classifier": "MLP(64, [32, 10]), 1,000 samples",
}


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _commit() -> str | None:
    """The checked-out commit, marked when the engine's or nn's files differ from it."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True).stdout

    try:
        head = git("rev-parse", "--short", "HEAD").strip()
        dirty = git("status", "--porcelain", "--", "autograd", "nn").strip()
    except OSError:
        return None
    if not head:
        return None
    return f"{head} with uncommitted changes to autograd/ or nn/" if dirty else head


def environment() -> dict[str, Any]:
    """What the figures depend on: the command, CPython, the machine and the libraries."""
    command = " ".join(["python -m benchmarks.run", *sys.argv[1:]])
    return {
        "command": "make bench" if len(sys.argv) == 1 else command,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "machine": {"cpu": _cpu(), "cores": os.cpu_count(), "platform": platform.platform()},
        "versions": {
            name: _version(name)
            for name in ("chainrule", "micrograd", "torch", "numpy", "graphviz")
        },
        "commit": _commit(),
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
    }


def compare_checks(results: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Whether each engine's check values (loss, gradient sums) agree with chainrule's."""
    verdicts: dict[str, dict[str, str]] = {}
    for workload, cells in results["workloads"].items():
        # The eager engine is the reference (run with its collector paused on the classifier).
        eager = "chainrule" if "chainrule" in cells else "chainrule-gc-off"
        reference = cells.get(eager, {}).get("check")
        if reference is None:
            continue
        verdicts[workload] = {}
        for engine, cell in cells.items():
            check = cell.get("check")
            if engine == eager or check is None:
                continue
            pairs = list(zip(reference, check, strict=False))
            same = all(math.isclose(a, b, rel_tol=1e-8, abs_tol=1e-10) for a, b in pairs)
            verdicts[workload][engine] = "agrees" if same else f"differs: {check} vs {reference}"
    return verdicts


def _median(results: dict[str, Any], workload: str, engine: str) -> float | None:
    median: float | None = results["workloads"].get(workload, {}).get(engine, {}).get("median")
    return median


def _ratio(
    results: dict[str, Any], workload: str, numerator: str, denominator: str
) -> float | None:
    top, bottom = _median(results, workload, numerator), _median(results, workload, denominator)
    return None if top is None or bottom is None else top / bottom


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each with the measured figure and whether it is met."""
    rows: list[dict[str, Any]] = []

    def ratio_target(text: str, figure: float | None, limit: float, at_most: bool) -> None:
        met = None if figure is None else (figure <= limit if at_most else figure >= limit)
        shown = None if figure is None else f"{figure:.1f}x"
        rows.append({"target": text, "measured": shown, "value": figure, "met": met})

    ratio_target(
        "moons step at most 3x the plain-float forward pass (chainrule / floats)",
        _ratio(results, "moons", "chainrule", "floats"),
        3,
        True,
    )
    ratio_target(
        "at least 20x faster than micrograd with its collector off (micrograd / chainrule)",
        _ratio(results, "moons", "micrograd-gc-off", "chainrule"),
        20,
        False,
    )
    ratio_target(
        "at least 80x faster than micrograd as shipped (micrograd / chainrule)",
        _ratio(results, "moons", "micrograd", "chainrule"),
        80,
        False,
    )
    ratio_target(
        "at least 5x faster than PyTorch 0-d tensors (PyTorch / chainrule)",
        _ratio(results, "moons", "torch-0d", "chainrule"),
        5,
        False,
    )
    memory = results["memory"].get("chainrule", {})
    worst = max(memory.get("bytes_forward", -1.0), memory.get("bytes_backward", -1.0))
    rows.append(
        {
            "target": "at most 80 bytes per node (after forward and after backward)",
            "measured": f"{worst:.0f} B" if worst >= 0 else None,
            "value": worst if worst >= 0 else None,
            "met": None if worst < 0 else worst <= 80,
        }
    )
    affine = _median(results, "affine_1e6", "chainrule")
    rows.append(
        {
            "target": "y * 1.0001 + 0.001, 10^6 times (4·10^6 nodes), in at most 1 s, collector on",
            "measured": None if affine is None else duration(affine),
            "value": affine,
            "met": None if affine is None else affine <= 1.0,
        }
    )
    for workload, text in (
        ("chain_1e6", "the 10^6 chain"),
        ("neuron_1e4", "the 10^4-input neuron"),
    ):
        cell = results["workloads"].get(workload, {}).get("chainrule")
        done = None if cell is None else "median" in cell and "error" not in cell
        micrograd = results["workloads"].get(workload, {}).get("micrograd")
        if micrograd is None:
            theirs = "not run"
        else:
            theirs = f"fails, {micrograd['error']}" if "error" in micrograd else "completes"
        rows.append(
            {
                "target": f"{text} completes (micrograd: {theirs})",
                "measured": None if cell is None else "completes" if done else cell.get("error"),
                "value": None,
                "met": done,
            }
        )
    ratio_target(
        "`nn.matrix` within 2x of hand-written NumPy (nn.matrix / NumPy)",
        _ratio(results, "moons", "nn.matrix", "numpy"),
        2,
        True,
    )
    for text, engine, reference, limit in (
        ("compiled replay, at most 0.5x the plain-float forward pass", "tape", "floats", 0.5),
        ("NumPy replay, at most 1x the plain-float forward pass", "tape-numpy", "floats", 1),
        ("within 10x of hand-written NumPy (tape / NumPy; aim 5x)", "tape", "numpy", 10),
    ):
        figure = _ratio(results, "moons", engine, reference)
        ratio_target(f"moons step from a tape, {text}", figure, limit, True)
    return rows


def duration(seconds: float) -> str:
    """Three significant figures in s, ms or µs."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale or unit == "µs":
            value = seconds / scale
            return f"{value:.3g} {unit}" if value < 1000 else f"{value:.0f} {unit}"
    raise AssertionError


def _cell(results: dict[str, Any], workload: str, engine: str) -> str:
    if engine not in WORKLOADS[workload].engines:
        return ""
    cell = results["workloads"].get(workload, {}).get(engine)
    if cell is None:
        return "not run"
    if "error" in cell:
        if cell["error"] in ("ModuleNotFoundError", "ImportError"):
            return "not installed"
        return f"fails ({cell['error']})"
    text = duration(cell["median"])
    cells = results["workloads"].get(workload, {})
    base = "chainrule" if "chainrule" in cells else "chainrule-gc-off"
    ratio = _ratio(results, workload, engine, base)
    if engine != base and ratio is not None:
        text += f" ({ratio:.2g}x)" if ratio < 1 else f" ({ratio:.1f}x)"
    return text


def markdown(results: dict[str, Any]) -> str:
    """The README's table: medians, ratios to chainrule, memory, drawing and the targets."""
    machine = results["machine"]
    versions = results["versions"]
    workloads = [w for w in COMPUTE if w in results["workloads"]]
    engines = [e for e in ENGINES if any(e in results["workloads"][w] for w in workloads)]
    rounds = results["rounds"]
    lines = [
        f"Measured with `{results['command']}` on {results['python']}, "
        f"{machine['cpu']} ({machine['cores']} cores), {results['date']}, "
        f"commit {results['commit']}; 1-minute load average "
        f"{results['load_average'][0]} before, {results['load_average'][1]} after; "
        + ", ".join(f"{name} {v}" for name, v in versions.items() if v)
        + ".",
    ]
    if workloads:
        lines += [
            "",
            f"Median {'CPU' if results['clock'] == 'cpu' else 'wall-clock'} time per run "
            "over interleaved rounds ("
            + ", ".join(f"{HEADINGS.get(w, w)}: {rounds[w]}" for w in workloads)
            + "); in parentheses, the time relative to chainrule's "
            "(above 1: slower than chainrule).",
            "",
            "| engine | " + " | ".join(HEADINGS[w] for w in workloads) + " |",
            "| --- | " + " | ".join("---:" for _ in workloads) + " |",
        ]
        for e in engines:
            cells = [_cell(results, w, e) for w in workloads]
            lines.append(f"| {ENGINES[e].label} | " + " | ".join(cells) + " |")

    memory = results["memory"]
    if memory:
        lines += [
            "",
            "Bytes per retained node of the moons step's graph (tracemalloc):",
            "",
            "| engine | nodes | after forward | after backward |",
            "| --- | ---: | ---: | ---: |",
        ]
        for e in MEMORY_ENGINES:
            m = memory.get(e)
            if m and m.get("ok"):
                lines.append(
                    f"| {ENGINES[e].label} | {m['nodes']:.0f} | {m['bytes_forward']:.0f} B "
                    f"| {m['bytes_backward']:.0f} B |"
                )
            elif m:
                lines.append(f"| {ENGINES[e].label} | fails ({m.get('error')}) | | |")

    drawn = [w for w in DRAWING if "chainrule" in results["workloads"].get(w, {})]
    if drawn:
        parts = [f"{WORKLOADS[w].title}: {_cell(results, w, 'chainrule')}" for w in drawn]
        lines += ["", "Drawing (chainrule): " + "; ".join(parts) + "."]

    if results.get("targets"):
        lines += ["", "| target | measured | met |", "| --- | ---: | :---: |"]
        for t in results["targets"]:
            met = {True: "yes", False: "**no**", None: "not measured"}[t["met"]]
            lines.append(f"| {t['target']} | {t['measured'] or ''} | {met} |")
    disagreeing = [
        f"{w}/{e}: {v}" for w, by in results.get("checks", {}).items() for e, v in by.items()
    ]
    disagreeing = [d for d in disagreeing if not d.endswith(": agrees")]
    if disagreeing:
        lines += ["", "Engines whose results differ from chainrule's: " + "; ".join(disagreeing)]
    return "\n".join(lines) + "\n"
