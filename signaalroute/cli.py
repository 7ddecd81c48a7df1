"""The ``signaalroute`` command: each command is one edge with its own unit of work.

Command names, options and help are Dutch, as the beheerder who types them speaks; the English names
of the first release are hidden aliases for one release (``signaalroute/dutch_click.py``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from sqlalchemy.orm import Session, sessionmaker

from engine import logs
from engine.accounts import access_review, api_tokens, oidc_identities, two_factor, users
from engine.accounts.actors import Actor
from engine.accounts.organisations import get_or_create_organisation
from engine.config import ConfigurationError, Settings, ensure_secret_key, load_settings
from engine.db import make_engine, make_session_factory, unit_of_work
from engine.db.migrate import upgrade
from engine.dutch import local_iso
from engine.errors import DomainError
from engine.modelling import deployments
from engine.modelling.forms import FormRepository
from engine.regions import region_setup
from engine.regions.regions import RegionError, load_regions
from engine.workflow.bundle import SourceFile
from signaalroute import passes
from signaalroute.dutch_click import DutchRoot, Fout, Gebruiksfout, option

CLI_ACTOR = Actor.system("cli")


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigurationError as exc:
        raise Fout(str(exc)) from exc


@contextmanager
def _factory(settings: Settings) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(settings.database_url)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


def _where(detail: dict[str, Any]) -> str:
    """"bestand:regel [element] " for a model problem; the parts it has, nothing empty."""
    place = ":".join(str(detail[k]) for k in ("file", "line") if detail.get(k))
    element = f"[{detail['element_id']}]" if detail.get("element_id") else ""
    return " ".join(p for p in (place, element) if p) + (" " if place or element else "")


@contextmanager
def _work(settings: Settings) -> Iterator[Session]:
    try:
        with _factory(settings) as factory, unit_of_work(factory) as session:
            yield session
    except DomainError as exc:
        details = exc.details
        lines = [exc.message]
        if isinstance(details, list):
            lines += [f"  - {_where(d)}{d['message']}" for d in details]
        elif isinstance(details, dict):
            lines += [f"  - {k}: {v}" for k, v in details.items()]
        raise Fout("\n".join(lines)) from exc


def _now() -> datetime:
    return datetime.now(UTC)


@click.group(cls=DutchRoot, aliases={
    "init": "initialiseren", "db": "database", "deploy": "uitrollen", "organisations": "organisaties",
    "users": "gebruikers", "replay": "afspelen", "migreer": "migreren", "serve": "webserver",
    "scheduler": "planner",
})
def main() -> None:
    """Signaalroute: signalen van mensenhandel, van signaal naar aanpak.

    Beheer vanaf de opdrachtregel: instellen, accounts, modellen uitrollen, het auditlog controleren.
    """
    logs.configure("WARNING")


@main.command("initialiseren")
def init() -> None:
    """Maak de geheime sleutel en de zegelsleutel in instance/ aan.

    Elk één keer: een bestaande sleutel wordt nooit overschreven.
    """
    from engine.audit.seal_key import default_key_path, ensure_seal_key

    settings = load_settings(require_secret=False)
    path = ensure_secret_key(settings.instance_dir)
    click.echo(f"Geheime sleutel staat in {path}")
    if settings.seal_key_file is None:
        click.echo(f"Zegelsleutel staat in {ensure_seal_key(default_key_path(settings.instance_dir))}")


@main.group("database", aliases={"upgrade": "bijwerken"})
def db() -> None:
    """Het databaseschema."""


@db.command("bijwerken")
def db_upgrade() -> None:
    """Breng de database naar het nieuwste schema (Alembic-migraties)."""
    settings = load_settings(require_secret=False)
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    click.echo("Database is bijgewerkt.")


@main.command("uitrollen")
@click.argument("files", nargs=-1, required=True, metavar="BESTANDEN...",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@option("--toelichting", "comment", aliases=("--comment",), default="",
        help="Waarom deze versie (verplicht in de modeleditor).")
@option("--standaardrol", "default_role", aliases=("--default-role",), default=None, metavar="ROL",
        help="Rol voor taken buiten een lane (standaard af).")
def deploy(files: tuple[Path, ...], comment: str, default_role: str | None) -> None:
    """Rol BPMN- en DMN-bestanden uit als nieuwe versie.

    Een uitgerolde versie verandert nooit meer; lopende zaken blijven op hun versie.
    """
    settings = _settings()
    sources = [SourceFile(p.name, p.read_bytes()) for p in files]
    with _work(settings) as session:
        deployment = deployments.deploy(
            session, actor=CLI_ACTOR, now=_now(), files=sources, comment=comment,
            forms=FormRepository(settings.forms_dir), default_role=default_role,
            max_bytes=settings.max_upload_bytes,
        )
        names = ", ".join(f"{d.process_id} v{d.version}" for d in deployment.definitions)
        click.echo(f"Uitgerold als deployment {deployment.id}: {names or 'geen nieuwe processen'}")


@main.group("organisaties", aliases={"create": "aanmaken"})
def organisations() -> None:
    """Gemeenten en ketenpartners."""


@organisations.command("aanmaken")
@option("--slug", "slug", required=True, help="Korte naam in het adres en in de regioprofielen, bv. eersel.")
@option("--naam", "name", aliases=("--name",), required=True, help="Naam zoals de schermen hem tonen.")
@option("--soort", "kind", aliases=("--kind",), type=click.Choice(["gemeente", "partner"]), default="gemeente",
        help="Gemeente of ketenpartner (standaard gemeente).")
def organisations_create(slug: str, name: str, kind: str) -> None:
    """Maak een organisatie aan als die nog niet bestaat."""
    with _work(_settings()) as session:
        get_or_create_organisation(session, slug=slug, name=name, kind=kind)
    click.echo(f"Organisatie {slug} bestaat.")


@main.group("regio")
def regio() -> None:
    """Regioprofielen (processes/regions/*.toml)."""


@regio.command("laden")
def regio_laden() -> None:
    """Controleer alle regioprofielen en maak hun gemeenten en ketenpartners aan (herhaalbaar)."""
    settings = _settings()
    try:
        regions = load_regions(settings.regions_dir)
    except RegionError as exc:
        raise Fout(str(exc)) from exc
    with _work(settings) as session:
        created = region_setup.load_region_organisations(session, regions)
    click.echo(f"{len(regions)} regio's geladen; {len(created)} organisaties aangemaakt.")


@main.group("gebruikers", aliases={
    "create": "aanmaken", "reset-2fa": "tweestaps-wissen", "link-oidc": "oidc-koppelen",
    "allow-oidc-link": "oidc-koppeling-toestaan",
})
def users_group() -> None:
    """Accounts."""


@users_group.command("aanmaken")
@option("--gebruikersnaam", "username", aliases=("--username",), required=True, metavar="NAAM")
@option("--rol", "role", aliases=("--role",), required=True, metavar="ROL", help="Bv. af, melder, beheerder.")
@option("--organisatie", "organisation", aliases=("--organisation",), required=True, metavar="SLUG",
        help="Slug van de organisatie.")
@option("--weergavenaam", "display_name", aliases=("--display-name",), default=None, metavar="NAAM",
        help="Naam zoals collega's hem zien (standaard de gebruikersnaam).")
@option("--e-mail", "email", aliases=("--email",), default=None, metavar="ADRES",
        help="Werkadres voor herinneringen (alleen een link, nooit zaakinhoud).")
@option("--coordinator", "coordinator", is_flag=True, help="Mag taken van het team aan een collega toewijzen.")
def users_create(username: str, role: str, organisation: str, display_name: str | None, email: str | None,
                 coordinator: bool) -> None:
    """Maak een account aan; het wachtwoord komt van standaardinvoer."""
    password = sys.stdin.readline().rstrip("\n")
    with _work(_settings()) as session:
        user = users.create_user(session, actor=CLI_ACTOR, now=_now(), username=username, password=password,
                                 role=role, organisation_slug=organisation, display_name=display_name,
                                 email=email, coordinator=coordinator)
        click.echo(f"Gebruiker {user.username} aangemaakt (rol {user.role}).")


@users_group.command("tweestaps-wissen")
@option("--gebruikersnaam", "username", aliases=("--username",), required=True, metavar="NAAM")
def users_reset_2fa(username: str) -> None:
    """Wis iemands tweestapsverificatie (telefoon kwijt); gelogd.

    De herstelcodes worden gewist en de sessies beëindigd.
    Ook de API-tokens van die persoon worden ingetrokken. Stel eerst vast dat
    het echt die persoon is die het vraagt: met het wachtwoord kan een nieuwe app worden ingesteld.
    """
    with _work(_settings()) as session:
        ended = two_factor.reset(session, actor=CLI_ACTOR, now=_now(), username=username)
    click.echo(f"Tweestapsverificatie van {username} is gewist en {ended} sessie(s) beëindigd; bij de volgende "
               "keer inloggen stelt die persoon haar opnieuw in.")


@users_group.command("oidc-koppelen")
@option("--gebruikersnaam", "username", aliases=("--username",), required=True, metavar="NAAM")
@option("--aanbieder", "issuer", aliases=("--issuer",), required=True, metavar="URL",
        help="De issuer van de OIDC-aanbieder (https://…).")
@option("--sub", "subject", aliases=("--subject",), required=True, metavar="SUB",
        help="De 'sub' van de persoon bij die aanbieder.")
def users_link_oidc(username: str, issuer: str, subject: str) -> None:
    """Koppel een account aan een OIDC-identiteit; gelogd.

    Eén identiteit (issuer + sub) hoort bij hoogstens één account.
    """
    with _work(_settings()) as session:
        oidc_identities.link_oidc(session, actor=CLI_ACTOR, now=_now(), username=username, issuer=issuer,
                                  subject=subject)
    click.echo(f"{username} logt voortaan ook in via OIDC ({issuer}).")


@users_group.command("oidc-koppeling-toestaan")
@option("--gebruikersnaam", "username", aliases=("--username",), required=True, metavar="NAAM")
def users_allow_oidc_link(username: str) -> None:
    """Sta één OIDC-koppeling op de gebruikersnaam toe; gelogd.

    De eerstvolgende OIDC-login met deze gebruikersnaam koppelt het account, één keer.
    """
    with _work(_settings()) as session:
        oidc_identities.allow_oidc_link(session, actor=CLI_ACTOR, now=_now(), username=username)
    click.echo(f"De eerstvolgende OIDC-login met gebruikersnaam {username} koppelt dit account.")


@users_group.command("rechten")
def users_rechten() -> None:
    """Toon wie welke rechten heeft als CSV (de jaarlijkse controle); gelogd."""
    with _work(_settings()) as session:
        body = access_review.access_review_csv(session, actor=CLI_ACTOR, now=_now())
    click.echo(body.decode("utf-8-sig"), nl=False)


@main.group("tokens", aliases={"create": "aanmaken", "list": "tonen", "revoke": "intrekken"})
def tokens() -> None:
    """Persoonlijke API-tokens."""


@tokens.command("aanmaken")
@option("--gebruikersnaam", "username", aliases=("--username",), required=True, metavar="NAAM")
@option("--label", "label", default="", help="Waarvoor het token dient, bijvoorbeeld de naam van het koppelprogramma.")
@option("--dagen", "days", type=int, default=None,
              help=f"Geldigheid in dagen (standaard {api_tokens.DEFAULT_DAYS}, hoogstens {api_tokens.MAX_DAYS}; "
                   "voor beheerder, auditor en procesregisseur standaard en hoogstens "
                   f"{api_tokens.PRIVILEGED_MAX_DAYS}).")
def tokens_create(username: str, label: str, days: int | None) -> None:
    """Toon één keer een nieuw persoonlijk API-token; alleen de hash wordt bewaard.

    Voor een rol met verplichte tweestapsverificatie moet de persoon erbij zijn: de opdracht vraagt
    de code die de authenticator-app van die persoon nu toont.
    """
    settings = _settings()
    with _work(settings) as session:
        user = users.user_by_username(session, username)
        needs_code = user is not None and api_tokens.needs_second_factor(user)
    code = click.prompt(f"Code uit de authenticator-app van {username}", hide_input=True) if needs_code else None
    with _work(settings) as session:
        token = api_tokens.issue(session, actor=CLI_ACTOR, now=_now(), username=username, label=label, days=days,
                                 code=code, box=two_factor.SecretBox(settings.secret_key))
    click.echo(token)


@tokens.command("tonen")
@option("--gebruikersnaam", "username", aliases=("--username",), required=True, metavar="NAAM")
def tokens_list(username: str) -> None:
    """De tokens van een persoon: nummer, label, datums en of ze nog werken (nooit het token zelf)."""
    now = _now()
    with _work(_settings()) as session:
        rows = api_tokens.list_tokens(session, username=username)
    for row in rows:
        state = "ingetrokken" if row.revoked else (
            "verlopen" if row.expires_at is None or row.expires_at <= now else "geldig")
        used = local_iso(row.last_used_at) if row.last_used_at else "nooit"
        expires = local_iso(row.expires_at) if row.expires_at else "-"
        click.echo(f"{row.id}\t{state}\t{row.label or '-'}\taangemaakt {local_iso(row.created_at)}\t"
                   f"geldig tot {expires}\tlaatst gebruikt {used}")
    if not rows:
        click.echo(f"{username} heeft geen API-tokens.")


@tokens.command("intrekken")
@option("--gebruikersnaam", "username", aliases=("--username",), required=True, metavar="NAAM")
@option("--nummer", "token_id", aliases=("--id",), type=int, default=None,
        help="Nummer uit `tokens tonen`; zonder: alle tokens.")
def tokens_revoke(username: str, token_id: int | None) -> None:
    """Stop één token (of alle tokens) van een persoon, direct; gelogd."""
    with _work(_settings()) as session:
        count = api_tokens.revoke(session, actor=CLI_ACTOR, now=_now(), username=username, token_id=token_id)
    click.echo(f"{count} API-token(s) van {username} ingetrokken.")


@main.group("timers", aliases={"run": "afvuren"})
def timers_group() -> None:
    """Termijnen (BPMN-timers) van zaken."""


@timers_group.command("afvuren")
def timers_run() -> None:
    """Laat elke verlopen timer één keer afgaan (één ronde).

    De planner doet dit steeds; dit is voor een inhaalslag met de hand.
    """
    with _factory(_settings()) as factory:
        fired = passes.fire_due_timers(factory, now=_now())
    click.echo(f"{fired} timer(s) afgegaan.")


@main.group("audit", aliases={"verify": "controleren", "seal": "zegelen"})
def audit() -> None:
    """Het manipulatiebestendige auditlog."""


@audit.command("controleren")
@option("--zegels", "seals_file", aliases=("--seals",), type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Controleer ook tegen de geëxporteerde zegels in dit bestand (SIGNAALROUTE_ZEGEL_EXPORT).")
def audit_verify(seals_file: Path | None) -> None:
    """Controleer het auditlog: elke keten, haar kop en de zegels.

    De uitkomst wordt vastgelegd, daarna wordt gezegeld.
    Eindigt met code 1 en een lijst van wat niet klopt als het auditlog niet intact is.
    """
    from engine.audit import seal_export, verification, verify
    from engine.audit.seal_key import seal_key, seal_verifier

    settings = _settings()
    try:
        verifier = seal_verifier(settings)
        # A host that holds only the public key verifies without sealing.
        key = None if settings.seal_public_key_file and not settings.seal_key_file else seal_key(settings)
        exported = list(seal_export.read(seals_file)) if seals_file else None
    except (ConfigurationError, ValueError) as exc:
        raise Fout(str(exc)) from exc
    now = _now()
    with _factory(settings) as factory:
        with unit_of_work(factory) as session:
            names = verify.chains(session)
            with click.progressbar(length=len(names), label="Ketens controleren", file=sys.stderr) as bar:
                result = verification.run(session, actor=CLI_ACTOR, now=now, trigger=verification.CLI,
                                          verifier=verifier, key=key, exported=exported,
                                          progress=lambda _chain: bar.update(1))
        passes.export_pending(factory, settings.seal_export, now=now)
        with unit_of_work(factory) as session:
            destroyed = _destroyed(session, names)
    for problem in result.problems:
        click.echo(f"{problem['chain']} #{problem['seq']}: {problem['kind']} - {problem['message']}")
    for line in destroyed.values():
        click.echo(f"{line}; inhoud gewist, keten controleerbaar gebleven")
    if not result.ok:
        broken = len({p["chain"] for p in result.problems})
        raise Fout(f"Auditlog NIET intact: {broken} van {len(names)} keten(s) met problemen.")
    against = f", ook tegen {len(exported)} geëxporteerde zegel(s)" if exported is not None else ""
    click.echo(f"Auditlog intact: {len(names)} keten(s), {result.events_checked} gebeurtenis(sen) en "
               f"{result.anchors_checked} zegel(s) gecontroleerd{against}.")


@main.command("afspelen")
@click.argument("instance_ids", nargs=-1, type=int, metavar="[ZAAKNUMMERS]...")
@option("--alle", "replay_all", aliases=("--all",), is_flag=True, help="Alle zaken opnieuw afspelen.")
@option("--door", "operator", default=None, metavar="NAAM",
        help="Wie afspeelt, voor het auditlog (standaard de gebruiker van het besturingssysteem).")
@option("--droog", "dry_run", aliases=("--dry-run",), is_flag=True,
        help="Alleen controleren: geen gebeurtenis 'Opnieuw afgespeeld' per zaak in het auditlog.")
def replay(instance_ids: tuple[int, ...], replay_all: bool, operator: str | None, dry_run: bool) -> None:
    """Speel zaken opnieuw af uit het auditlog; code 1 bij een afwijking.

    Elke zaak draait op haar vastgelegde procesversie.

    Elke keer afspelen komt in het auditlog op naam van wie het doet ("opdrachtregel (jan)"), tenzij
    --droog alleen controleert en het auditlog laat zoals het was.
    """
    from engine.audit import replay as replay_service
    from engine.audit.audit_phrases import EVENT_LABELS

    actor = _operator(operator)
    with _work(_settings()) as session:
        ids = replay_service.all_case_ids(session) if replay_all else list(instance_ids)
        if not ids:
            raise Gebruiksfout("Geef zaaknummers op of gebruik --alle.")
        # A destroyed case has no content left to replay: say so, never report it as a divergence.
        destroyed = _destroyed(session, [f"instance:{i}" for i in ids])
        ids = [i for i in ids if f"instance:{i}" not in destroyed]
        diverged = []
        with click.progressbar(ids, label="Zaken afspelen", file=sys.stderr) as bar:
            for instance_id in bar:
                report = (replay_service.replay_case(session, instance_id) if dry_run else
                          replay_service.replay_for(session, actor=actor, now=_now(), instance_id=instance_id))
                if not report.consistent:
                    diverged.append(report)
    for line in destroyed.values():
        click.echo(f"{line}; niet opnieuw af te spelen")
    for report in diverged:
        d = report.divergence
        assert d is not None
        click.echo(f"Zaak {report.instance_id}: wijkt af bij stap {d.step} (auditgebeurtenis {d.event_seq}, "
                   f"{EVENT_LABELS.get(d.event_type, d.event_type)}): {d.message}")
    if diverged:
        raise Fout(f"{len(diverged)} van {len(ids)} zaak/zaken wijken af.")
    recorded = "droog gecontroleerd, niets vastgelegd" if dry_run else f"vastgelegd als {actor.username}"
    click.echo(f"{len(ids)} zaak/zaken opnieuw afgespeeld ({recorded}): alle consistent.")


def _operator(name: str | None) -> Actor:
    """The person at the command line, as the audit log names them: "opdrachtregel (jan)"."""
    import getpass

    if name is None:
        try:
            name = getpass.getuser()
        except (KeyError, OSError) as exc:
            raise Gebruiksfout("Geef met --door aan wie afspeelt.") from exc
    name = name.strip()
    if not name:
        raise Gebruiksfout("Geef met --door een naam op.")
    username = f"opdrachtregel ({name})"
    if len(username) > 80:
        raise Gebruiksfout("De naam bij --door is te lang (hoogstens 64 tekens).")
    return Actor.system(username)


def _destroyed(session: Session, chains: list[str]) -> dict[str, str]:
    """Per chain of a destroyed case: "Zaak 12 (SR-2026-00012): vernietigd op … volgens regel …"."""
    from engine.dutch import datum
    from engine.retention import retention

    ids = [int(c.removeprefix("instance:")) for c in chains if c.removeprefix("instance:").isdigit()]
    return {f"instance:{r.instance_id}": f"Zaak {r.instance_id} ({r.reference}): vernietigd op {datum(r.destroyed_at)} "
                                         f"volgens regel ‘{r.rule}’"
            for r in retention.records_by_case(session, ids).values()}


@main.group("bewaartermijnen", invoke_without_command=True)
@option("--droog", "droog", is_flag=True, hidden=True)
@click.pass_context
def bewaartermijnen_group(ctx: click.Context, droog: bool) -> None:
    """De bewaartermijnen van zaken (retention.toml)."""
    if ctx.invoked_subcommand is None:
        # The first release had one command, `bewaartermijnen [--droog]`; it works for one more release.
        click.echo("Let op: ‘bewaartermijnen’ heet nu ‘bewaartermijnen toepassen’; de oude vorm verdwijnt in "
                   "een volgende versie.", err=True)
        ctx.invoke(bewaartermijnen, droog=droog)


@bewaartermijnen_group.command("toepassen")
@option("--droog", "droog", is_flag=True, help="Alleen tonen wat vernietigd zou worden; niets veranderen.")
def bewaartermijnen(droog: bool) -> None:
    """Vernietig zaken waarvan de bewaartermijn verstreken is.

    De termijnen staan in retention.toml; zaaknummer, kenmerk en een vernietigingsverslag blijven.
    """
    from engine.dutch import datum
    from engine.retention import retention
    from engine.retention.retention_rules import RetentionError, load_rules

    settings = _settings()
    try:
        rules = load_rules(settings.retention_file)
    except RetentionError as exc:
        raise Fout(str(exc)) from exc
    now = _now()
    with _work(settings) as session:
        plan = retention.plan(session, rules=rules, now=now)
    for item in plan.due:
        assert item.rule is not None and item.period_start is not None and item.expires_at is not None
        click.echo(f"{item.reference} (zaak {item.instance_id}): {item.rule.label}; termijn "
                   f"{item.rule.period} ({datum(item.period_start)}) verstreken op {datum(item.expires_at)}")
    for outcome, count in plan.unfilled.items():
        click.echo(f"{count} zaak/zaken wachten op een termijn voor ‘{rules[outcome].label}’ (AAN TE VULLEN).")
    if droog:
        click.echo(f"Droog: {len(plan.due)} zaak/zaken zouden vernietigd worden; er is niets veranderd.")
        return
    from engine.cases.storage import DirectoryBlobStore

    with _factory(settings) as factory:
        result = passes.destroy_expired(factory, rules=rules, now=now, actor=CLI_ACTOR, trigger=retention.CLI,
                                           store=DirectoryBlobStore(settings.file_store_dir))
    click.echo(f"{len(result.destroyed)} zaak/zaken vernietigd.")
    if result.failed:
        raise Fout(f"Niet vernietigd door een fout: zaak {', '.join(map(str, result.failed))}.")


@main.command("migreren")
@option("--proces", "process_id", required=True, metavar="ID", help="BPMN-proces-id, bv. signaal_oost_brabant.")
@option("--naar", "to_version", required=True, type=click.IntRange(min=1), metavar="VERSIE",
        help="Versie om naartoe te gaan.")
@option("--alle", "all_eligible", is_flag=True, help="Alle zaken die over kunnen.")
@option("--zaak", "instance_ids", multiple=True, type=int, metavar="ZAAKNUMMER", help="Zaaknummer (herhaalbaar).")
@option("--droog", "dry_run", is_flag=True, help="Alleen tonen wat er zou gebeuren; niets wijzigen.")
def migreer(process_id: str, to_version: int, all_eligible: bool, instance_ids: tuple[int, ...],
            dry_run: bool) -> None:
    """Zet lopende zaken over naar een nieuwere procesversie; code 1 als er een mislukt.

    Elke zaak in een eigen transactie: een mislukte houdt de andere niet tegen.
    """
    from engine.modelling import migration

    if all_eligible == bool(instance_ids) and not dry_run:
        raise Gebruiksfout("Kies --alle of een of meer --zaak (of --droog om eerst te kijken).")
    settings = _settings()
    with _work(settings) as session:
        plan = migration.plan(session, actor=CLI_ACTOR, now=_now(), process_id=process_id, to_version=to_version)
    cases = [c for c in plan.cases if not instance_ids or c.instance_id in instance_ids]
    if dry_run:
        for case in cases:
            verdict = "kan over" if case.eligible else "kan niet over: " + "; ".join(case.reasons)
            click.echo(f"{case.reference} (zaak {case.instance_id}, versie {case.from_version}): {verdict}")
        unknown = sorted(set(instance_ids) - {c.instance_id for c in cases})
        for instance_id in unknown:
            click.echo(f"zaak {instance_id}: geen lopende zaak van {process_id} op een oudere versie")
        click.echo(f"{sum(c.eligible for c in cases)} van {len(cases) + len(unknown)} zaak/zaken kunnen naar "
                   f"versie {to_version}; er is niets gewijzigd.")
        return
    chosen = [c.instance_id for c in plan.eligible] if all_eligible else list(instance_ids)
    with _factory(settings) as factory:
        outcomes = passes.migrate_each(factory, actor=CLI_ACTOR, now=_now(), instance_ids=chosen,
                                          to_version=to_version,
                                          expected_versions={c.instance_id: c.version for c in plan.cases})
    for outcome in outcomes:
        name = outcome.reference or f"zaak {outcome.instance_id}"
        click.echo(f"{name}: {'gemigreerd' if outcome.ok else 'mislukt: ' + outcome.message}")
    failed = [o for o in outcomes if not o.ok]
    if failed:
        raise Fout(f"{len(failed)} van {len(outcomes)} zaak/zaken niet overgezet.")
    click.echo(f"{len(outcomes)} zaak/zaken overgezet naar versie {to_version}.")


@audit.command("zegelen")
def audit_seal() -> None:
    """Zegel de gewijzigde ketens en exporteer de zegel.

    Alleen de koppen die sinds de vorige zegel bewogen.
    De planner doet dit elke paar minuten en 's nachts na de controle.
    """
    from engine.audit import sealing
    from engine.audit.seal_key import seal_key

    settings = _settings()
    try:
        key = seal_key(settings)
    except ConfigurationError as exc:
        raise Fout(str(exc)) from exc
    now = _now()
    with _factory(settings) as factory:
        with unit_of_work(factory) as session:
            made = sealing.seal(session, key=key, now=now)
        exported = passes.export_pending(factory, settings.seal_export, now=now)
    click.echo(f"Zegel {made.id} over {len(made.heads)} gewijzigde keten(s); {exported} zegel(s) geëxporteerd.")


@main.command("webserver")
@option("--host", "host", default="127.0.0.1", metavar="ADRES", help="Adres om op te luisteren (standaard 127.0.0.1).")
@option("--poort", "port", aliases=("--port",), default=8000, type=int, help="Poort (standaard 8000).")
@option("--workers", "workers", default=2, type=int, help="Aantal gunicorn-workers (standaard 2).")
def serve(host: str, port: int, workers: int) -> None:
    """Start de webtoepassing en de API onder gunicorn.

    Nooit de ontwikkelserver van Flask.
    """
    from signaalroute.server import run

    run(_settings(), host=host, port=port, workers=workers)


@main.command("planner")
def scheduler() -> None:
    """Start de planner (ook: python -m scheduler).

    Hij laat timers afgaan, plant overleggen, stuurt herinneringen en e-mail, zegelt het auditlog en
    past de bewaartermijnen toe.
    """
    from scheduler.main import main as scheduler_main

    scheduler_main()


@main.group("demo", aliases={"load": "laden"})
def demo() -> None:
    """De demo-regio's en -accounts."""


@demo.command("laden")
def demo_load() -> None:
    """Laad de demo-organisaties, een account voor elke rol en de modellen in processes/ (herhaalbaar)."""
    from signaalroute.demo import load

    settings = _settings()
    with _work(settings) as session:
        logins = load(session, settings, now=_now())
    for line in logins:
        click.echo(line)
