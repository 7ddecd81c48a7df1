"""Region profiles load, carry the source documents' facts literally, and broken profiles fail in Dutch."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.accounts.roles import Role
from engine.regions.regions import PLACEHOLDER, RegionError, Telefoon, load_region, load_regions

REGIONS = Path(__file__).resolve().parents[2] / "processes" / "regions"


@pytest.fixture(scope="module")
def regions():
    return load_regions(REGIONS)


def test_all_four_load(regions):
    assert set(regions) == {"oost-brabant", "fryslan", "noord-en-midden-limburg", "soest"}
    assert {r.route_variant for r in regions.values()} == {"oost-brabant", "fryslan", "limburg", "soest"}


def test_oost_brabant_facts_from_seed_000(regions):
    ob = regions["oost-brabant"]
    assert ob.zorgcoordinator_for("eersel").naam == "Lumens"
    assert ob.zorgcoordinator_for("eersel").telefoon == (Telefoon("040-2193388"),)
    assert ob.zorgcoordinator_for("oss").naam == "MO Den Bosch"
    assert ob.zorgcoordinator_for("helmond").naam == "Gemeente Helmond"
    assert ob.zorgcoordinator_for("onbekend") is None
    assert len(ob.gemeenten) == 32  # the 37 of the 2021 table, after the mergers of 2022
    avim = ob.partner_for_role(Role.POLITIE)
    assert avim.slug == "avim"
    assert avim.telefoon == (
        Telefoon("088-9630320", "ma t/m vr 08:00 uur – 16:30 uur"),
        Telefoon("0900-8844", "buiten kantooruren"),
    )
    assert avim.email == "mensenhandel.avim.oost-brabant@politie.nl"
    assert ob.partner_for_role(Role.ARBEIDSINSPECTIE).telefoon[0].nummer == "0800-5151"
    assert ob.overleg is None, "000 names AVO only in a lost flowchart's legend: no standing triage meeting"


def test_fryslan_drieluik_from_seed_001(regions):
    fr = regions["fryslan"]
    assert fr.overleg.naam == "Drieluik"
    assert fr.overleg.cadans == "tweewekelijks"
    assert {Role.POLITIE, Role.ZORGCOORDINATOR, Role.PROCESREGISSEUR} <= set(fr.overleg.deelnemers)
    assert fr.zorgcoordinator_for("leeuwarden").naam == "Fier"
    assert fr.overleg.weekdag is None and fr.overleg.tijd is None


def test_limburg_weekly_screening_from_seed_003(regions):
    li = regions["noord-en-midden-limburg"]
    assert li.overleg.naam == "Screeningsoverleg"
    assert li.overleg.cadans == "wekelijks"
    assert "veilig-thuis" in li.overleg.partners
    assert li.zorgcoordinator_for("mook-en-middelaar").naam.startswith("Moviera")
    assert li.gemeente("venlo").naam == "Venlo"
    assert li.gemeente("maastricht") is None


FRYSLAN_2026 = {"Achtkarspelen", "Ameland", "Dantumadiel", "De Fryske Marren", "Harlingen", "Heerenveen", "Leeuwarden",
                "Noardeast-Fryslân", "Ooststellingwerf", "Opsterland", "Schiermonnikoog", "Smallingerland",
                "Súdwest-Fryslân", "Terschelling", "Tytsjerksteradiel", "Vlieland", "Waadhoeke", "Weststellingwerf"}
LIMBURG_NOORD_2026 = {"Beesel", "Bergen (L.)", "Echt-Susteren", "Gennep", "Horst aan de Maas", "Leudal", "Maasgouw",
                      "Mook en Middelaar", "Nederweert", "Peel en Maas", "Roerdalen", "Roermond", "Venlo", "Venray",
                      "Weert"}


def test_every_current_gemeente_of_fryslan_and_limburg_noord_can_report(regions):
    assert {g.naam for g in regions["fryslan"].gemeenten} == FRYSLAN_2026
    assert {g.naam for g in regions["noord-en-midden-limburg"].gemeenten} == LIMBURG_NOORD_2026
    assert {regions["fryslan"].zorgcoordinator_for(g.slug).naam for g in regions["fryslan"].gemeenten} == {"Fier"}
    limburg = regions["noord-en-midden-limburg"]
    assert limburg.zorgcoordinator_for("roermond").slug == "zorgcoordinator-zvh"
    assert limburg.zorgcoordinator_for("mook-en-middelaar").slug == "moviera"


def test_every_gemeente_of_every_region_has_a_zorgcoordinator(regions):
    for region in regions.values():
        assert [g.naam for g in region.gemeenten if region.zorgcoordinator_for(g.slug) is None] == [], region.naam


def test_the_merged_oost_brabant_gemeenten_keep_their_old_names_as_aliases(regions):
    ob = regions["oost-brabant"]
    assert ob.gemeente("maashorst").aliassen == ("Landerd", "Uden")
    assert set(ob.gemeente("land-van-cuijk").aliassen) == {"Boxmeer", "Cuijk", "Grave", "Mill en St. Hubert",
                                                          "Sint Anthonis"}
    assert ob.gemeente("landerd") is None and ob.gemeente("boxmeer") is None
    assert ob.zorgcoordinator_for("maashorst").naam == "MO Den Bosch"


def test_comensha_and_the_national_points_of_002_are_in_every_profile(regions):
    for region in regions.values():
        assert region.partner("comensha").email == "voorgemeenten@comensha.nl", region.naam
        assert region.partner("vng-mensenhandel").email == "mensenhandel@vng.nl", region.naam


def test_soest_lists_only_soest(regions):
    assert [g.naam for g in regions["soest"].gemeenten] == ["Soest"]


def test_soest_from_seed_004(regions):
    so = regions["soest"]
    assert so.partner("mma").naam == "Meld Misdaad Anoniem"
    assert so.partner("mma").rol is None  # "overig"
    assert so.zorgcoordinator_for("soest").naam == "Moviera"
    assert so.partner_for_role(Role.POLITIE).telefoon[0].nummer == "112"


GOOD = """
naam = "Test"
slug = "test"
route_variant = "soest"
bron = "test"

