"""The command line speaks Dutch, and the English names of the first release still work, unseen, for one release.

A beheerder's cron job or script written against release 1 (``users create --username …``,
``bewaartermijnen --droog``) must keep working after the upgrade; ``--help`` shows only the Dutch names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.db import make_engine, make_session_factory, unit_of_work
from engine.models import User
from signaalroute.cli import main
from tests.support.base import FIXTURES, MODELS

ROOT = Path(__file__).resolve().parents[2]

# Old command (as release 1 spelled it) -> the command it is now.
OLD_COMMANDS = [
    ("init", "initialiseren"),
    ("db", "database"),
    ("db upgrade", "database bijwerken"),
    ("deploy", "uitrollen"),
    ("organisations", "organisaties"),
    ("organisations create", "organisaties aanmaken"),
    ("users", "gebruikers"),
    ("users create", "gebruikers aanmaken"),
    ("users reset-2fa", "gebruikers tweestaps-wissen"),
    ("users link-oidc", "gebruikers oidc-koppelen"),
    ("users allow-oidc-link", "gebruikers oidc-koppeling-toestaan"),
    ("users rechten", "gebruikers rechten"),
    ("tokens create", "tokens aanmaken"),
    ("tokens list", "tokens tonen"),
    ("tokens revoke", "tokens intrekken"),
    ("timers run", "timers afvuren"),
    ("audit verify", "audit controleren"),
    ("audit seal", "audit zegelen"),
    ("replay", "afspelen"),
    ("migreer", "migreren"),
    ("serve", "webserver"),
    ("scheduler", "planner"),
    ("demo load", "demo laden"),
]

# Old option -> new option, per command (the new command path).
OLD_OPTIONS = [
    ("uitrollen", "--comment", "--toelichting"),
    ("uitrollen", "--default-role", "--standaardrol"),
    ("organisaties aanmaken", "--name", "--naam"),
    ("organisaties aanmaken", "--kind", "--soort"),
    ("gebruikers aanmaken", "--username", "--gebruikersnaam"),
    ("gebruikers aanmaken", "--role", "--rol"),
    ("gebruikers aanmaken", "--organisation", "--organisatie"),
    ("gebruikers aanmaken", "--display-name", "--weergavenaam"),
    ("gebruikers aanmaken", "--email", "--e-mail"),
    ("gebruikers tweestaps-wissen", "--username", "--gebruikersnaam"),
    ("gebruikers oidc-koppelen", "--username", "--gebruikersnaam"),
    ("gebruikers oidc-koppelen", "--issuer", "--aanbieder"),
    ("gebruikers oidc-koppelen", "--subject", "--sub"),
    ("gebruikers oidc-koppeling-toestaan", "--username", "--gebruikersnaam"),
    ("tokens aanmaken", "--username", "--gebruikersnaam"),
    ("tokens tonen", "--username", "--gebruikersnaam"),
    ("tokens intrekken", "--username", "--gebruikersnaam"),
    ("tokens intrekken", "--id", "--nummer"),
    ("audit controleren", "--seals", "--zegels"),
    ("afspelen", "--all", "--alle"),
    ("afspelen", "--dry-run", "--droog"),
    ("webserver", "--port", "--poort"),
]

# Words that would give away an English help text (the CLI's loanwords such as token, audit, label are Dutch too).
ENGLISH = {"the", "and", "with", "every", "create", "show", "this", "message", "exit", "usage", "options",
           "commands", "required", "default", "print", "run", "load", "seal", "verify", "which", "from",
           "command", "argument", "arguments", "text", "integer", "path", "file", "once", "each", "case", "cases"}


def command_at(path: str) -> click.Command:
    command: click.Command = main
    for name in path.split():
        assert isinstance(command, click.Group)
        found = command.commands.get(name)
        assert found is not None, f"{path}: no command {name}"
        command = found
    return command


def every_command(group: click.Group = main, path: str = "") -> Iterator[tuple[str, click.Command]]:
    for name in group.list_commands(click.Context(group)):
        command = group.commands[name]
        full = f"{path} {name}".strip()
        yield full, command
        if isinstance(command, click.Group):
            yield from every_command(command, full)


def help_of(path: str) -> click.testing.Result:
    return CliRunner().invoke(main, [*path.split(), "--help"])


def listed_commands(help_text: str) -> set[str]:
    """The names in the help's "Opdrachten:" section."""
    section = help_text.partition("\nOpdrachten:\n")[2]
    return set(re.findall(r"^  (\S+)", section, re.MULTILINE))


def body(result: click.testing.Result) -> str:
    """The help without its usage line, which names the command as it was typed."""
    return result.stdout.split("\n", 1)[1]


