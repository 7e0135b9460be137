"""No module in plugin/ or handlers/ is over 400 lines (issue 16, point 7): a module that
size holds several responsibilities, and splitting it later costs more than keeping it small."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400


def _line_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for top in ("plugin", "handlers"):
        for path in sorted((ROOT / top).rglob("*.py")):
            counts[path.relative_to(ROOT).as_posix()] = len(path.read_text().splitlines())
    return counts


def test_no_module_is_over_400_lines() -> None:
    # given
    counts = _line_counts()
    # when
    too_long = {path: n for path, n in counts.items() if n > MAX_LINES}
    # then
    assert too_long == {}, "split these by responsibility: " + ", ".join(
        f"{path} ({n} lines)" for path, n in sorted(too_long.items())
    )
