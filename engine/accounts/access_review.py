"""The access review for the beheerder: who holds which role in which organisation, as a page and as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import access
from engine.accounts.actors import Actor
from engine.accounts.roles import ROLE_LABELS, Role
from engine.accounts.users import AccountEvent, record_account_event
from engine.dutch import local_iso
from engine.errors import Forbidden
from engine.models import ApiToken, Organisation, User


@dataclass(frozen=True)
class AccessRow:
    """One line of the yearly access review: who holds which rights, never any case content."""

    username: str
    name: str
    role: str
    organisation: str
    active: bool
    two_factor: bool
    last_login_at: datetime | None
    oidc_linked: bool
    api_tokens: int

ACCESS_REVIEW_COLUMNS = ("gebruikersnaam", "naam", "rol", "organisatie", "actief", "tweestapsverificatie",
                         "laatst_ingelogd", "oidc_gekoppeld", "api_tokens")


def access_review(session: Session, *, actor: Actor, now: datetime) -> list[AccessRow]:
    """Every account with its role, organisation and ways in (tokens that still work), for the yearly review.

    :raises Forbidden: for anyone but a beheerder.
    """
    if not access.can_review_access(actor):
        raise Forbidden("Alleen een beheerder mag het overzicht van rechten zien.")
    tokens: dict[int, int] = {
        user_id: count for user_id, count in session.execute(
            select(ApiToken.user_id, func.count()).where(ApiToken.revoked.is_(False), ApiToken.expires_at > now)
            .group_by(ApiToken.user_id))}
    rows = session.execute(select(User, Organisation.name).join(Organisation, User.organisation_id == Organisation.id)
                           .order_by(Organisation.name, User.username)).all()
    return [AccessRow(username=user.username, name=user.display_name,
                      role=_role_label(user.role),
                      organisation=organisation, active=user.active, two_factor=user.two_factor_enabled,
                      last_login_at=user.last_login_at, oidc_linked=user.oidc_subject is not None,
                      api_tokens=int(tokens.get(user.id, 0)))
            for user, organisation in rows]


def _role_label(role: str) -> str:
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role


def access_review_csv(session: Session, *, actor: Actor, now: datetime) -> bytes:
    """The review as CSV for Dutch spreadsheets (``;``, UTF-8 with BOM, formulas neutralised); audited."""
    from engine.audit.audit_export import neutralise  # its CSV conventions, not its columns

    rows = access_review(session, actor=actor, now=now)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(ACCESS_REVIEW_COLUMNS)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in (
            row.username, row.name, row.role, row.organisation, "ja" if row.active else "nee",
            "aan" if row.two_factor else "uit", local_iso(row.last_login_at) if row.last_login_at else "",
            "ja" if row.oidc_linked else "nee", row.api_tokens)])
    record_account_event(session, AccountEvent.ACCESS_REVIEW_EXPORTED, actor=actor, now=now,
                         payload={"rows": len(rows), "format": "CSV"})
    return buffer.getvalue().encode("utf-8-sig")