@pytest.mark.parametrize(("old", "new"), OLD_COMMANDS, ids=[old for old, _ in OLD_COMMANDS])
def test_an_old_command_name_still_reaches_its_dutch_command_and_says_what_it_is_called_now(old, new):
    via_old, via_new = help_of(old), help_of(new)
    assert via_old.exit_code == 0 == via_new.exit_code, via_old.output
    assert body(via_old) == body(via_new)
    renamed = [(o, n) for o, n in zip(old.split(), new.split(), strict=True) if o != n]
    for o, n in renamed:
        assert f"‘{o}’ heet nu ‘{n}’" in via_old.stderr
    assert "heet nu" not in via_new.stderr


@pytest.mark.parametrize(("path", "old", "new"), OLD_OPTIONS, ids=[f"{p} {o}" for p, o, _ in OLD_OPTIONS])
def test_an_old_option_name_still_sets_the_same_value(path, old, new):
    command = command_at(path)
    [param] = [p for p in command.params if new in p.opts]
    if getattr(param, "is_flag", False):
        value = []
    elif isinstance(param.type, click.Path):
        value = [str(MODELS / "timers.bpmn")]
    else:
        value = ["gemeente" if new == "--soort" else "7"]
    required = [[p.opts[0], "7"] for p in command.params
                if p.required and isinstance(p, click.Option) and p is not param]
    argument = [str(MODELS / "timers.bpmn")] if path == "uitrollen" else []
    fill = [a for pair in required for a in pair] + argument
    with command.make_context(path, [*fill, old, *value]) as via_old, \
            command.make_context(path, [*fill, new, *value]) as via_new:
        assert via_old.params == via_new.params
        assert via_old.params[param.name] not in (None, False, "")


def test_help_lists_only_the_dutch_names():
    old_commands = {o.split()[-1] for o, _ in OLD_COMMANDS} - {"rechten"}
    old_options = {o for _, o, _ in OLD_OPTIONS}
    for path, command in [("", main), *every_command()]:
        result = help_of(path)
        assert result.exit_code == 0, result.output
        listed = listed_commands(result.stdout)
        assert not listed & old_commands, f"{path or 'signaalroute'} lists {listed & old_commands}"
        assert not set(re.findall(r"--[a-z0-9-]+", result.stdout)) & old_options, path
        if isinstance(command, click.Group):
            assert listed == set(command.list_commands(click.Context(command))), path


def test_every_help_text_is_dutch():
    for path, _command in [("", main), *every_command()]:
        text = help_of(path).stdout
        words = {w.lower() for w in re.findall(r"[A-Za-z]+", text)}
        assert not words & ENGLISH, f"{path or 'signaalroute'}: {sorted(words & ENGLISH)}"
        assert "Gebruik:" in text and "Opties:" in text and "Deze hulptekst tonen en stoppen." in text


def test_click_errors_are_dutch_and_name_only_the_new_option():
    missing = CliRunner().invoke(main, ["gebruikers", "aanmaken", "--gebruikersnaam", "x"])
    assert missing.exit_code == 2
    assert "Fout: Optie '--rol' ontbreekt." in missing.stderr and "--role" not in missing.stderr
    typo = CliRunner().invoke(main, ["afspelen", "--al"])
    assert "Onbekende optie ‘--al’. Bedoelt u ‘--alle’?" in typo.stderr
    unknown = CliRunner().invoke(main, ["gebruiker"])
    assert "Onbekende opdracht ‘gebruiker’. Bedoelt u ‘gebruikers’?" in unknown.stderr
    not_a_number = CliRunner().invoke(main, ["migreren", "--proces", "x", "--naar", "twee"])
    assert "Ongeldige waarde voor '--naar': 'twee' is geen geldig getal." in not_a_number.stderr


