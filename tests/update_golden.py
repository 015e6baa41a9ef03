"""Regenerate the golden outputs in tests/golden/<case>/ from the current code, then review the diff.

    python tests/update_golden.py            # every case
    python tests/update_golden.py tricky     # only the cases named

Each case runs the installed `pathway-export` (as `python -m exporter`, this interpreter) with a fixed
SOURCE_DATE_EPOCH and TZ=UTC, and writes normalised dumps of plan.ics, tracker.xlsx, plan.pdf, plan
--json and the plan text (see tests/golden_dump.py). Review with `git diff tests/golden/` and commit
the dumps with the change that caused them.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from golden_dump import CASES, GOLDEN, generate


def main(argv: list[str]) -> int:
    cases = argv or list(CASES)
    unknown = [case for case in cases if case not in CASES]
    if unknown:
        print(f"unknown case(s): {', '.join(unknown)}; known: {', '.join(CASES)}", file=sys.stderr)
        return 2
    for case in cases:
        for path in generate(case, GOLDEN / case):
            print(f"wrote {path.relative_to(GOLDEN.parent.parent)}")
    print("review the changes with: git diff --stat tests/golden/ && git diff tests/golden/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
