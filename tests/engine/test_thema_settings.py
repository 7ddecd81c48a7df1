"""The theme setting: the example theme by default, a municipality's own tokens file and class, never half."""

from __future__ import annotations

import pytest

from engine.config import DEFAULT_THEMA_CSS, DEFAULT_THEMA_KLASSE, ConfigurationError, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    monkeypatch.setenv("SIGNAALROUTE_SECRET_KEY", "k" * 64)
    monkeypatch.setenv("SIGNAALROUTE_INSTANCE_DIR", str(tmp_path))
    for name in ("THEMA_CSS", "THEMA_KLASSE"):
        monkeypatch.delenv(f"SIGNAALROUTE_{name}", raising=False)


def test_without_a_setting_the_nl_design_system_example_theme_is_used():
    settings = load_settings()
    assert (settings.thema_css, settings.thema_klasse) == (DEFAULT_THEMA_CSS, "voorbeeld-theme")
    assert DEFAULT_THEMA_KLASSE == "voorbeeld-theme"


def test_a_municipality_names_its_tokens_file_and_theme_class(monkeypatch, tmp_path):
    tokens = tmp_path / "eersel.css"
    tokens.write_text(".eersel-theme { --utrecht-button-primary-action-background-color: #00579c; }")
    monkeypatch.setenv("SIGNAALROUTE_THEMA_CSS", str(tokens))
    monkeypatch.setenv("SIGNAALROUTE_THEMA_KLASSE", "eersel-theme")
    settings = load_settings()
    assert (settings.thema_css, settings.thema_klasse) == (tokens.resolve(), "eersel-theme")


@pytest.mark.parametrize(("css", "klasse", "message"), [
    ("eersel.css", "", "allebei nodig"),
    ("", "eersel-theme", "allebei nodig"),
    ("bestaat-niet.css", "eersel-theme", "bestaand .css-bestand"),
    ("eersel.txt", "eersel-theme", "bestaand .css-bestand"),
    ("eersel.css", 'eersel" onload="x', "CSS-klassenaam"),
    ("eersel.css", "eersel theme", "CSS-klassenaam"),
])
def test_half_or_wrong_theme_settings_refuse_to_start(monkeypatch, tmp_path, css, klasse, message):
    for name in ("eersel.css", "eersel.txt"):
        (tmp_path / name).write_text(".eersel-theme {}")
    monkeypatch.setenv("SIGNAALROUTE_THEMA_CSS", str(tmp_path / css) if css else "")
    monkeypatch.setenv("SIGNAALROUTE_THEMA_KLASSE", klasse)
    with pytest.raises(ConfigurationError, match=message):
        load_settings()
