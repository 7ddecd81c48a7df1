"""``signaalroute migreren``: look first (--droog), then move chosen or all eligible cases, each on its own."""

from __future__ import annotations

from engine.db import unit_of_work
from engine.models import Case
from tests.support.cli import run
from tests.support.helpers import complete, deploy, ready, start


def cases(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "migratie_v1.bpmn")
    stuck = start(factory, world.af, at(), "migratie")
    movable = start(factory, world.af, at(), "migratie")
    complete(factory, world.af, at(), forms, ready(factory, movable)["intake"].id)
    deploy(factory, world.regisseur, at(), forms, "migratie_v2.bpmn")
    return stuck, movable


def versions(factory, *ids):
    with unit_of_work(factory) as session:
        return [session.get(Case, i).definition.version for i in ids]


def test_a_dry_run_shows_the_plan_and_changes_nothing(cli_env, factory, world, forms, at):  # noqa: F811
    stuck, movable = cases(factory, world, forms, at)
    assert run("initialiseren").exit_code == 0
    result = run("migreren", "--proces", "migratie", "--naar", "2", "--droog")
    assert result.exit_code == 0, result.output
    assert f"(zaak {stuck}, versie 1): kan niet over: taak 'Intake' bestaat niet in versie 2" in result.output
    assert f"(zaak {movable}, versie 1): kan over" in result.output
    assert "1 van 2 zaak/zaken kunnen naar versie 2; er is niets gewijzigd." in result.output
    assert versions(factory, stuck, movable) == [1, 1]


def test_all_eligible_cases_move_and_a_named_ineligible_case_fails_with_exit_1(cli_env, factory, world, forms,  # noqa: F811
                                                                               at):
    stuck, movable = cases(factory, world, forms, at)
    assert run("initialiseren").exit_code == 0
    moved = run("migreren", "--proces", "migratie", "--naar", "2", "--alle")
    assert moved.exit_code == 0, moved.output
    assert f"SR-2026-{movable:05d}: gemigreerd" in moved.output
    failed = run("migreren", "--proces", "migratie", "--naar", "2", "--zaak", str(stuck))
    assert failed.exit_code == 1
    assert "mislukt: Zaak" in failed.output and "taak 'Intake' bestaat niet in versie 2" in failed.output
    assert versions(factory, stuck, movable) == [1, 2]


def test_either_all_or_named_cases(cli_env, factory, world, forms, at):  # noqa: F811
    cases(factory, world, forms, at)
    assert run("initialiseren").exit_code == 0
    result = run("migreren", "--proces", "migratie", "--naar", "2")
    assert result.exit_code == 2 and "Kies --alle of een of meer --zaak" in result.output
    unknown = run("migreren", "--proces", "migratie", "--naar", "7", "--alle")
    assert unknown.exit_code == 1 and "Versie 7 van proces 'migratie' bestaat niet." in unknown.output
