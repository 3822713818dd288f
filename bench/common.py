"""Shared helpers of the bench scripts: the machine line, criterion's estimates, process timing.

Standard library only; every script runs from any directory (paths are relative to the repository).
"""

import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
CRITERION = TARGET / "criterion"


def machine():
    """`2 cores, AMD EPYC, 2026-12-01`: logical CPUs, the CPU model from /proc/cpuinfo, today (UTC)."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    day = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    return f"{n} cores, {model}, {day}"


def row(figure, goal, measured, command):
    """One row of the BENCHMARKS.md table: figure | goal | measured | command | machine."""
    return f"| {figure} | {goal} | {measured} | `{command}` | {machine()} |"


TABLE_HEADER = "| figure | goal | measured | command | machine |\n|---|---|---|---|---|"


def estimates(criterion_dir=CRITERION):
    """Criterion medians: {"group/function[/parameter]": nanoseconds}, from every `new/` run."""
    out = {}
    for bench in Path(criterion_dir).glob("**/new/benchmark.json"):
        meta = json.loads(bench.read_text())
        est = json.loads((bench.parent / "estimates.json").read_text())
        out[meta["full_id"]] = est["median"]["point_estimate"]
    return out


def fmt_ns(ns):
    """3 significant digits with a unit: 812 ns, 3.13 µs, 2.26 ms, 1.40 s."""
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            v = ns / scale
            return f"{v:.{2 if v < 10 else 1 if v < 100 else 0}f} {unit}"
    return f"{ns:.0f} ns"


def run_measured(cmd, cwd=ROOT, env=None, quiet=True):
    """Run `cmd`; return (wall seconds, peak RSS in MiB of the process tree, exit code).

    The peak is `ru_maxrss` from wait4: the largest resident set among the process and the
    descendants it waited for (for cargo: rustc)."""
    out = subprocess.DEVNULL if quiet else None
    start = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=out)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024.0, p.returncode


def cargo(*args, cwd=ROOT, env=None):
    """Run cargo with inherited output; exit on failure."""
    cmd = ["cargo", *args]
    print("+", " ".join(cmd), file=sys.stderr, flush=True)
    r = subprocess.run(cmd, cwd=cwd, env=env)
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}")


def clock():
    """The clock of the last `sign` bench run (wall time unless PAYSPEC_BENCH_CLOCK=cpu)."""
    f = CRITERION / "payspec-clock.txt"
    return f.read_text().strip() if f.exists() else "wall time"
