"""Moved from tests/monitoring/test_figures.py: shared by several test modules."""

from __future__ import annotations

from engine.db import unit_of_work
from tests.support.generated_cases import Case, insert_cases, utc


def generated_region(chain):
    """44 signals in 2026 in three Frisian gemeenten, 6 in 2025 (see the tests for the sums)."""
    cases = ([Case("leeuwarden", utc(2026, 3, 2 + i), vorm="SU" if i < 8 else "AU", enriched_days=i + 1)
              for i in range(12)]
             + [Case("heerenveen", utc(2026, 3, 10), bron="inwoner", enriched_days=20) for _ in range(7)]
             + [Case("harlingen", utc(2026, 4, 10), vorm="AU") for _ in range(2)]
             # 23:00 UTC on 31 March is 1 April in Amsterdam (summer time): it counts in April.
             + [Case("harlingen", utc(2026, 3, 31, 23), vorm="AU")]
             + [Case("leeuwarden", utc(2026, 5, 4), enriched_days=2) for _ in range(10)]
             + [Case("leeuwarden", utc(2026, 5, 5), vorm="AU") for _ in range(6)]
             + [Case("heerenveen", utc(2026, 5, 6), vorm="AU", bron="inwoner") for _ in range(6)]
             + [Case("leeuwarden", utc(2025, 6, 1)) for _ in range(6)])
    with unit_of_work(chain.factory) as session:
        insert_cases(session, cases)
