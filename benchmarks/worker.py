"""One engine's worker process: builds workloads on request and times them.

Each engine runs in a process of its own, so one engine's garbage and collector state never
reach another's timings. The parent sends one JSON command per line on stdin; the worker answers
each with one JSON line on the original stdout (anything the engines print goes to stderr).
"""

from __future__ import annotations

import gc
import importlib
import json
import math
import os
import resource
import sys
import time
import traceback
from types import ModuleType
from typing import Any

from benchmarks.engines import ENGINES, Workload
from benchmarks.spec import Spec
from benchmarks.workloads import WORKLOADS

MIN_SAMPLE_SECONDS = 0.05  # fast workloads repeat within one sample until it lasts this long


def cpu_time() -> float:
    """CPU seconds used by this process and by the children it waited for (Graphviz's dot)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


class Worker:
    """The state of one engine's process: its module and the workloads built so far."""

    def __init__(self, engine: str, spec: Spec) -> None:
        self.engine = ENGINES[engine]
        self.spec = spec
        if self.engine.backend:  # read when autograd is first imported, just below
            os.environ["CHAINRULE_BACKEND"] = self.engine.backend
        self.module: ModuleType = importlib.import_module(
            f"benchmarks.engines.{self.engine.module}"
        )
        self.built: dict[str, tuple[Workload, int]] = {}
        if not self.engine.collector:
            gc.disable()

    def _collect(self) -> None:
        """With the collector off, free the cycles a run left behind (outside any timing)."""
        if not self.engine.collector:
            gc.collect()

    def _build(self, name: str) -> tuple[Workload, int, float]:
        """Build the workload, run it twice untimed (warm-up, then to pick the repeat count)."""
        timed = WORKLOADS[name]
        arg: object = self.spec[timed.arg] if isinstance(timed.arg, str) else timed.arg
        workload: Workload = getattr(self.module, timed.builder)(arg)
        start = time.perf_counter()
        workload.run()
        warmup = time.perf_counter() - start
        self._collect()
        if warmup < MIN_SAMPLE_SECONDS:
            start = time.perf_counter()
            workload.run()
            once = time.perf_counter() - start
            self._collect()
        else:
            once = warmup
        number = 1 if once >= MIN_SAMPLE_SECONDS else math.ceil(MIN_SAMPLE_SECONDS / once)
        self.built[name] = (workload, number)
        return workload, number, warmup

    def run(self, name: str) -> dict[str, Any]:
        """One sample: the mean time of ``number`` back-to-back runs, and the check values."""
        warmup = None
        if name in self.built:
            workload, number = self.built[name]
        else:
            workload, number, warmup = self._build(name)
        run = workload.run
        start, start_cpu = time.perf_counter(), cpu_time()
        for _ in range(number):
            result = run()
        wall = (time.perf_counter() - start) / number
        cpu = (cpu_time() - start_cpu) / number
        self._collect()
        check = [float(v) for v in workload.check(result)]
        return {
            "ok": True,
            "cpu": cpu,
            "wall": wall,
            "number": number,
            "warmup": warmup,
            "check": check,
        }

    def memory(self) -> dict[str, Any]:
        """Bytes per retained node of the moons step's graph."""
        return {"ok": True, **self.module.memory(self.spec["moons"])}


def _error(exc: BaseException) -> dict[str, Any]:
    message = str(exc).splitlines()[0] if str(exc) else ""
    return {"ok": False, "error": type(exc).__name__, "message": message[:300]}


def main() -> None:
    """Answer commands until stdin closes."""
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # engines that print must not corrupt the protocol
    sys.stdout = sys.stderr
    worker: Worker | None = None
    for line in sys.stdin:
        command = json.loads(line)
        reply: dict[str, Any]
        try:
            if command["cmd"] == "init":
                worker = Worker(command["engine"], command["spec"])
                reply = {"ok": True}
            elif worker is None:
                reply = {"ok": False, "error": "RuntimeError", "message": "init first"}
            elif command["cmd"] == "run":
                reply = worker.run(command["workload"])
            elif command["cmd"] == "memory":
                reply = worker.memory()
            else:
                reply = {"ok": False, "error": "ValueError", "message": f"unknown {command}"}
        except Exception as exc:  # a failing engine is a result, not a crash
            if not isinstance(exc, RecursionError):
                traceback.print_exc()
            reply = _error(exc)
            del exc
            # A failed run's graph may hold cycles (micrograd's do): free it now, untimed,
            # rather than in a collection during the next workload's timing.
            gc.collect()
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
