"""`make bench`: runs every benchmark in tests/benchmarks/ one after another and prints figures.

Each benchmark is a module `bench_<name>.py` with a `main()` that returns its figures (a dict
with a "passed" flag) and saves them under bench-results/. Run one alone with
`python -m tests.benchmarks.bench_<name>`; choose some with `make bench BENCH=webhooks,delivery`.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def main() -> int:
    chosen = [n for n in os.environ.get("BENCH", "").split(",") if n] or available()
    summary: dict[str, object] = {}
    failed = []
    for name in chosen:
        print(f"\n=== benchmark: {name} ===", flush=True)
        started = time.monotonic()
        module = importlib.import_module(f"tests.benchmarks.bench_{name}")
        try:
            figures = module.main()
        except Exception as exc:  # a broken benchmark is reported, the others still run
            print(f"benchmark {name} crashed: {exc!r}", flush=True)
            figures = {"passed": False, "error": repr(exc)}
        if isinstance(figures, dict):
            figures["wall_s"] = round(time.monotonic() - started, 1)
            summary[name] = {k: v for k, v in figures.items() if not isinstance(v, list)}
            if figures.get("passed") is False:
                failed.append(name)
    print("\n=== summary ===")
    print(json.dumps(summary, indent=2, default=str))
    if failed:
        print(f"below target: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
