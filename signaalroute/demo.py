"""Demo data for ``make run``: the four regions, accounts for every role in each, and the models.

Passwords are random per installation, shown once and kept in ``instance/demo-logins.txt``
(mode 0600) so ``make run`` can print them again. Nothing here is fit for production use.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts import organisations, users
from engine.accounts.actors import Actor
from engine.accounts.roles import ROLE_LABELS, Role
from engine.cases import intake, lifecycle
from engine.cases.region_context import PARTNER_ROLES, partner_for
from engine.config import Settings
from engine.dutch import datum
from engine.meetings import meetings
from engine.modelling import deployments
from engine.modelling.forms import FormRepository
from engine.models import Case, HumanTask, MeetingSchedule, ModelFile, TaskState, User
from engine.regions import region_setup
from engine.regions.regions import Region, load_regions
from engine.workflow.bundle import SourceFile
from engine.workflow.calendar import WorkingDayCalendar

DEMO_ACTOR = Actor.system("demo")

# One gemeente per region where a newcomer can walk a signal from intake to closure.
DEMO_GEMEENTEN = {"oost-brabant": "eersel", "fryslan": "leeuwarden", "noord-en-midden-limburg": "venlo",
                  "soest": "soest"}
GEMEENTE_ROLES = (Role.MELDER, Role.AF, Role.OOV)
# People who see no case work; they sit at the first demo gemeente and are named role.gemeente like the others.
STAFF = [(Role.AUDITOR, "Auditor"), (Role.BEHEERDER, "Functioneel beheerder")]
# Outside every region: maintains the models all regions share (engine/modelling/model_ownership.py).
LANDELIJK = ("landelijk", "Landelijke procesregie")
LANDELIJKE_REGISSEUR = ("procesregisseur.landelijk", "Landelijk procesregisseur", Role.PROCESREGISSEUR)
EXAMPLE = {"omschrijving": "Voorbeeld: zorgen over bewoners van een bovenwoning; 's nachts veel bezoek.",
           "acuut": False, "bron_melding": "collega", "anoniem": False}


def demo_people(regions: dict[str, Region]) -> list[tuple[str, str, str, str]]:
    """(username, display name, role, organisation slug) for every role in every region."""
    people = []
    for region in regions.values():
        gemeente_slug = DEMO_GEMEENTEN.get(region.slug) or region.gemeenten[0].slug
        gemeente = region.gemeente(gemeente_slug)
        assert gemeente is not None
        for role in GEMEENTE_ROLES:
            people.append((f"{role}.{gemeente.slug}", f"{ROLE_LABELS[role]} {gemeente.naam}", str(role), gemeente.slug))
        for role in PARTNER_ROLES:
            partner = partner_for(region, gemeente, role)
            if partner is not None:
                people.append((f"{role}.{region.slug}", f"{ROLE_LABELS[role]}, {partner.naam}", str(role),
                               region.organisation_slug(partner)))
    first = next(iter(DEMO_GEMEENTEN.values()))
    people += [(f"{role}.{first}", name, str(role), first) for role, name in STAFF]
    username, name, role = LANDELIJKE_REGISSEUR
    people.append((username, name, str(role), LANDELIJK[0]))
    return people


def _logins_file(settings: Settings) -> Path:
    return settings.instance_dir / "demo-logins.txt"


def _deploy_processes(session: Session, settings: Settings, now: datetime) -> list[str]:
    files = sorted(p for p in settings.processes_dir.glob("*") if p.suffix in {".bpmn", ".dmn"})
    if not files:
        return []
    stored = set(session.scalars(select(ModelFile.sha256)))
    sources = [SourceFile(p.name, p.read_bytes()) for p in files]
    if all(hashlib.sha256(s.content).hexdigest() in stored for s in sources):
        return []
    deployment = deployments.deploy(session, actor=DEMO_ACTOR, now=now, files=sources,
                                    comment="Demo: modellen uit processes/", forms=FormRepository(settings.forms_dir))
    return [f"{d.process_id} v{d.version}" for d in deployment.definitions]


def load(session: Session, settings: Settings, *, now: datetime) -> list[str]:
    """Create what is missing and return the lines to print (logins and deployed processes)."""
    regions = load_regions(settings.regions_dir)
    region_setup.load_region_organisations(session, regions)
    organisations.get_or_create_organisation(session, slug=LANDELIJK[0], name=LANDELIJK[1], kind="partner")
    logins_path = _logins_file(settings)
    # Each account's line, by username. A line for an account the database no longer has (its file was
    # removed, the logins file kept) is replaced by the new password: the old one opens nothing.
    lines = {line.split()[0]: line for line in
             (logins_path.read_text().splitlines() if logins_path.exists() else []) if line.strip()}
    for username, display_name, role, organisation in demo_people(regions):
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            continue
        password = secrets.token_urlsafe(12)
        users.create_user(session, actor=DEMO_ACTOR, now=now, username=username, password=password, role=role,
                          organisation_slug=organisation, display_name=display_name,
                          coordinator=role not in ("melder", "auditor", "beheerder"))
        lines[username] = f"{username:<38} {password:<20} {role} ({organisation})"
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(logins_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(lines.values()) + "\n")
    deployed = _deploy_processes(session, settings, now)
    output = ["Demo-accounts (gebruikersnaam, wachtwoord, rol):", *lines.values()]
    if deployed:
        output.append("Uitgerold: " + ", ".join(deployed))
        example = _start_example(session, regions, settings, now)
        if example is not None:
            output.append(f"Voorbeeldzaak {example} wacht in de werkbak van af.eersel.")
            for gemeente, reference in _examples_for_the_meetings(session, regions, settings, now):
                output.append(f"Voorbeeldzaak {reference} ({gemeente}) wacht op het besluit van het overleg.")
    output += _plan_demo_meetings(session, regions, now)
    return output


# The sources give no weekday or time (AAN TE VULLEN); the demo's procesregisseurs choose one, as a real
# one would on the page "Vergadermoment instellen": (weekday, time, call and freeze in working days before).
DEMO_SCHEDULES = {"procesregisseur.fryslan": ("dinsdag", "09:30", 3, 1),
                  "procesregisseur.noord-en-midden-limburg": ("donderdag", "10:00", 2, 1)}


def _plan_demo_meetings(session: Session, regions: dict[str, Region], now: datetime) -> list[str]:
    """Set the demo meeting moments (once), so the planner plans the Drieluik and the screeningsoverleg."""
    calendar, lines = WorkingDayCalendar(), []
    for username, (weekday, at, call, freeze) in DEMO_SCHEDULES.items():
        chair = session.scalar(select(User).where(User.username == username))
        if chair is None or session.get(MeetingSchedule, chair.organisation.region or "") is not None:
            continue
        actor = users.actor_for(chair)
        meetings.change_schedule(session, actor=actor, now=now, regions=regions, calendar=calendar,
                                 weekday=weekday, time_of_day=at, call_working_days=call, freeze_working_days=freeze)
        coming = meetings.list_for(session, actor=actor, now=now)
        if coming:
            lines.append(f"{coming[0].name} gepland op {datum(coming[0].starts_at)} (elke {weekday} om {at}; "
                         f"voorzitter {username}).")
    return lines


# Signals that wait for the Drieluik and the screeningsoverleg, so the planned meetings have an agenda.
ENRICHED = {"vorm": "SU", "soort_signaal": "slachtoffer", "slachtoffer_bekend": True, "minderjarig": False,
            "beoordeling": "helder", "acuut_na_verrijken": False, "ondermijning": False,
            "samenvatting": "Voorbeeld: drie jonge vrouwen op één adres."}
MEETING_EXAMPLES = {
    "leeuwarden": {"agenderen_procesregisseur": {"persoonsgegevens_gedeeld": True}},
    "venlo": {"verrijken": {**ENRICHED, "hard_signaal": False}, "screening_voorbereiden": {"geregistreerd": True},
              "classificatie_voorlopig": {"classificatie": "3"}},
}
MAX_STEPS = 6


def _examples_for_the_meetings(session: Session, regions: dict[str, Region], settings: Settings,
                               now: datetime) -> list[tuple[str, str]]:
    """Report a signal in Leeuwarden and Venlo and let the demo people work it up to the meeting's decision."""
    forms, done = FormRepository(settings.forms_dir), []
    for gemeente, steps in MEETING_EXAMPLES.items():
        melder = session.scalar(select(User).where(User.username == f"melder.{gemeente}"))
        if melder is None:
            continue
        case = intake.report_signal(session, actor=users.actor_for(melder), now=now, regions=regions, forms=forms,
                                    melding=EXAMPLE, gemeente=gemeente)
        answers = {"verrijken": ENRICHED, **steps}
        for _ in range(MAX_STEPS):
            ready = {t.element_id: t for t in session.scalars(select(HumanTask).where(
                HumanTask.instance_id == case.id, HumanTask.state == TaskState.READY))}
            if meetings.DECISION_TASK in ready:
                done.append((gemeente, intake.reference(case)))
                break
            step = next((ready[e] for e in answers if e in ready), None)
            holder = step and session.scalar(select(User).where(
                User.role == step.role, User.organisation_id == step.organisation_id).order_by(User.id))
            if step is None or holder is None:
                break  # the route changed: the example stops where a person would pick it up
            lifecycle.complete_task(session, actor=users.actor_for(holder), now=now, task_id=step.id,
                                    data=answers[step.element_id], forms=forms)
    return done


def _start_example(session: Session, regions: dict[str, Region], settings: Settings, now: datetime) -> str | None:
    """One example signal, reported by the demo melder of Eersel, so the AF's werkbak is not empty."""
    if session.scalar(select(Case.id).limit(1)) is not None:
        return None
    melder = session.scalar(select(User).where(User.username == "melder.eersel"))
    if melder is None:
        return None
    case = intake.report_signal(session, actor=users.actor_for(melder), now=now, regions=regions,
                                forms=FormRepository(settings.forms_dir), melding=EXAMPLE, gemeente="eersel")
    return intake.reference(case)