@pytest.fixture
def release_1_env(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNAALROUTE_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("SIGNAALROUTE_DATABASE_URL", db_url)
    monkeypatch.setenv("SIGNAALROUTE_FORMS_DIR", str(FIXTURES / "forms"))
    monkeypatch.setenv("SIGNAALROUTE_RETENTION_FILE", str(ROOT / "retention.toml"))
    monkeypatch.setenv("SIGNAALROUTE_ZEGEL_EXPORT", str(tmp_path / "zegels.jsonl"))
    monkeypatch.delenv("SIGNAALROUTE_SECRET_KEY", raising=False)
    return tmp_path


def test_a_script_written_for_release_1_still_runs_every_old_command(release_1_env, db_url):
    def old(*args: str, input: str | None = None) -> click.testing.Result:
        result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
        assert result.exit_code == 0, f"{args}: {result.output}"
        return result

    assert "Geheime sleutel staat in" in old("init").stdout
    assert "Database is bijgewerkt." in old("db", "upgrade").stdout
    assert "Organisatie eersel bestaat." in old("organisations", "create", "--slug", "eersel", "--name",
                                               "Gemeente Eersel", "--kind", "gemeente").stdout
    old("users", "create", "--username", "anne", "--role", "af", "--organisation", "eersel",
        "--display-name", "Anne de Wit", "--email", "anne@eersel.example", input="een-lang-genoeg-wachtwoord\n")
    assert old("tokens", "create", "--username", "anne").stdout.strip().startswith("sr_")
    [listed] = old("tokens", "list", "--username", "anne").stdout.splitlines()
    assert "\tgeldig\t" in listed
    assert "1 API-token(s) van anne ingetrokken." in old("tokens", "revoke", "--username", "anne",
                                                         "--id", listed.split("\t")[0]).stdout
    deployed = old("deploy", str(MODELS / "timers.bpmn"), "--comment", "eerste", "--default-role", "af")
    assert "terugkoppeling_bewaken v1" in deployed.stdout

    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        anne = session.scalar(select(User).where(User.username == "anne"))
        assert (anne.display_name, anne.email) == ("Anne de Wit", "anne@eersel.example")
        from engine.accounts import users
        from engine.cases import lifecycle

        lifecycle.start_case(session, actor=users.actor_for(anne), now=datetime(2020, 1, 1, tzinfo=UTC),
                           process_id="terugkoppeling_bewaken", data={})
    engine.dispose()

    assert "1 timer(s) afgegaan" in old("timers", "run").stdout
    assert "droog gecontroleerd, niets vastgelegd" in old("replay", "--all", "--dry-run").stdout
    assert "vastgelegd als opdrachtregel (jan)" in old("replay", "--all", "--door", "jan").stdout
    assert "Auditlog intact" in old("audit", "verify").stdout
    assert "zegel(s) geëxporteerd" in old("audit", "seal").stdout
    assert "ook tegen" in old("audit", "verify", "--seals", str(release_1_env / "zegels.jsonl")).stdout
    assert "er is niets gewijzigd" in old("migreer", "--proces", "terugkoppeling_bewaken", "--naar", "1",
                                          "--droog").stdout
    dry = old("bewaartermijnen", "--droog")
    assert "er is niets veranderd" in dry.stdout and "heet nu ‘bewaartermijnen toepassen’" in dry.stderr
    assert "0 zaak/zaken vernietigd." in old("bewaartermijnen").stdout
    assert "anne" in old("users", "rechten").stdout
    assert "logt voortaan ook in via OIDC" in old("users", "link-oidc", "--username", "anne", "--issuer",
                                                  "https://sso.example", "--subject", "abc-1").stdout
    old("users", "create", "--username", "bert", "--role", "af", "--organisation", "eersel",
        input="een-lang-genoeg-wachtwoord\n")
    assert "koppelt dit account" in old("users", "allow-oidc-link", "--username", "bert").stdout
    assert "Tweestapsverificatie van anne is gewist" in old("users", "reset-2fa", "--username", "anne").stdout


def documented_commands(text: str) -> Iterator[str]:
    """``signaalroute …`` as code: inside backticks, or a line of a code block or a Makefile recipe."""
    yield from re.findall(r"`(signaalroute [^`]+)`", text)
    for line in text.splitlines():
        command = line.split("#", 1)[0]
        if "`" not in command and re.search(r"(^|[\s/|])signaalroute [a-z]", command):
            yield command[command.index("signaalroute "):]


@pytest.mark.parametrize("document", ["README.md", "SECURITY.md", "Makefile", "docs/architecture.md",
                                      "docs/deploy.md", "docs/add-a-region.md"])
def test_the_documentation_uses_only_the_dutch_names(document):
    text = (ROOT / document).read_text(encoding="utf-8")
    seen = 0
    for usage in documented_commands(text):
        words = [w.strip("[]") for w in usage.split()[1:]]
        if words[:1] == ["…"]:
            continue
        command: click.Command = main
        while words and isinstance(command, click.Group) and words[0] in command.commands:
            command = command.commands[words.pop(0)]
        assert command is not main, f"{document}: {usage!r} names no command"
        visible = {o for p in command.params if isinstance(p, click.Option) and not p.hidden
                   for o in p.opts if o not in getattr(p, "hidden_aliases", ())}
        options = {w.split("=")[0] for w in words if w.startswith("--")}
        unknown = sorted(options - visible - {"--help"})
        assert unknown == [], f"{document}: {usage!r} uses {unknown}"
        seen += 1
    assert seen, f"{document} shows no command"
