"""The dashboard's figures against values computed by hand on a small generated data set."""

from __future__ import annotations

import threading

import psycopg._queries as psycopg_queries
import pytest
from sqlalchemy import select

from engine.db import unit_of_work
from engine.models.monitoring import CaseCount, CaseFigure
from engine.monitoring import dashboard, figures
from tests.support.chain import MELDER_BERICHT, VERRIJKT
from tests.support.monitoring import generated_region  # noqa: F401

DAY = 86400
X = dashboard.HIDDEN_MARK


def board(chain, role="ketenregisseur", org="fryslan-ketenregisseur", dimension="vorm", year=2026):
    with unit_of_work(chain.factory) as session:
        return dashboard.build(session, actor=chain.person(role, org), now=chain.at(), year=year,
                               dimension=dimension)


def rows(table):
    return {label: values for label, values in table.rows}


def true_values_or_hidden(shown, truth):
    """Every published cell equals the hand-computed count; returns the hidden cells."""
    hidden = set()
    for (row, col), value in truth.items():
        if shown[row][col] == X:
            hidden.add((row, col))
        else:
            assert shown[row][col] == str(value), (row, col)
    return hidden


def test_signals_per_month_by_form_match_the_hand_count_and_hide_small_cells(region):
    chain = region
    generated_region(chain)
    result = board(chain)
    monthly = rows(result.tables["vorm-per-maand"])
    cols = result.tables["vorm-per-maand"].columns
    su, au, total = cols.index("Seksuele uitbuiting"), cols.index("Arbeidsuitbuiting"), cols.index("Totaal")
    truth = {("mrt", su): 15, ("mrt", au): 4, ("mrt", total): 19, ("apr", au): 3, ("apr", total): 3,
             ("mei", su): 10, ("mei", au): 12, ("mei", total): 22,
             ("Totaal", su): 25, ("Totaal", au): 19, ("Totaal", total): 44, ("jan", su): 0, ("jun", total): 0}
    hidden = true_values_or_hidden(monthly, truth)
    assert {("mrt", au), ("apr", au), ("apr", total)} <= hidden  # below 5: never shown
    assert ("mrt", su) in hidden or ("mrt", total) in hidden  # else March AU = 19 - 15
    assert monthly["Totaal"][total] == "44"  # the year's total stays readable

    trend = rows(result.tables["vorm-per-jaar"])
    assert trend["2025"][su] == "6" and trend["2025"][total] == "6"
    assert true_values_or_hidden(trend, {("2026", su): 25, ("2026", au): 19, ("2026", total): 44}) <= {
        ("2026", su), ("2026", au)}
    per_gemeente = rows(result.tables["vorm-per-gemeente"])
    truth = {("Gemeente Leeuwarden", su): 18, ("Gemeente Leeuwarden", au): 10, ("Gemeente Leeuwarden", total): 28,
             ("Gemeente Heerenveen", su): 7, ("Gemeente Heerenveen", au): 6, ("Gemeente Heerenveen", total): 13,
             ("Gemeente Harlingen", au): 3, ("Gemeente Harlingen", total): 3, ("Gemeente Ameland", total): 0}
    hidden = true_values_or_hidden(per_gemeente, truth)
    assert {("Gemeente Harlingen", au), ("Gemeente Harlingen", total)} <= hidden


def test_source_and_outcome_count_the_same_signals(region):
    chain = region
    generated_region(chain)
    result = board(chain, dimension="bron")
    table = result.tables["bron-per-maand"]
    collega, inwoner = table.columns.index("Collega"), table.columns.index("Inwoner")
    hidden = true_values_or_hidden(rows(table), {
        ("mrt", collega): 12, ("mrt", inwoner): 7, ("apr", collega): 3, ("mei", collega): 16, ("mei", inwoner): 6,
        ("Totaal", collega): 31, ("Totaal", inwoner): 13})
    assert ("apr", collega) in hidden
    uitkomst = result.tables["uitkomst-per-maand"]
    assert rows(uitkomst)["Totaal"][uitkomst.columns.index("In behandeling")] == "44"
    assert result.counts == ["bron-per-maand", "bron-per-jaar", "vorm-per-gemeente"]


