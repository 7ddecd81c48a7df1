"""docs/add-a-region.md, followed step by step in a scratch copy of the repository.

A profile on a route the models know is enough to run cases (step 2, tried on Oost-Brabant's route);
a region of its own in the repository also gets its own main process, owned by the region (step 3).
Its gemeenten report, its partners get the hand-overs, and what the profile leaves open shows as a
gap for the beheerder, never in a task. If a step in the guide stops being true, this test says which.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.accounts import users
from engine.db import unit_of_work
from engine.errors import Forbidden
from engine.modelling import citations, deployments, model_ownership
from engine.models import Case
from engine.regions import region_setup
from engine.regions import regions as region_module
from engine.regions.regions import RegionError, load_region, load_regions
from engine.workflow.bundle import SourceFile
from tests.support.chain import FORMS, MELDER_BERICHT, SYSTEM, TERUG, VERRIJKT, ZORG, Chain

ROOT = Path(__file__).resolve().parents[2]

# The profile of docs/add-a-region.md, step 2 (a fictional region on Oost-Brabant's route).
PROFILE = """\
# Regioprofiel Proefregio. Formaat: zie de docstring van engine/regions/regions.py.
naam = "Proefregio"
slug = "proefregio"
route_variant = "oost-brabant"
bron = ["002_7c216526f996066a.txt"]
riec = "riec"

[[gemeenten]]
slug = "proefdorp"
naam = "Proefdorp"

[[partners]]
slug = "avim"
naam = "Politie, team AVIM"
rol = "politie"
telefoon = [{ nummer = "088-0000000", wanneer = "ma t/m vr 08:00 uur – 16:30 uur" }]
bron = "werkafspraak van de regio"

[[partners]]
slug = "zoco"
naam = "Zorgcoördinator Proefregio"
rol = "zorgcoordinator"
bron = "werkafspraak van de regio"

[[partners]]
slug = "iszw"
naam = "Nederlandse Arbeidsinspectie"
rol = "arbeidsinspectie"
bron = "002 (landelijk)"

[[partners]]
slug = "riec"
naam = "RIEC Proefregio"
rol = "overig"
bron = "werkafspraak van de regio"

[[partners]]
slug = "comensha"
naam = "CoMensha"
rol = "overig"
email = "voorgemeenten@comensha.nl"
bron = "002_7c216526f996066a.txt, 'Aanpak van mensenhandel'"

[[partners]]
slug = "vng-mensenhandel"
naam = "VNG, aanspreekpunt aanpak mensenhandel"
rol = "overig"
email = "mensenhandel@vng.nl"
bron = "002_7c216526f996066a.txt, 'Aanpak van mensenhandel'"

[[zorgcoordinatie]]
zorgcoordinator = "zoco"
gemeenten = ["proefdorp"]

[termijnen]
terugkoppeling_werkdagen = 5
terugkoppeling_werkdagen_bron = "keuze van de regio: de bronnen noemen geen termijn"
doorzetten_werkdagen = 2
doorzetten_werkdagen_bron = "keuze van de regio: de bronnen noemen geen termijn"
"""


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A copy of what the guide touches: processes/ (models and profiles), forms/ and docs/bronnen/."""
    shutil.copytree(ROOT / "processes", tmp_path / "processes")
    shutil.copytree(ROOT / "forms", tmp_path / "forms")
    shutil.copytree(ROOT / "docs" / "bronnen", tmp_path / "docs" / "bronnen")
    (tmp_path / "processes" / "regions" / "proefregio.toml").write_text(PROFILE, encoding="utf-8")
    return tmp_path


def test_step_2_the_profile_loads_beside_the_others_and_its_citations_hold(scratch):
    regions = load_regions(scratch / "processes" / "regions")
    region = regions["proefregio"]
    assert len(regions) == 5 and region.process_id == "signaal_oost_brabant"
    assert region.zorgcoordinator_for("proefdorp").naam == "Zorgcoördinator Proefregio"
    assert citations.check(scratch) == []
    # What the profile leaves open is a gap for the beheerder (/beheer/regios), not an error.
    assert any("Zorgcoördinator Proefregio" in gap for gap in region.gaps())
    # The borrowed route stays Oost-Brabant's: in the repository, step 3 gives the region its own.
    borrowed = (scratch / "processes" / "signaal_oost_brabant.bpmn").read_bytes()
    assert model_ownership.declared_regions(borrowed, "signaal_oost_brabant.bpmn") == {
        "signaal_oost_brabant": "oost-brabant"}


def test_step_2_a_citation_of_a_part_that_does_not_exist_is_caught(scratch):
    profile = scratch / "processes" / "regions" / "proefregio.toml"
    profile.write_text(PROFILE.replace('bron = "002 (landelijk)"', 'bron = "004 par. 9.9"'), encoding="utf-8")
    [problem] = citations.check(scratch)
    assert "proefregio.toml" in str(problem) and "9.9" in str(problem)