[[gemeenten]]
slug = "a"
naam = "A"

[overleg]
naam = "Overleg"
cadans = "wekelijks"
weekdag = "dinsdag"
tijd = "09:30"
deelnemers = ["politie"]
oproep_werkdagen_vooraf = 2
bron = "test"

[[partners]]
slug = "zoco"
naam = "ZoCo"
rol = "zorgcoordinator"
bron = "test"

[[zorgcoordinatie]]
zorgcoordinator = "zoco"
gemeenten = ["a"]

[termijnen]
terugkoppeling_werkdagen = 5
terugkoppeling_werkdagen_bron = "werkafspraak"
doorzetten_werkdagen = 2
doorzetten_werkdagen_bron = "keuze van de regio"
"""


DUPLICATE_GEMEENTE = '[[gemeenten]]\nslug = "a"\nnaam = "A2"\n\n[[zorgcoordinatie]]'


def _write(tmp_path, text):
    path = tmp_path / "kapot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_minimal_profile(tmp_path):
    region = load_region(_write(tmp_path, GOOD))
    assert region.overleg.tijd == "09:30"
    assert region.overleg.oproep_werkdagen_vooraf == 2


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        ('rol = "zorgcoordinator"', 'rol = "directeur"', "rol", "onbekende rol"),
        ('deelnemers = ["politie"]', 'deelnemers = ["koning"]', "deelnemers", "onbekende rol"),
        ('gemeenten = ["a"]', 'gemeenten = ["b"]', "zorgcoordinatie[0].gemeenten", "onbekende gemeente"),
        ('zorgcoordinator = "zoco"', 'zorgcoordinator = "x"', "[0].zorgcoordinator", "onbekende partner"),
        ('rol = "zorgcoordinator"', 'rol = "overig"', "[0].zorgcoordinator", "niet de rol"),
        ('deelnemers = ["politie"]', "deelnemers = []", "overleg.deelnemers", "deelnemers_bron"),
        ('tijd = "09:30"', 'tijd = "9.30 uur"', "overleg.tijd", "ongeldige tijd"),
        ('tijd = "09:30"', 'tijd = "25:00"', "overleg.tijd", "ongeldige tijd"),
        ('cadans = "wekelijks"', 'cadans = "soms"', "overleg.cadans", "onbekende cadans"),
        ('weekdag = "dinsdag"', 'weekdag = "zondag"', "overleg.weekdag", "onbekende weekdag"),
        ('route_variant = "soest"', 'route_variant = "utrecht"', "route_variant", "onbekende variant"),
        ('naam = "Test"\n', "", "naam", "verplichte sleutel ontbreekt"),
        ('tijd = "09:30"', f'tijd = "{PLACEHOLDER}"', "overleg.tijd", "tijd_bron"),
        ("oproep_werkdagen_vooraf = 2", "oproep_werkdagen_vooraf = -1", "oproep_werkdagen_vooraf", "geheel getal"),
        ("[[zorgcoordinatie]]", DUPLICATE_GEMEENTE, "gemeenten", "meer dan eens"),
        ("terugkoppeling_werkdagen = 5", "terugkoppeling_werkdagen = 0", "termijnen.terugkoppeling_werkdagen",
         "1 tot en met 60"),
        ('terugkoppeling_werkdagen_bron = "werkafspraak"', "", "termijnen.terugkoppeling_werkdagen",
         "toelichting"),
        ('naam = "Test"\n', 'naam = "Test"\nriec = "nergens"\n', "riec", "onbekende partner"),
    ],
)
def test_broken_profile_gives_dutch_error_naming_file_and_key(tmp_path, old, new, key, words):
    assert old in GOOD
    with pytest.raises(RegionError) as info:
        load_region(_write(tmp_path, GOOD.replace(old, new, 1)))
    message = str(info.value)
    assert message.startswith("kapot.toml: ")
    assert key in message and words in message


def test_placeholder_with_note_is_accepted(tmp_path):
    text = GOOD.replace('tijd = "09:30"', f'tijd = "{PLACEHOLDER}"\ntijd_bron = "niet in de bronnen"')
    assert load_region(_write(tmp_path, text)).overleg.tijd is None


def test_a_gemeente_belongs_to_one_region_only(tmp_path):
    (tmp_path / "a.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.toml").write_text(GOOD.replace('slug = "test"', 'slug = "ander"'), encoding="utf-8")
    with pytest.raises(RegionError, match="b.toml: gemeenten: 'a' hoort al bij regio 'test'"):
        load_regions(tmp_path)


def test_every_region_names_its_main_process_and_riec(regions):
    assert {r.process_id for r in regions.values()} == {
        "signaal_oost_brabant", "signaal_fryslan", "signaal_limburg", "signaal_soest"}
    assert all(r.riec and r.partner(r.riec) for r in regions.values())


def test_duplicate_region_slug_across_files(tmp_path):
    (tmp_path / "a.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.toml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(RegionError, match="b.toml: slug: regio 'test'"):
        load_regions(tmp_path)


def test_route_rules_receiver_and_emergency_numbers_are_read_and_checked(tmp_path):
    text = GOOD.replace("[termijnen]", """[route]
regels = ["locatieroute"]
regels_bron = "004 §2.4"

[termijnen]""")
    region = load_region(_write(tmp_path, text))
    assert region.regels == frozenset({"locatieroute"}) and region.ontvanger is None
    for bad, message in [('regels = ["onbekend"]', "onbekende regel"),
                         ('regels = ["locatieroute"]\nontvanger = "politie"', "kies 'ketenregisseur'")]:
        broken = text.replace('regels = ["locatieroute"]', bad)
        with pytest.raises(RegionError, match=message):
            load_region(_write(tmp_path, broken))
    without_note = text.replace('regels_bron = "004 §2.4"', "")
    with pytest.raises(RegionError, match="regels_bron"):
        load_region(_write(tmp_path, without_note))


def test_soest_shows_112_only_in_acute_tasks_and_lists_the_missing_regular_police_number_as_a_gap():
    from engine.cases.region_context import case_context

    regions = load_regions(REGIONS)
    soest = regions["soest"]
    contacten = case_context(soest, soest.gemeenten[0])["regio"]["contacten"]
    assert "politie" not in contacten and "112" in contacten["politie_spoed"]
    assert any(gap.startswith("Politie") for gap in soest.gaps())