def test_lead_time_median_and_90th_percentile_per_month(region):
    chain = region
    generated_region(chain)
    table = rows(board(chain).lead_times)
    # March: enrichment took 1..12 days (Leeuwarden) and 20 days seven times (Heerenveen): 19 values.
    # Nearest rank: median = 10th value = 10 days; p90 = ceil(17.1) = 18th value = 20 days.
    assert table["mrt"][0:2] == ["10,0", "20,0"]
    assert table["apr"][0:2] == ["–", "–"]  # nobody enriched in April
    assert table["mei"][0:2] == ["2,0", "2,0"]


def test_a_gemeente_sees_only_its_own_figures(region):
    chain = region
    generated_region(chain)
    own = board(chain, role="af", org="leeuwarden")
    assert own.scope.gemeente_id is not None and not own.scope.compare
    assert "vorm-per-gemeente" not in own.tables
    table = own.tables["vorm-per-maand"]
    su, au, total = (table.columns.index(c) for c in ("Seksuele uitbuiting", "Arbeidsuitbuiting", "Totaal"))
    hidden = true_values_or_hidden(rows(table), {
        ("mrt", su): 8, ("mrt", au): 4, ("mrt", total): 12, ("mei", su): 10, ("mei", au): 6, ("mei", total): 16,
        ("Totaal", su): 18, ("Totaal", au): 10, ("Totaal", total): 28})
    assert ("mrt", au) in hidden and (("mrt", su) in hidden or ("mrt", total) in hidden)
    assert rows(table)["Totaal"][total] == "28"
    assert "Heerenveen" not in str(own.tables)


@pytest.mark.postgres  # the row and its counts are written by one statement on PostgreSQL, several on SQLite
def test_the_step_hooks_record_lead_times_outcome_and_no_free_text(chain):
    case = chain.report("leeuwarden", omschrijving="Anna de Vries, Markt 1", bron_melding="inwoner")
    chain.do(case, "verrijken", {**VERRIJKT, "geslacht": "vrouw", "leeftijdsgroep": "18-22",
                                 "nationaliteitsgroep": "buiten_eu"}, days=1)
    chain.do(case, "agenderen_procesregisseur", {"persoonsgegevens_gedeeld": True}, days=1)
    chain.do(case, "besluit_overleg", {"besluit": "geen_mensenhandel", "toelichting": "x",
                                       "reden_afsluiting": "Reguliere arbeid."}, days=3)
    if "terugkoppelen_melder" in chain.ready(case):
        chain.do(case, "terugkoppelen_melder", MELDER_BERICHT, days=2)
    with unit_of_work(chain.factory) as session:
        row = session.scalar(select(CaseFigure).where(CaseFigure.instance_id == case))
        assert row is not None
        assert (row.bron, row.vorm, row.uitkomst, row.region) == ("inwoner", "SU", "geen_mensenhandel", "fryslan")
        assert (row.geslacht, row.leeftijdsgroep, row.nationaliteitsgroep) == ("vrouw", "18-22", "buiten_eu")
        assert row.verrijkt_s == 1 * DAY
        assert row.overgedragen_s == 1 * DAY  # the receiving role's task appeared when enrichment was done
        assert row.partner_terugkoppeling_s == 2 * DAY
        assert row.overleg_wachttijd_s == 3 * DAY
        assert "Anna" not in repr({c: getattr(row, c) for c in row.__table__.columns.keys()})


def counts(chain):
    with unit_of_work(chain.factory) as session:
        return {(r.organisation_id, r.year, r.month, r.field, r.category): r.n
                for r in session.scalars(select(CaseCount)) if r.n}