def test_step_2_a_value_without_its_source_note_is_refused(scratch):
    profile = scratch / "processes" / "regions" / "proefregio.toml"
    profile.write_text(PROFILE.replace('terugkoppeling_werkdagen_bron = "keuze van de regio: de bronnen noemen geen '
                                       'termijn"\n', ""), encoding="utf-8")
    with pytest.raises(RegionError, match="proefregio.toml: termijnen.terugkoppeling_werkdagen"):
        load_region(profile)


def test_step_2_a_route_the_models_do_not_know_is_refused_until_step_3b(scratch):
    profile = scratch / "processes" / "regions" / "proefregio.toml"
    profile.write_text(PROFILE.replace('route_variant = "oost-brabant"', 'route_variant = "proefregio"'),
                       encoding="utf-8")
    with pytest.raises(RegionError, match="route_variant: onbekende variant 'proefregio'"):
        load_region(profile)


def load_and_deploy(scratch: Path, factory, at) -> tuple[dict, list[str]]:
    """Step 5: ``signaalroute regio laden``, then deploy every model in processes/."""
    regions = load_regions(scratch / "processes" / "regions")
    models = sorted(p for p in (scratch / "processes").glob("*") if p.suffix in {".bpmn", ".dmn"})
    with unit_of_work(factory) as session:
        created = region_setup.load_region_organisations(session, regions)
        deployments.deploy(session, actor=SYSTEM, now=at(), comment="met de proefregio", forms=FORMS,
                           files=[SourceFile(p.name, p.read_bytes()) for p in models])
    return regions, created


def test_step_5_a_signal_in_the_new_gemeente_reaches_the_new_partners(scratch, factory, at):
    regions, created = load_and_deploy(scratch, factory, at)
    assert {"proefdorp", "proefregio-avim", "proefregio-zoco"} <= set(created)
    chain = Chain(factory, at, regions)

    case = chain.report("proefdorp")
    verrijken = chain.ready(case)["verrijken"]
    assert chain.holder(verrijken) == ("af", "proefdorp")
    assert "088-0000000 (ma t/m vr 08:00 uur – 16:30 uur)" in verrijken.instructions
    chain.do(case, "verrijken", VERRIJKT, hours=2)
    tasks = chain.ready(case)
    assert chain.holder(tasks["overdracht_politie"]) == ("politie", "proefregio-avim")
    assert chain.holder(tasks["zorg_en_opvang"]) == ("zorgcoordinator", "proefregio-zoco")
    chain.do(case, "zorg_en_opvang", ZORG, hours=3)
    chain.do(case, "overdracht_politie", TERUG, days=1)
    assert chain.do(case, "terugkoppelen_melder", MELDER_BERICHT) == "completed"


def test_step_3_a_route_of_its_own_is_a_copy_of_the_nearest_main_process_owned_by_the_new_region(
        scratch, factory, at, monkeypatch):
    nearest = (scratch / "processes" / "signaal_oost_brabant.bpmn").read_text(encoding="utf-8")
    own = (nearest.replace("signaal_oost_brabant", "signaal_proefregio")
           .replace('name="regio" value="oost-brabant"', 'name="regio" value="proefregio"')
           .replace("(Oost-Brabant)", "(Proefregio)"))
    (scratch / "processes" / "signaal_proefregio.bpmn").write_text(own, encoding="utf-8")
    # engine/regions/regions.py: the new variant in ROUTE_VARIANTEN and VARIANT_PROCESSES.
    monkeypatch.setattr(region_module, "ROUTE_VARIANTEN", region_module.ROUTE_VARIANTEN | {"proefregio"})
    monkeypatch.setitem(region_module.VARIANT_PROCESSES, "proefregio", "signaal_proefregio")
    profile = scratch / "processes" / "regions" / "proefregio.toml"
    profile.write_text(PROFILE.replace('route_variant = "oost-brabant"', 'route_variant = "proefregio"'),
                       encoding="utf-8")
    assert model_ownership.declared_regions(own.encode(), "signaal_proefregio.bpmn") == {
        "signaal_proefregio": "proefregio"}
    assert citations.check(scratch) == []

    regions, _ = load_and_deploy(scratch, factory, at)
    chain = Chain(factory, at, regions)
    case = chain.report("proefdorp")
    with unit_of_work(factory) as session:
        assert session.get(Case, case).definition.process_id == "signaal_proefregio"
    chain.do(case, "verrijken", VERRIJKT)
    assert chain.holder(chain.ready(case)["overdracht_politie"]) == ("politie", "proefregio-avim")

    regisseur = chain.person("procesregisseur", "proefdorp")
    with unit_of_work(factory) as session:
        model_ownership.require_may_change_process(session, regisseur, "signaal_proefregio")
        with pytest.raises(Forbidden, match="is van regio Oost-Brabant"):
            model_ownership.require_may_change_process(session, regisseur, "signaal_oost_brabant")
        assert users.user_by_username(session, "procesregisseur.proefdorp") is not None
