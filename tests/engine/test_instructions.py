"""Instructions name region facts; what a profile lacks shows nothing, never a note about the profile."""

from __future__ import annotations

from engine.cases.instructions import render_instructions

DATA = {"regio": {"contacten": {"politie": "AVIM, 088-9630320"}, "namen": {"riec": "TF-RIEC"}}}


def test_a_known_fact_is_filled_in_and_an_optional_segment_kept():
    text = "Bel de politie[[: {{ regio.contacten.politie }}]]. RIEC[[ ({{ regio.namen.riec }})]]."
    assert render_instructions(text, DATA) == "Bel de politie: AVIM, 088-9630320. RIEC (TF-RIEC)."


def test_a_missing_fact_drops_its_whole_segment_and_says_nothing_about_the_profile():
    text = "Neem contact op[[: {{ regio.contacten.zorgcoordinator }}]]. Leg vast wat is afgesproken."
    assert render_instructions(text, DATA) == "Neem contact op. Leg vast wat is afgesproken."


def test_a_missing_fact_outside_a_segment_becomes_empty_and_other_case_data_is_never_read():
    assert render_instructions("Zorg: {{ regio.contacten.zorgcoordinator }}.", DATA) == "Zorg: ."
    assert render_instructions("{{ omschrijving }}", {**DATA, "omschrijving": "geheim"}) == "{{ omschrijving }}"
