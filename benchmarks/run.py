"""Run every workload on every engine, interleaved, and write the table.

Usage: ``python -m benchmarks.run [--rounds-scale X] [--only-engines a,b] [--only-workloads a,b]``

Each engine runs in its own worker process (``benchmarks.worker``). Round after round, every
workload is run once on every engine, in an order that rotates between rounds, so slow drifts of
the machine touch all engines alike; the table shows medians over the rounds. Results go to
``benchmarks/results/latest.json`` and ``latest.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.engines import ENGINES
from benchmarks.spec import Spec, classifier_spec, moons_spec, neuron_spec
from benchmarks.workloads import MEMORY_ENGINES, NEURON_INPUTS, WORKLOADS

RESULTS = Path(__file__).resolve().parent / "results"
TIMEOUT_SECONDS = 300.0  # one sample; past this the worker is killed and the cell says so


class EngineProcess:
    """A worker process for one engine, started on first use."""

    def __init__(self, engine: str, spec: Spec) -> None:
        self.engine = engine
        self.spec = spec
        self.process: subprocess.Popen[str] | None = None
        self.broken: dict[str, Any] | None = None  # why the engine cannot run at all

    def _start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
            # One thread for NumPy's BLAS as for PyTorch: every engine computes on one core, and
            # a second thread spinning on a busy core only adds CPU time.
            env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
        )
        reply = self._ask({"cmd": "init", "engine": self.engine, "spec": self.spec})
        if not reply["ok"]:
            self.broken = reply
            self.stop()

    def _ask(self, command: dict[str, Any]) -> dict[str, Any]:
        process = self.process
        assert process is not None and process.stdin and process.stdout
        process.stdin.write(json.dumps(command) + "\n")
        process.stdin.flush()
        ready, _, _ = select.select([process.stdout], [], [], TIMEOUT_SECONDS)
        line = process.stdout.readline() if ready else ""
        if not line:
            timed_out = not ready
            self.stop()
            if timed_out:
                return {"ok": False, "error": "timeout", "message": f"over {TIMEOUT_SECONDS:.0f} s"}
            return {"ok": False, "error": "crashed", "message": "the worker process exited"}
        reply: dict[str, Any] = json.loads(line)
        return reply

    def ask(self, command: dict[str, Any]) -> dict[str, Any]:
        """Send a command (starting the process if needed) and wait for the reply."""
        if self.process is None and self.broken is None:
            self._start()
        if self.broken is not None:
            return self.broken
        return self._ask(command)

    def stop(self) -> None:
        """End the worker process (it exits when its stdin closes)."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.stdin:
            process.stdin.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure(
    spec: Spec,
    engines: list[str],
    workloads: list[str],
    scale: float,
    memory_too: bool,
    clock: str = "cpu",
) -> dict[str, Any]:
    """Every (workload, engine) cell: samples by ``clock``, median, check values or the error.

    ``clock`` is "cpu" (CPU seconds of the worker and of the programs it waited for) or "wall".
    """
    processes = {name: EngineProcess(name, spec) for name in engines}
    cells: dict[str, dict[str, dict[str, Any]]] = {w: {} for w in workloads}
    rounds = {w: max(1, round(WORKLOADS[w].rounds * scale)) for w in workloads}
    try:
        for r in range(max(rounds.values(), default=0)):
            for w in workloads:
                if r >= rounds[w]:
                    continue
                order = [e for e in WORKLOADS[w].engines if e in processes]
                shift = r % len(order) if order else 0
                for e in order[shift:] + order[:shift]:
                    cell = cells[w].setdefault(e, {"samples": [], "wall": [], "numbers": []})
                    if "error" in cell:
                        continue  # failures are deterministic: once is enough
                    reply = processes[e].ask({"cmd": "run", "workload": w})
                    if not reply["ok"]:
                        cell["error"] = reply["error"]
                        cell["message"] = reply.get("message", "")
                        _log(f"round {r + 1}/{rounds[w]}  {w:<11} {e:<17} {reply['error']}")
                        continue
                    cell["samples"].append(reply[clock])
                    cell["wall"].append(reply["wall"])
                    cell["numbers"].append(reply["number"])
                    cell["check"] = reply["check"]
                    _log(f"round {r + 1}/{rounds[w]}  {w:<11} {e:<17} {reply[clock]:.6f} s")
        memory: dict[str, dict[str, Any]] = {}
        for e in MEMORY_ENGINES if memory_too else ():
            if e in processes:
                reply = processes[e].ask({"cmd": "memory"})
                memory[e] = reply
                _log(f"memory  {e:<17} {reply}")
    finally:
        for process in processes.values():
            process.stop()
    for by_engine in cells.values():
        for cell in by_engine.values():
            if cell["samples"]:
                cell["median"] = statistics.median(cell["samples"])
                cell["min"] = min(cell["samples"])
                cell["max"] = max(cell["samples"])
                cell["wall_median"] = statistics.median(cell["wall"])
    return {"workloads": cells, "memory": memory, "rounds": rounds, "clock": clock}


def main(argv: list[str] | None = None) -> None:
    """Parse the options, measure, print the table and write the results."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--rounds-scale", type=float, default=1.0, help="scale every round count")
    parser.add_argument("--only-engines", default="", help="comma-separated engine names")
    parser.add_argument(
        "--only-workloads", default="", help="comma-separated workload names (or memory)"
    )
    parser.add_argument(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="what the table shows: CPU time of the engine's process (default) or wall time",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory for the results")
    args = parser.parse_args(argv)
    engines = args.only_engines.split(",") if args.only_engines else list(ENGINES)
    known = [*WORKLOADS, "memory"]
    workloads = args.only_workloads.split(",") if args.only_workloads else known
    for name in engines:
        if name not in ENGINES:
            parser.error(f"unknown engine {name!r}; known: {', '.join(ENGINES)}")
    for name in workloads:
        if name not in known:
            parser.error(f"unknown workload {name!r}; known: {', '.join(known)}")

    started = time.time()
    load_before = os.getloadavg()[0]
    spec: Spec = {
        "moons": moons_spec(),
        "neuron": neuron_spec(NEURON_INPUTS),
        "classifier": classifier_spec(),
    }
    timed = [w for w in workloads if w in WORKLOADS]
    results = measure(spec, engines, timed, args.rounds_scale, "memory" in workloads, args.clock)
    results.update(report.environment())
    results["seconds_total"] = round(time.time() - started, 1)
    results["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    results["checks"] = report.compare_checks(results)
    results["targets"] = report.targets(results)

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(results, indent=1) + "\n")
    markdown = report.markdown(results)
    (args.out / "latest.md").write_text(markdown)
    print(markdown)
    _log(f"wrote {args.out / 'latest.json'} and {args.out / 'latest.md'}")


if __name__ == "__main__":
    main()