@pytest.mark.postgres  # the row and its counts are written by one statement on PostgreSQL, several on SQLite
def test_the_counts_kept_step_by_step_equal_the_counts_rebuilt_from_the_rows(chain):
    closed = chain.report("leeuwarden", bron_melding="partner")
    chain.do(closed, "verrijken", {**VERRIJKT, "vorm": "AU", "geslacht": "man"}, days=1)
    chain.do(closed, "agenderen_procesregisseur", {"persoonsgegevens_gedeeld": True})
    chain.do(closed, "besluit_overleg", {"besluit": "geen_mensenhandel", "toelichting": "x",
                                         "reden_afsluiting": "Reguliere arbeid."})
    chain.report("eersel", acuut=True)
    kept = counts(chain)
    with unit_of_work(chain.factory) as session:
        figures.rebuild_counts(session)
    assert counts(chain) == kept
    leeuwarden = next(k[0] for k in kept if k[3] == "bron" and k[4] == "partner")
    assert kept[(leeuwarden, 2026, 3, "vorm", "AU")] == 1 and kept[(leeuwarden, 2026, 0, "vorm", "AU")] == 1
    assert (leeuwarden, 2026, 3, "vorm", "nog_niet_bepaald") not in kept  # moved, not added
    assert kept[(leeuwarden, 2026, 3, "uitkomst", "geen_mensenhandel")] == 1
    assert sum(n for k, n in kept.items() if k[2] > 0 and k[3] == "acuut" and k[4] == "ja") == 1


@pytest.mark.postgres_only  # what psycopg does with the statements
def test_psycopg_parses_every_statement_of_a_route_once_not_per_step(chain, monkeypatch):
    """psycopg caches a statement's parsing only under 4,096 characters and 50 parameters; the count
    statements were over both and were parsed anew on every step (0.18 ms each)."""
    uncached: list[str] = []
    original = psycopg_queries._query2pg_nocache

    def spying(query: bytes, encoding: str) -> object:
        uncached.append(query[:60].decode(errors="replace"))
        return original(query, encoding)

    monkeypatch.setattr(psycopg_queries, "_query2pg_nocache", spying)
    test_the_counts_kept_step_by_step_equal_the_counts_rebuilt_from_the_rows(chain)
    assert counts(chain)  # the story ran and counted
    assert uncached == []


@pytest.mark.postgres_only  # row locks of two writers at once
def test_signals_and_enrichments_of_one_gemeente_at_once_all_land_and_keep_the_counts_right(chain):
    """Under load, a case start's count upsert and an enrichment's count moves of one gemeente deadlocked
    (one of them answered 500). Many at once must all land, and the counts equal the rebuilt ones."""
    for role in ("melder", "af"):  # created before the threads, which only use them
        chain.person(role, "leeuwarden")
    waiting = [chain.report("leeuwarden") for _ in range(12)]
    barrier = threading.Barrier(24, timeout=30)
    failures: list[str] = []

    def report() -> None:
        barrier.wait()
        try:
            chain.report("leeuwarden", bron_melding="partner")
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            failures.append(type(exc).__name__)

    def enrich(case: int, vorm: str) -> None:
        barrier.wait()
        try:
            chain.do(case, "verrijken", {**VERRIJKT, "vorm": vorm})
        except Exception as exc:  # noqa: BLE001
            failures.append(type(exc).__name__)

    threads = [threading.Thread(target=report) for _ in range(12)]
    threads += [threading.Thread(target=enrich, args=(case, "SU" if i % 2 else "AU")) for i, case in enumerate(waiting)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    kept = counts(chain)
    with unit_of_work(chain.factory) as session:
        figures.rebuild_counts(session)
    assert counts(chain) == kept
    assert sum(n for k, n in kept.items() if k[2] == 0 and k[3] == "vorm") == 24, "every signal counted once"
