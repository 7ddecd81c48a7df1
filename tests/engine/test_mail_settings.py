"""Mail settings come from SIGNAALROUTE_ variables; half a configuration refuses to start."""

from __future__ import annotations

import pytest

from engine.config import ConfigurationError, load_settings
from engine.notify import SmtpConfig


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    monkeypatch.setenv("SIGNAALROUTE_SECRET_KEY", "k" * 64)
    monkeypatch.setenv("SIGNAALROUTE_INSTANCE_DIR", str(tmp_path))
    for name in ("BASE_URL", "SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_STARTTLS", "SMTP_FROM",
                 "MAIL_MAX_ATTEMPTS"):
        monkeypatch.delenv(f"SIGNAALROUTE_{name}", raising=False)


def test_by_default_there_is_no_smtp_server_and_mail_stays_in_the_outbox():
    settings = load_settings()
    assert SmtpConfig.from_settings(settings) is None
    assert settings.base_url == "http://127.0.0.1:8000"


def test_smtp_settings_are_read_from_the_environment(monkeypatch):
    for name, value in {"SMTP_HOST": "smtp.gemeente.example", "SMTP_PORT": "2525", "SMTP_USER": "signaalroute",
                        "SMTP_PASSWORD": "geheim-wachtwoord", "SMTP_STARTTLS": "false",
                        "SMTP_FROM": "noreply@gemeente.example", "BASE_URL": "https://signaalroute.example/"}.items():
        monkeypatch.setenv(f"SIGNAALROUTE_{name}", value)
    settings = load_settings()
    config = SmtpConfig.from_settings(settings)
    assert config == SmtpConfig(host="smtp.gemeente.example", port=2525, sender="noreply@gemeente.example",
                                user="signaalroute", password="geheim-wachtwoord", starttls=False)
    assert settings.base_url == "https://signaalroute.example"
    assert "geheim-wachtwoord" not in repr(settings) + repr(config)


def test_a_user_without_a_password_or_a_link_without_scheme_is_refused(monkeypatch):
    monkeypatch.setenv("SIGNAALROUTE_SMTP_USER", "signaalroute")
    with pytest.raises(ConfigurationError, match="SMTP_PASSWORD"):
        load_settings()
    monkeypatch.delenv("SIGNAALROUTE_SMTP_USER")
    monkeypatch.setenv("SIGNAALROUTE_BASE_URL", "signaalroute.example")
    with pytest.raises(ConfigurationError, match="BASE_URL"):
        load_settings()
