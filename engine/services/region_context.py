"""What a case needs to know about its region: partner organisations, contacts, meeting, terms.

Written into the case data at intake, so the case keeps the partners and numbers it started with
(a later change of the profile does not reroute running cases) and replay sees the same data.
"""

from __future__ import annotations

from typing import Any

from engine.regions import Gemeente, Partner, Region
from engine.roles import Role

# Roles whose tasks go to a partner organisation; the OOV'er and the AF work within the gemeente.
PARTNER_ROLES = (Role.POLITIE, Role.ZORGCOORDINATOR, Role.ARBEIDSINSPECTIE, Role.KETENREGISSEUR,
                 Role.PROCESREGISSEUR)


def partner_for(region: Region, gemeente: Gemeente, role: Role) -> Partner | None:
    """The ZoCo follows the region's table for the gemeente; other roles take the first partner listed."""
    if role is Role.ZORGCOORDINATOR:
        return region.zorgcoordinator_for(gemeente.slug) or region.partner_for_role(role)
    return region.partner_for_role(role)


def contact_line(partner: Partner) -> str:
    """'Naam, 088-… (ma t/m vr …), e-mail …' in the words of the profile."""
    parts = [partner.naam]
    parts += [f"{t.nummer} ({t.wanneer})" if t.wanneer else t.nummer for t in partner.telefoon]
    if partner.email:
        parts.append(f"e-mail {partner.email}")
    if len(parts) == 1:
        parts.append("geen telefoonnummer of e-mail in het regioprofiel")
    return ", ".join(parts)


def case_context(region: Region, gemeente: Gemeente) -> dict[str, Any]:
    """The ``regio``, ``organisaties`` and ``termijn_terugkoppeling`` entries of a new case's data."""
    organisaties: dict[str, str] = {}
    contacten: dict[str, str] = {}
    for role in PARTNER_ROLES:
        partner = partner_for(region, gemeente, role)
        if partner is not None:
            organisaties[str(role)] = region.organisation_slug(partner)
            contacten[str(role)] = contact_line(partner)
    for key, slug in (("riec", region.riec), ("comensha", "comensha")):
        partner = region.partner(slug) if slug else None
        if partner is not None:
            contacten[key] = contact_line(partner)
    return {
        "regio": {"slug": region.slug, "naam": region.naam, "gemeente": gemeente.naam,
                  "overleg": region.overleg.naam if region.overleg else None, "contacten": contacten},
        "organisaties": organisaties,
        "termijn_terugkoppeling": region.terugkoppeling_werkdagen,
    }
