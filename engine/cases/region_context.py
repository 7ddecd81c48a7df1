"""What a case needs to know about its region: partner organisations, contacts, meeting, terms.

Written into the case data at intake, so the case keeps the partners and numbers it started with
(a later change of the profile does not reroute running cases) and replay sees the same data.
"""

from __future__ import annotations

from typing import Any

from engine.accounts.roles import Role
from engine.regions.regions import RULES, Gemeente, Partner, Region

# Roles whose tasks go to a partner organisation; the OOV'er and the AF work within the gemeente.
PARTNER_ROLES = (Role.POLITIE, Role.ZORGCOORDINATOR, Role.ARBEIDSINSPECTIE, Role.KETENREGISSEUR,
                 Role.PROCESREGISSEUR, Role.VEILIG_THUIS, Role.JEUGDHULP)
# Partners without a role in our system whose contact details a task may show.
CONTACT_PARTNERS = ("comensha", "nidos")


def partner_for(region: Region, gemeente: Gemeente, role: Role) -> Partner | None:
    """The ZoCo follows the region's table for the gemeente; other roles take the first partner listed."""
    if role is Role.ZORGCOORDINATOR:
        return region.zorgcoordinator_for(gemeente.slug) or region.partner_for_role(role)
    return region.partner_for_role(role)


def contact_line(partner: Partner, *, spoed: bool = False) -> str | None:
    """'Naam, 088-… (ma t/m vr …), e-mail …' in the words of the profile; None when there is nothing to call.

    Emergency numbers (112) belong to acute tasks only (``spoed=True`` gives just those); a missing
    contact shows nothing, so an instruction never tells the AF what the profile lacks (that is for the beheerder's
    overview, engine/regions/profile_gaps.py).
    """
    numbers = [t for t in partner.telefoon if t.spoed == spoed]
    parts = [f"{t.nummer} ({t.wanneer})" if t.wanneer else t.nummer for t in numbers]
    if partner.email and not spoed:
        parts.append(f"e-mail {partner.email}")
    return ", ".join([partner.naam, *parts]) if parts else None


def case_context(region: Region, gemeente: Gemeente) -> dict[str, Any]:
    """The ``regio``, ``organisaties`` and ``termijn_terugkoppeling`` entries of a new case's data."""
    organisaties: dict[str, str] = {}
    contacten: dict[str, str] = {}
    namen: dict[str, str] = {}  # which organisation: shown even when the profile gives no number
    for role in PARTNER_ROLES:
        partner = partner_for(region, gemeente, role)
        if partner is not None:
            organisaties[str(role)] = region.organisation_slug(partner)
            namen[str(role)] = partner.naam
            _add_contact(contacten, str(role), partner)
    for key, slug in (("riec", region.riec), *((s, s) for s in CONTACT_PARTNERS)):
        partner = region.partner(slug) if slug else None
        if partner is not None:
            namen[key] = partner.naam
            _add_contact(contacten, key, partner)
    return {
        "regio": {"slug": region.slug, "naam": region.naam, "gemeente": gemeente.naam,
                  "overleg": region.overleg.naam if region.overleg else None, "contacten": contacten, "namen": namen,
                  "regels": {rule: rule in region.regels for rule in RULES},
                  "ontvanger": str(region.ontvanger or ""),
                  "ondermijningsoverleg": region.ondermijningsoverleg or ""},
        "organisaties": organisaties,
        "termijn_terugkoppeling": region.terugkoppeling_werkdagen,
        "termijnen": {"terugkoppeling": region.terugkoppeling_werkdagen, "doorzetten": region.doorzetten_werkdagen},
    }


def _add_contact(contacten: dict[str, str], key: str, partner: Partner) -> None:
    for suffix, spoed in (("", False), ("_spoed", True)):
        line = contact_line(partner, spoed=spoed)
        if line is not None:
            contacten[key + suffix] = line
