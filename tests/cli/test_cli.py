"""The ``signaalroute`` command as an operator uses it, against a real database."""

from __future__ import annotations

from datetime import UTC, datetime

from click.testing import CliRunner
from sqlalchemy import select

from engine.accounts import passwords, users
from engine.cases import lifecycle
from engine.db import make_engine, make_session_factory, unit_of_work
from engine.meetings import meetings
from engine.modelling import model_ownership
from engine.models import ApiToken, Meeting, MeetingSchedule, Timer, User
from signaalroute.cli import main
from tests.support.base import FIXTURES, MODELS
from tests.support.cli import run


def test_without_a_secret_key_commands_refuse_to_run(cli_env):
    result = run("timers", "afvuren")
    assert result.exit_code != 0
    assert "Geen geheime sleutel" in result.output


def test_an_operator_sets_up_users_tokens_models_and_timers(cli_env, db_url, monkeypatch):
    assert run("initialiseren").exit_code == 0
    key = (cli_env / "secret_key").read_text()
    assert len(key) == 128
    assert run("initialiseren").exit_code == 0 and (cli_env / "secret_key").read_text() == key, "never overwritten"
    assert run("database", "bijwerken").exit_code == 0
    assert run("organisaties", "aanmaken", "--slug", "eersel", "--naam", "Gemeente Eersel").exit_code == 0
    created = run("gebruikers", "aanmaken", "--gebruikersnaam", "anne", "--rol", "af", "--organisatie", "eersel",
                  input="een-lang-genoeg-wachtwoord\n")
    assert created.exit_code == 0, created.output
    short = run("gebruikers", "aanmaken", "--gebruikersnaam", "bob", "--rol", "af", "--organisatie", "eersel",
                input="kort\n")
    assert short.exit_code != 0 and "minstens 12 tekens" in short.output
    bad_role = run("gebruikers", "aanmaken", "--gebruikersnaam", "bob", "--rol", "koning", "--organisatie", "eersel",
                   input="een-lang-genoeg-wachtwoord\n")
    assert bad_role.exit_code != 0 and "Onbekende rol" in bad_role.output
    token = run("tokens", "aanmaken", "--gebruikersnaam", "anne").output.strip()
    assert token.startswith("sr_")

    deployed = run("uitrollen", str(MODELS / "timers.bpmn"), "--toelichting", "eerste")
    assert deployed.exit_code == 0 and "terugkoppeling_bewaken v1" in deployed.output
    refused = run("uitrollen", str(FIXTURES / "forms" / "test-verrijken.json"))
    assert refused.exit_code != 0 and "Alleen .bpmn-, .dmn- en .xml-bestanden" in refused.output
    assert "[]" not in refused.output, "no empty element marker"

    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        user = session.scalar(select(User).where(User.username == "anne"))
        assert user.password_hash.startswith("$argon2")
        stored = session.scalar(select(ApiToken.token_hash))
        assert stored != token and len(stored) == 64
    with unit_of_work(factory) as session:
        anne = users.actor_for(session.scalar(select(User).where(User.username == "anne")))
        case = lifecycle.start_case(session, actor=anne, now=datetime(2020, 1, 1, tzinfo=UTC),
                                        process_id="terugkoppeling_bewaken", data={})
    assert "1 timer(s) afgegaan" in run("timers", "afvuren").output
    with unit_of_work(factory) as session:
        assert session.scalar(select(Timer.state).where(Timer.instance_id == case.id)) == "fired"
    engine.dispose()


