"""The beheerder keeps the gemeenten: add, rename, merge; audited, and loading the profile again undoes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.audit.events import EventType
from engine.db import unit_of_work
from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.models import AuditEvent, Case, HumanTask, Organisation, TaskState, User
from engine.regions import gemeenten, region_setup
from tests.support.chain import REGIONS


def beheerder(chain):
    return chain.person("beheerder", "leeuwarden")


def org(chain, slug) -> Organisation:
    with unit_of_work(chain.factory) as session:
        row = session.scalar(select(Organisation).where(Organisation.slug == slug))
        assert row is not None
        session.expunge(row)
        return row


def events(chain, event_type) -> list[dict]:
    with unit_of_work(chain.factory) as session:
        return [e.payload for e in session.scalars(select(AuditEvent).where(AuditEvent.event_type == event_type)
                                                   .order_by(AuditEvent.seq))]


def reload_profiles(chain):
    with unit_of_work(chain.factory) as session:
        return region_setup.load_region_organisations(session, REGIONS)


def test_an_added_gemeente_can_report_and_its_signal_reaches_the_chosen_zorgcoordinator(chain):
    actor = beheerder(chain)
    with unit_of_work(chain.factory) as session:
        row = gemeenten.add(session, actor=actor, now=chain.at(), regions=REGIONS, region_slug="fryslan",
                            naam="Nij Fryslân", zorgcoordinator="fier")
        slug = row.slug
    assert org(chain, slug).name == "Gemeente Nij Fryslân"
    assert events(chain, EventType.GEMEENTE_ADDED) == [{"organisation": org(chain, slug).id, "region": "fryslan",
                                                        "name": "Nij Fryslân", "zorgcoordinator": "fier"}]
    case = chain.report(slug)
    data = chain.start_data(case)
    assert data["regio"]["gemeente"] == "Nij Fryslân"
    assert data["organisaties"]["zorgcoordinator"] == "fryslan-fier"
    assert reload_profiles(chain) == []  # loading the profile again neither removes nor re-adds it
    assert org(chain, slug).region == "fryslan"


@pytest.mark.parametrize(("naam", "zoco", "field"), [
    ("", "fier", "naam"), ("   ", None, "naam"), ("x" * 101, None, "naam"), ("Nieuw", "lumens", "zorgcoordinator")])
def test_bad_input_for_a_new_gemeente_gets_a_dutch_message_and_changes_nothing(chain, naam, zoco, field):
    actor = beheerder(chain)
    with pytest.raises(ValidationFailed) as raised, unit_of_work(chain.factory) as session:
        gemeenten.add(session, actor=actor, now=chain.at(), regions=REGIONS, region_slug="fryslan", naam=naam,
                      zorgcoordinator=zoco)
    assert field in raised.value.details
    assert events(chain, EventType.GEMEENTE_ADDED) == []


def test_a_gemeente_that_exists_is_not_added_twice_and_only_the_beheerder_adds(chain):
    af = chain.person("af", "leeuwarden")
    with pytest.raises(Forbidden), unit_of_work(chain.factory) as session:
        gemeenten.add(session, actor=af, now=chain.at(), regions=REGIONS, region_slug="fryslan", naam="Sneek",
                      zorgcoordinator=None)
    actor = beheerder(chain)
    with pytest.raises(Conflict), unit_of_work(chain.factory) as session:
        gemeenten.add(session, actor=actor, now=chain.at(), regions=REGIONS, region_slug="fryslan",
                      naam="leeuwarden", zorgcoordinator=None)
    assert events(chain, EventType.GEMEENTE_ADDED) == []


def test_a_renamed_gemeente_keeps_its_old_name_as_alias_and_a_reload_keeps_the_new_name(chain):
    actor = beheerder(chain)
    leeuwarden = org(chain, "leeuwarden")
    with unit_of_work(chain.factory) as session:
        gemeenten.change(session, actor=actor, now=chain.at(), regions=REGIONS, organisation_id=leeuwarden.id,
                         naam="Ljouwert", zorgcoordinator=None)
    reload_profiles(chain)
    row = org(chain, "leeuwarden")
    assert row.name == "Gemeente Ljouwert" and row.alias_list() == ["Leeuwarden"]
    [event] = events(chain, EventType.GEMEENTE_CHANGED)
    assert (event["old_name"], event["name"]) == ("Leeuwarden", "Ljouwert")
    with unit_of_work(chain.factory) as session:
        current = gemeenten.effective_region(session, REGIONS["fryslan"])
    assert current.gemeente("leeuwarden").naam == "Ljouwert"
    assert "Leeuwarden" in current.gemeente("leeuwarden").aliassen
    assert chain.start_data(chain.report("leeuwarden"))["regio"]["gemeente"] == "Ljouwert"


def test_the_beheerder_chooses_another_zorgcoordinator_for_a_gemeente(chain):
    actor = beheerder(chain)
    weert = org(chain, "weert")
    with unit_of_work(chain.factory) as session:
        gemeenten.change(session, actor=actor, now=chain.at(), regions=REGIONS, organisation_id=weert.id,
                         naam="Weert", zorgcoordinator="moviera")
    reload_profiles(chain)
    assert chain.start_data(chain.report("weert"))["organisaties"]["zorgcoordinator"] == \
        "noord-en-midden-limburg-moviera"


def test_a_merge_moves_people_cases_and_tasks_and_a_reload_does_not_revive_the_merged_gemeente(chain):
    case = chain.report("beesel")
    af_beesel = chain.person("af", "beesel")
    actor = beheerder(chain)
    beesel, venlo = org(chain, "beesel"), org(chain, "venlo")
    with unit_of_work(chain.factory) as session:
        gemeenten.merge(session, actor=actor, now=chain.at(), source_id=beesel.id, target_id=venlo.id)
    reload_profiles(chain)
    with unit_of_work(chain.factory) as session:
        assert session.get(Case, case).organisation_id == venlo.id
        open_tasks = session.scalars(select(HumanTask).where(HumanTask.instance_id == case,
                                                             HumanTask.state == TaskState.READY)).all()
        assert open_tasks and {t.organisation_id for t in open_tasks} == {venlo.id}
        assert session.get(User, af_beesel.user_id).organisation_id == venlo.id
        assert session.get(Organisation, beesel.id).merged_into_id == venlo.id
        current = gemeenten.effective_region(session, REGIONS["noord-en-midden-limburg"])
        assert current.gemeente("beesel") is None
        assert "Beesel" in current.gemeente("venlo").aliassen
        assert gemeenten.current_slug(session, "beesel") == "venlo"
    assert [e.event_type for e in chain.events(case)][-1] == EventType.INSTANCE_GEMEENTE_CHANGED
    [merged] = events(chain, EventType.GEMEENTE_MERGED)
    assert (merged["name"], merged["into_name"], merged["cases"], merged["users"]) == ("Beesel", "Venlo", 1, 2)
    # An old link or bookmark for Beesel reports for Venlo now.
    later = chain.report("beesel", by=("melder", "venlo"))
    assert chain.start_data(later)["regio"]["gemeente"] == "Venlo"


def test_gemeenten_of_different_regions_are_not_merged(chain):
    actor = beheerder(chain)
    with pytest.raises(ValidationFailed), unit_of_work(chain.factory) as session:
        gemeenten.merge(session, actor=actor, now=chain.at(), source_id=org(chain, "eersel").id,
                        target_id=org(chain, "venlo").id)
    assert org(chain, "eersel").merged_into_id is None


@pytest.mark.parametrize("gemeente", ["nul\x00byte", "x" * 500, "Leeuwarden; DROP"], ids=["nul", "long", "text"])
@pytest.mark.postgres
def test_a_reported_gemeente_that_is_no_slug_is_refused_in_dutch_without_touching_the_database(chain, gemeente):
    with pytest.raises(ValidationFailed) as raised:
        chain.report(gemeente, by=("melder", "leeuwarden"))
    assert raised.value.details == {"gemeente": "Deze gemeente hoort bij geen van de regio's."}
