"""Timing and memory helpers: medians of repeated runs, and wall time + peak RSS of a child process tree.

Peak RSS is sampled from /proc over the whole process tree (the CLI and its worker processes),
because with N workers the memory that matters is the sum, which `ru_maxrss` or `time -v`
(largest single process) do not show. The largest single process (its VmHWM, the kernel's own
high-water mark) is reported as well.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


class NotAvailable(Exception):
    """A stage cannot run yet (missing command, stub module): reported as "n/a: <reason>"."""


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def timed(fn: Callable[[], Any], cpu: list[float] | None = None) -> float:
    """Wall seconds of fn(); its CPU seconds (this process) are appended to `cpu` when given.

    CPU time is the figure that survives a loaded machine: a neighbour stealing the core stretches
    wall time but not the cycles our code needs.
    """
    start, start_cpu = time.perf_counter(), time.process_time()
    fn()
    if cpu is not None:
        cpu.append(time.process_time() - start_cpu)
    return time.perf_counter() - start


def children_cpu_s() -> float:
    """User + system CPU seconds of all reaped child processes (and their reaped descendants)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(slots=True)
class ChildRun:
    """One child process run: wall time, memory, exit code and the tail of its output."""

    cmd: list[str]
    wall_s: float
    returncode: int | None
    peak_tree_rss_mb: float
    max_process_rss_mb: float
    stdout_tail: str = ""
    stderr_tail: str = ""
    timed_out: bool = False
    samples: int = 0
    cpu_s: float = 0.0  # CPU of the whole tree (workers included once reaped)
    extra: dict[str, Any] = field(default_factory=dict)


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return out


def _rss_kb(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0


def _hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def tree_memory_mb(pid: int) -> tuple[float, float]:
    """(resident memory of `pid` and all its descendants, largest VmHWM among them), in MB."""
    total, hwm, todo = 0, 0, [pid]
    while todo:
        p = todo.pop()
        total += _rss_kb(p)
        hwm = max(hwm, _hwm_kb(p))
        todo.extend(_children(p))
    return total / 1024, hwm / 1024


def run_child(
    cmd: list[str], *, timeout: float, cwd: Path | None = None, env: dict[str, str] | None = None
) -> ChildRun:
    """Run `cmd`, sampling the tree's RSS every 50 ms; kill it (its group) after `timeout` seconds."""
    peak = [0.0, 0.0, 0]  # tree RSS, largest process high-water mark, samples
    start, start_cpu = time.perf_counter(), children_cpu_s()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            rss, hwm = tree_memory_mb(proc.pid)
            peak[0], peak[1], peak[2] = max(peak[0], rss), max(peak[1], hwm), peak[2] + 1

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(proc.pid, 9)
        out, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    return ChildRun(
        cmd=cmd,
        wall_s=wall,
        returncode=proc.returncode,
        peak_tree_rss_mb=round(peak[0], 1),
        max_process_rss_mb=round(peak[1], 1),
        stdout_tail=out.decode("utf-8", "replace")[-2000:],
        stderr_tail=err.decode("utf-8", "replace")[-2000:],
        timed_out=timed_out,
        samples=int(peak[2]),
        cpu_s=round(children_cpu_s() - start_cpu, 2),
    )