def test_serve_runs_the_app_under_gunicorn(cli_env, db_url, tmp_path):
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "SIGNAALROUTE_SECRET_KEY": "s" * 64}
    script = "from signaalroute.cli import main; main()"
    server = subprocess.Popen([sys.executable, "-c", script, "webserver", "--poort", str(port), "--workers", "1"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/gezond", timeout=2) as response:
                    assert response.read() == b"ok"
                    assert "gunicorn" in response.headers.get("Server", "")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "server did not come up"
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=15)
        server.stderr.close()


def test_demo_load_creates_accounts_for_every_role_once_and_an_example_case(cli_env, db_url, monkeypatch):
    from engine.accounts.roles import Role
    from engine.config import PROJECT_ROOT

    monkeypatch.setenv("SIGNAALROUTE_FORMS_DIR", str(PROJECT_ROOT / "forms"))
    assert run("initialiseren").exit_code == 0 and run("database", "bijwerken").exit_code == 0
    first = run("demo", "laden")
    assert first.exit_code == 0, first.output
    assert "signaal_oost_brabant v1" in first.output and "overdracht_partners v1" in first.output
    assert "Voorbeeldzaak SR-" in first.output and "Drieluik gepland op" in first.output
    assert "Screeningsoverleg gepland op" in first.output and "elke dinsdag om 09:30" in first.output
    second = run("demo", "laden")
    assert second.exit_code == 0 and "Uitgerold" not in second.output, "loading twice changes nothing"
    logins = (cli_env / "demo-logins.txt").read_text().splitlines()
    assert (cli_env / "demo-logins.txt").stat().st_mode & 0o077 == 0, "only the owner may read the passwords"
    roles = {line.split()[2] for line in logins}
    assert roles == {r.value for r in Role}
    usernames = {line.split()[0] for line in logins}
    assert {"auditor.eersel", "beheerder.eersel"} <= usernames, "every demo account is named role.organisation"
    username, password = logins[1].split()[:2]
    engine = make_engine(db_url)
    with unit_of_work(make_session_factory(engine)) as session:
        assert passwords.verify_password(users.user_by_username(session, username), password)
        af = users.actor_for(users.user_by_username(session, "af.eersel"))
        assert [t.element_id for t in lifecycle.list_tasks(session, actor=af)] == ["verrijken"]
        regions = {line.split()[3].strip("()") for line in logins if line.split()[2] == "politie"}
        assert regions == {"oost-brabant-avim", "fryslan-politie-tmm", "noord-en-midden-limburg-avim",
                           "soest-politie"}, "every region has people for its partners"
        landelijk = users.actor_for(users.user_by_username(session, "procesregisseur.landelijk"))
        assert model_ownership.actor_region(session, landelijk) is None, "maintains the shared models"
        fryslan = users.actor_for(users.user_by_username(session, "procesregisseur.fryslan"))
        assert model_ownership.actor_region(session, fryslan) == "fryslan"
        # The demo sets the meeting moments the documents leave open, so both triage meetings are planned
        # by the planner; Oost-Brabant and Soest have no standing meeting.
        planned = {m.region: m.planned_by for m in session.scalars(select(Meeting))}
        assert planned == {"fryslan": "planner", "noord-en-midden-limburg": "planner"}
        assert {s.region for s in session.scalars(select(MeetingSchedule))} == {"fryslan", "noord-en-midden-limburg"}
        # ... and each has a signal on its provisional agenda ("make run shows a planned meeting with an agenda").
        for username in ("procesregisseur.fryslan", "procesregisseur.noord-en-midden-limburg"):
            chair = users.actor_for(users.user_by_username(session, username))
            coming = meetings.list_for(session, actor=chair, now=datetime.now(UTC))
            views = [meetings.view(session, actor=chair, now=datetime.now(UTC), meeting_id=m.id) for m in coming]
            assert sum(len(v.waiting) for v in views) == 1, username
    assert first.output.count("wacht op het besluit van het overleg") == 2
    engine.dispose()


def test_demo_load_on_a_new_database_replaces_the_passwords_a_kept_logins_file_still_shows(
        cli_env, db_url, monkeypatch):
    """The database file removed, instance/demo-logins.txt kept: the file showed the old passwords, which opened
    nothing, so `make run` printed logins nobody could use."""
    from engine.config import PROJECT_ROOT

    monkeypatch.setenv("SIGNAALROUTE_FORMS_DIR", str(PROJECT_ROOT / "forms"))
    assert run("initialiseren").exit_code == 0 and run("database", "bijwerken").exit_code == 0
    stale = "af.eersel                              oudwachtwoord        af (eersel)"
    (cli_env / "demo-logins.txt").write_text(stale + "\n")
    loaded = run("demo", "laden")
    assert loaded.exit_code == 0, loaded.output
    logins = {line.split()[0]: line.split()[1] for line in (cli_env / "demo-logins.txt").read_text().splitlines()}
    assert logins["af.eersel"] != "oudwachtwoord" and "oudwachtwoord" not in loaded.output
    assert list(logins).count("af.eersel") == 1
    engine = make_engine(db_url)
    with unit_of_work(make_session_factory(engine)) as session:
        assert passwords.verify_password(users.user_by_username(session, "af.eersel"), logins["af.eersel"])
    engine.dispose()


def test_regio_laden_creates_gemeenten_and_partners_once_and_names_a_broken_profile(cli_env, tmp_path, monkeypatch):
    assert run("initialiseren").exit_code == 0 and run("database", "bijwerken").exit_code == 0
    first = run("regio", "laden")
    assert first.exit_code == 0 and first.output.startswith("4 regio's geladen;"), first.output
    assert run("regio", "laden").output == "4 regio's geladen; 0 organisaties aangemaakt.\n"
    broken = tmp_path / "kapot" / "regions"
    broken.mkdir(parents=True)
    (broken / "x.toml").write_text('naam = "X"\n', encoding="utf-8")
    monkeypatch.setenv("SIGNAALROUTE_PROCESSES_DIR", str(broken.parent))
    result = CliRunner().invoke(main, ["regio", "laden"])
    assert result.exit_code == 1 and "x.toml: route_variant: verplichte sleutel ontbreekt" in result.output
