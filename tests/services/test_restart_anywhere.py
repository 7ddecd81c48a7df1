"""Restart anywhere (nothing of a case lives in a worker's memory): a case ends the same whether its steps run in
one warm
process, on a fresh spec cache every step, or alternately on two worker processes.

The catalogue of constructs lives in tests/fixtures/constructs/ (written by hand for this test);
the region routes are whatever processes/ holds, started the way users start them.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest

from engine.db import unit_of_work
from engine.modelling import deployments
from engine.workflow.bundle import SourceFile
from tests.support.chain import FORMS, MELDING, REGIONS
from tests.support.random_paths import random_answer
from tests.support.restart_anywhere import (
    CONSTRUCTS,
    START,
    TEST_FORMS,
    Scenario,
    advice_start,
    alternating,
    catalogue_answer,
    catalogue_holder,
    drive,
    fresh,
    organisation_holder,
    outcome,
    process_start,
    report_start,
    straight,
)

# (file, process, start data): every construct the issue names that SpiffWorkflow 3.2 runs.
CATALOGUE = [
    ("lus_zonder_voorwaarde.bpmn", "lus_zonder_voorwaarde", {}),
    ("lus_met_voorwaarde.bpmn", "lus_met_voorwaarde", {"stap": 0}),
    ("mi_parallel_verzameling.bpmn", "mi_parallel_verzameling", {"items": ["a", "b", "c"]}),
    ("mi_sequentieel_verzameling.bpmn", "mi_sequentieel_verzameling", {"items": ["a", "b", "c"]}),
    ("mi_parallel_aantal.bpmn", "mi_parallel_aantal", {}),
    ("mi_sequentieel_aantal.bpmn", "mi_sequentieel_aantal", {}),
    ("mi_parallel_zonder_uitvoer.bpmn", "mi_parallel_zonder_uitvoer", {}),
    ("gebeurtenis_deelproces_onderbrekend.bpmn", "gebeurtenis_deelproces_onderbrekend", {}),
    ("gebeurtenis_deelproces_niet_onderbrekend.bpmn", "gebeurtenis_deelproces_niet_onderbrekend", {}),
    ("grens_timer_taak.bpmn", "grens_timer_taak", {}),
    ("grens_timer_deelproces.bpmn", "grens_timer_deelproces", {}),
    ("aanroep_twee_niveaus.bpmn", "aanroep_twee_niveaus", {}),
    ("poorten.bpmn", "poorten", {"kleur": "rood", "maat": 12}),
    ("poorten.bpmn", "poorten", {"kleur": "blauw", "maat": 1}),
    ("gebeurtenis_poort.bpmn", "gebeurtenis_poort", {}),
    ("signaal.bpmn", "signaal", {}),
    ("bericht.bpmn", "bericht", {}),
    ("escalatie.bpmn", "escalatie", {}),
    ("transactie.bpmn", "transactie", {"afloop": "gewoon"}),
    ("transactie.bpmn", "transactie", {"afloop": "annuleren"}),
    ("transactie.bpmn", "transactie", {"afloop": "fout"}),
]
MODES = ("straight", "fresh", "workers")


@pytest.fixture(scope="module")
def worker_pair() -> Iterator[tuple[ProcessPoolExecutor, ProcessPoolExecutor]]:
    """Two separate interpreters, like two gunicorn workers (spawned: nothing inherited from this one)."""
    context = multiprocessing.get_context("spawn")
    pools = (ProcessPoolExecutor(1, mp_context=context), ProcessPoolExecutor(1, mp_context=context))
    yield pools
    for pool in pools:
        pool.shutdown()


def _run_three_ways(factory, db_url, worker_pair, scenario):
    executors = {"straight": straight(db_url), "fresh": fresh(db_url), "workers": alternating(db_url, worker_pair)}
    return {mode: outcome(factory, drive(factory, executors[mode], scenario, START)) for mode in MODES}


def _assert_same(results, name):
    reference = results["straight"]
    assert reference["status"] in ("active", "completed"), f"{name}: {reference}"
    assert reference["error"] is None
    for mode in MODES[1:]:
        assert results[mode] == reference, f"{name}: '{mode}' ends differently from 'straight'"


@pytest.mark.parametrize(("filename", "process_id", "data"), CATALOGUE,
                         ids=[f"{p}-{'-'.join(map(str, d.values())) or 'standaard'}" for _, p, d in CATALOGUE])
@pytest.mark.sqlite_only("the steps run one after another, and the state they hand on is Text, not JSONB")
def test_every_construct_ends_the_same_however_its_steps_are_spread(factory, db_url, world, at, worker_pair,
                                                                     filename, process_id, data):
    with unit_of_work(factory) as session:
        deployments.deploy(session, actor=world.regisseur, now=at(), comment="catalogus", forms=TEST_FORMS,
                           files=[SourceFile(filename, (CONSTRUCTS / filename).read_bytes())])
    scenario = Scenario(process_id, process_start(process_id, data), catalogue_answer, catalogue_holder,
                        catalogue=True)
    results = _run_three_ways(factory, db_url, worker_pair, scenario)
    _assert_same(results, process_id)
    assert len(results["straight"]["events"]) > 2, "the case took steps"


def _region_scenarios() -> list[tuple[str, str, int]]:
    """Each region's route started in its first gemeente, plus the advice process.

    The routes call the shared sub-routes (gedeeld_*.bpmn) and routering.dmn; each step in the
    fresh mode re-parses all of processes/, so the paths are kept to 25 steps.
    """
    found = [(region.slug, region.gemeenten[0].slug, 1) for region in REGIONS.values()]
    return found + [("adviesvraag", next(iter(REGIONS.values())).gemeenten[0].slug, 1)]


@pytest.mark.parametrize(("route", "gemeente", "seed"), _region_scenarios(),
                         ids=[f"{r}-{s}" for r, _, s in _region_scenarios()])
@pytest.mark.sqlite_only("the steps run one after another, and the state they hand on is Text, not JSONB")
def test_every_route_in_processes_ends_the_same_however_its_steps_are_spread(chain, factory, db_url, worker_pair,
                                                                             route, gemeente, seed):
    chain.person("melder", gemeente)

    def answer(task, _step, rng):
        return random_answer(FORMS.load(task.form), rng) if task.form else {}

    first = (advice_start(gemeente, "Mag een werkgever paspoorten bewaren?") if route == "adviesvraag"
             else report_start(gemeente, MELDING))

    def prepare(username: str) -> None:
        chain.person(*username.split(".", 1))

    scenario = Scenario(f"{route}-{seed}", first, answer, organisation_holder, catalogue=False, seed=seed,
                        timer_every=4, max_steps=25, prepare=prepare)
    results = _run_three_ways(factory, db_url, worker_pair, scenario)
    _assert_same(results, route)
