"""Demo data for ``make run``: a small Oost-Brabant region, one account per role, and the models.

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

from engine.actors import Actor
from engine.config import Settings
from engine.forms import FormRepository
from engine.models import Instance, ModelFile, User
from engine.services import deployments, instances, users
from engine.workflow.bundle import SourceFile

DEMO_ACTOR = Actor.system("demo")
EXAMPLE_PROCESS = "signaal_afhandelen"

# 000 Bijlage 4: Eersel is served by police team AVIM Oost-Brabant and ZoCo Lumens.
ORGANISATIONS = [
    ("eersel", "Gemeente Eersel", "gemeente"),
    ("bergeijk", "Gemeente Bergeijk", "gemeente"),
    ("politie-oost-brabant", "Politie Oost-Brabant, team AVIM", "partner"),
    ("lumens", "Lumens (zorgcoördinatie mensenhandel)", "partner"),
    ("arbeidsinspectie", "Nederlandse Arbeidsinspectie", "partner"),
    ("zvh-oost-brabant", "Zorg- en Veiligheidshuis Oost-Brabant", "partner"),
]

USERS = [
    ("melder.eersel", "Marieke (balie Eersel)", "melder", "eersel"),
    ("af.eersel", "Aandachtsfunctionaris Eersel", "af", "eersel"),
    ("af.bergeijk", "Aandachtsfunctionaris Bergeijk", "af", "bergeijk"),
    ("oov.eersel", "OOV'er ondermijning Eersel", "oov", "eersel"),
    ("avim", "Rechercheur AVIM", "politie", "politie-oost-brabant"),
    ("zoco.lumens", "Zorgcoördinator Lumens", "zorgcoordinator", "lumens"),
    ("inspecteur", "Inspecteur Arbeidsinspectie", "arbeidsinspectie", "arbeidsinspectie"),
    ("ketenregisseur", "Ketenregisseur", "ketenregisseur", "zvh-oost-brabant"),
    ("procesregisseur", "Procesregisseur ZVH", "procesregisseur", "zvh-oost-brabant"),
    ("auditor", "Auditor", "auditor", "eersel"),
    ("beheerder", "Functioneel beheerder", "beheerder", "eersel"),
]


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
    for slug, name, kind in ORGANISATIONS:
        users.get_or_create_organisation(session, slug=slug, name=name, kind=kind)
    logins_path = _logins_file(settings)
    lines = logins_path.read_text().splitlines() if logins_path.exists() else []
    known = {line.split()[0] for line in lines if line.strip()}
    for username, display_name, role, organisation in USERS:
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            continue
        password = secrets.token_urlsafe(12)
        users.create_user(session, actor=DEMO_ACTOR, now=now, username=username, password=password, role=role,
                          organisation_slug=organisation, display_name=display_name)
        if username not in known:
            lines.append(f"{username:<18} {password:<20} {role} ({organisation})")
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(logins_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    deployed = _deploy_processes(session, settings, now)
    output = ["Demo-accounts (gebruikersnaam, wachtwoord, rol):", *lines]
    if deployed:
        output.append("Uitgerold: " + ", ".join(deployed))
        example = _start_example(session, now)
        if example is not None:
            output.append(f"Voorbeeldzaak {example} wacht in de werkbak van af.eersel.")
    return output


def _start_example(session: Session, now: datetime) -> int | None:
    """One example signal, reported by the demo melder, so the AF's werkbak is not empty."""
    if session.scalar(select(Instance.id).limit(1)) is not None:
        return None
    melder = session.scalar(select(User).where(User.username == "melder.eersel"))
    if melder is None or EXAMPLE_PROCESS not in {d.process_id for d in deployments.list_definitions(session)}:
        return None
    case = instances.start_instance(session, actor=users.actor_for(melder), now=now, process_id=EXAMPLE_PROCESS,
                                    data={"melding": "Voorbeeld: zorgen over bewoners van een bovenwoning"})
    return case.id
