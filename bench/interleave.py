"""Before/after: run ``engine_overhead.py`` on two checkouts in turn and report medians over the runs.

The machine is shared, so a single run of each says little: the runs alternate (before, after,
before, after, ...) so both see the same load over time, and every ratio is taken against raw
SpiffWorkflow (a) *measured in the same run* before the median over runs is taken.

The same (current) ``engine_overhead.py`` is used for both: it is copied into the other checkout.
Usage: python bench/interleave.py --before DIR [--rounds 3] [--runs 100] [--pg URL]
(DIR: e.g. ``git worktree add /tmp/before main``, or ``git archive main | tar -x -C DIR``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAW = "(a) raw SpiffWorkflow, serialize/deserialize per step"


def run_once(tree: Path, runs: int, pg: str) -> dict[str, float]:
    script = tree / "bench" / "_engine_overhead_interleaved.py"
    if tree != ROOT:
        shutil.copy(ROOT / "bench" / "engine_overhead.py", script)
    else:
        script = ROOT / "bench" / "engine_overhead.py"
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, str(script), "--json", "--runs", str(runs), "--pg", pg],
                         cwd=tree, env=env, check=True, capture_output=True, text=True).stdout
    rows: dict[str, float] = json.loads(out.strip().splitlines()[-1])["rows"]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", required=True, type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/signaalroute_bench")
    args = parser.parse_args()
    trees = {"before": args.before.resolve(), "after": ROOT}
    results: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    for round_no in range(args.rounds):
        for label, tree in trees.items():
            rows = run_once(tree, args.runs, args.pg)
            results[label].append(rows)
            print(f"round {round_no + 1} {label}: " + ", ".join(f"{v:.2f}" for v in rows.values()), file=sys.stderr)
    names = list(results["after"][0])
    print(f"{args.rounds} interleaved runs each, --runs {args.runs}; medians over the runs\n")
    print("| path | before: ms per step | before: ratio to (a) | after: ms per step | after: ratio to (a) |")
    print("|---|---:|---:|---:|---:|")
    for name in names:
        cells = []
        for label in ("before", "after"):
            runs = results[label]
            cells.append(f"{statistics.median(r[name] for r in runs):.2f}")
            cells.append(f"{statistics.median(r[name] / r[RAW] for r in runs):.2f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\nper run (ms per step):")
    for label in ("before", "after"):
        for rows in results[label]:
            print(f"  {label}: " + ", ".join(f"{v:.2f}" for v in rows.values()))


if __name__ == "__main__":
    main()
