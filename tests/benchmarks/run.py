"""`make bench`: runs every benchmark in tests/benchmarks/ three times and prints the median
and spread of each figure; a target counts only if it holds in the median run, never in the
best one (issue 21 point 5).

Each benchmark is a module `bench_<name>.py` with a `main()` that returns its figures (a dict
with a "passed" flag) and saves them under bench-results/<name>.json; a module may declare
`TARGETS = {"a.b.figure": (">=", 1000), ...}` (dotted paths into its figures), which are judged
on the medians. Each run is its own process (a benchmark starts servers and configures
engines), kept as bench-results/<name>.run<k>.json; the summary is <name>.median.json.
Choose with `make bench BENCH=webhooks,delivery`, and the number of runs with BENCH_RUNS
(default 3). Run one alone, once, with `python -m tests.benchmarks.bench_<name>`.
"""

from __future__ import annotations

import importlib
import json
import operator
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RESULTS = ROOT / "bench-results"
COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def leaves(figures: Any, prefix: str = "") -> Iterator[tuple[str, float]]:
    """Every numeric figure by its dotted path (lists are time series: left out)."""
    if isinstance(figures, dict):
        for key, value in figures.items():
            yield from leaves(value, f"{prefix}{key}.")
    elif isinstance(figures, int | float) and not isinstance(figures, bool):
        yield prefix.rstrip("."), float(figures)


def summarise(runs: list[dict[str, Any]]) -> dict[str, dict[str, float | int | None]]:
    """Median, min, max and how many runs gave each figure (a run that never reached a
    figure, e.g. a rate whose messages never all arrived, counts as missing, not as zero)."""
    paths: dict[str, list[float]] = {}
    for run in runs:
        for path, value in leaves(run):
            paths.setdefault(path, []).append(value)
    return {
        path: {
            "median": round(statistics.median(values), 3),
            "min": round(min(values), 3),
            "max": round(max(values), 3),
            "runs": len(values),
        }
        for path, values in sorted(paths.items())
    }


def judge(
    targets: dict[str, tuple[str, float]], summary: dict[str, dict[str, Any]], runs: int
) -> tuple[bool, list[str]]:
    """A target holds when every run gave the figure and its median meets it."""
    misses = []
    for path, (op, threshold) in targets.items():
        figure = summary.get(path)
        if figure is None or figure["runs"] < runs:
            got = "missing" if figure is None else f"only in {figure['runs']} of {runs} runs"
            misses.append(f"{path}: {got}")
        elif not COMPARE[op](figure["median"], threshold):
            misses.append(f"{path}: median {figure['median']} (target {op} {threshold})")
    return not misses, misses


def run_once(name: str, k: int) -> dict[str, Any]:
    """One run in its own process; its figures, or why there are none."""
    saved = RESULTS / f"{name}.json"
    saved.unlink(missing_ok=True)
    load = os.getloadavg()[0]
    code = subprocess.call([sys.executable, "-m", f"tests.benchmarks.bench_{name}"], cwd=ROOT)
    if not saved.exists():
        return {"passed": False, "error": f"exit {code}, no figures saved", "load_before": load}
    figures: dict[str, Any] = json.loads(saved.read_text())
    figures["load_before"] = load
    (RESULTS / f"{name}.run{k}.json").write_text(json.dumps(figures, indent=2, default=str))
    return figures


def main() -> int:
    chosen = [n for n in os.environ.get("BENCH", "").split(",") if n] or available()
    count = int(os.environ.get("BENCH_RUNS", "3"))
    RESULTS.mkdir(exist_ok=True)
    verdicts: dict[str, object] = {}
    failed = []
    for name in chosen:
        targets: dict[str, tuple[str, float]] = getattr(
            importlib.import_module(f"tests.benchmarks.bench_{name}"), "TARGETS", {}
        )
        runs = []
        for k in range(1, count + 1):
            print(f"\n=== benchmark: {name}, run {k} of {count} ===", flush=True)
            started = time.monotonic()
            figures = run_once(name, k)
            figures["wall_s"] = round(time.monotonic() - started, 1)
            runs.append(figures)
        summary = summarise(runs)
        if targets:
            passed, misses = judge(targets, summary, count)
        else:  # no declared targets: the runs' own verdicts, by majority
            passed = sum(bool(r.get("passed")) for r in runs) * 2 > count
            misses = [] if passed else ["its own verdict failed in most runs"]
        result = {"runs": count, "passed": passed, "misses": misses, "figures": summary}
        (RESULTS / f"{name}.median.json").write_text(json.dumps(result, indent=2))
        verdicts[name] = {"passed": passed, "misses": misses}
        if not passed:
            failed.append(name)
        print(f"\n--- {name}: median of {count} runs (min .. max) ---")
        for path, figure in summary.items():
            print(f"{path}: {figure['median']} ({figure['min']} .. {figure['max']})")
    print("\n=== summary ===")
    print(json.dumps(verdicts, indent=2))
    if failed:
        print(f"below target in the median: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
