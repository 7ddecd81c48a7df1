"""Replay cost per audit event against raw SpiffWorkflow executing the same steps, in one run.

Cases of the 3-user-task model are run through the services on SQLite, then replayed with
`engine.audit.replay.replay_case` (load events, re-execute on the recorded version,
hash the state after every step). Raw baseline: SpiffWorkflow running the same steps in memory
with a serialize per step (its stock serializer), i.e. (a) of engine_overhead.py.

Usage: python bench/replay.py [--cases N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from engine_overhead import STEPS_PER_RUN, prepare_database, raw_spiff_runner, services_runner  # noqa: E402

from engine.audit import replay  # noqa: E402
from engine.db import unit_of_work  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200)
    args = parser.parse_args()
    raw = raw_spiff_runner()
    raw()
    samples = []
    for _ in range(args.cases):
        began = time.perf_counter()
        raw()
        samples.append((time.perf_counter() - began) * 1000 / STEPS_PER_RUN)
    raw_ms = statistics.median(samples)
    with tempfile.TemporaryDirectory() as tmp:
        factory, people = prepare_database(f"sqlite:///{tmp}/replay.sqlite")
        run = services_runner(factory, people)
        for _ in range(args.cases):
            run()
        with unit_of_work(factory) as session:
            ids = replay.all_case_ids(session)
            replay.replay_case(session, ids[0])  # warm the spec cache, as a long --all run would
            per_event = []
            for instance_id in ids:
                began = time.perf_counter()
                report = replay.replay_case(session, instance_id)
                elapsed = (time.perf_counter() - began) * 1000
                assert report.consistent, report.divergence
                per_event.append(elapsed / report.steps)
    replay_ms = statistics.median(per_event)
    print(f"cases: {args.cases}, state-changing events per case: {STEPS_PER_RUN}\n")
    print("| path | ms per event (median) | ratio to raw |")
    print("|---|---:|---:|")
    print(f"| raw SpiffWorkflow, same steps, serialize per step | {raw_ms:.2f} | 1.00 |")
    print(f"| replay (read events, re-execute, hash per step, compare) | {replay_ms:.2f} | {replay_ms / raw_ms:.2f} |")


if __name__ == "__main__":
    main()
