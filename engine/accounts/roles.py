"""The roles people hold in the chain, and how BPMN lane names map onto them."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MELDER = "melder"
    AF = "af"
    KETENREGISSEUR = "ketenregisseur"
    PROCESREGISSEUR = "procesregisseur"
    ZORGCOORDINATOR = "zorgcoordinator"
    POLITIE = "politie"
    ARBEIDSINSPECTIE = "arbeidsinspectie"
    OOV = "oov"
    VEILIG_THUIS = "veilig_thuis"  # classifies signals in Limburg (003 Bijlage 3 'Veilig Thuis')
    JEUGDHULP = "jeugdhulp"  # help for minors under the Jeugdwet (001 §4.5, 003 Bijlage 1, 004 §3.7)
    AUDITOR = "auditor"
    BEHEERDER = "beheerder"


ROLE_LABELS: dict[Role, str] = {
    Role.MELDER: "Melder",
    Role.AF: "Aandachtsfunctionaris",
    Role.KETENREGISSEUR: "Ketenregisseur",
    Role.PROCESREGISSEUR: "Procesregisseur",
    Role.ZORGCOORDINATOR: "Zorgcoördinator",
    Role.POLITIE: "Politie (AVIM)",
    Role.ARBEIDSINSPECTIE: "Arbeidsinspectie",
    Role.OOV: "OOV'er",
    Role.VEILIG_THUIS: "Veilig Thuis",
    Role.JEUGDHULP: "Jeugdhulp",
    Role.AUDITOR: "Auditor",
    Role.BEHEERDER: "Beheerder",
}

# The roles that can change or read everything: a second factor is mandatory for them, and their
# API tokens are short-lived and issued only against a current code from their authenticator app.
SECOND_FACTOR_ROLES: frozenset[Role] = frozenset({Role.BEHEERDER, Role.AUDITOR, Role.PROCESREGISSEUR})

# Other names a modeller may reasonably give a lane; compared case-insensitively.
_LANE_ALIASES: dict[str, Role] = {
    "aandachtsfunctionaris mensenhandel": Role.AF,
    "avim": Role.POLITIE,
    "zoco": Role.ZORGCOORDINATOR,
    "zorgcoordinator": Role.ZORGCOORDINATOR,
    "iszw": Role.ARBEIDSINSPECTIE,
    "nederlandse arbeidsinspectie": Role.ARBEIDSINSPECTIE,
    "oov": Role.OOV,
    "veilig thuis, meldpunt mensenhandel": Role.VEILIG_THUIS,
    "jeugdteam": Role.JEUGDHULP,
}


def role_for_lane(lane_name: str) -> Role | None:
    """The role a lane stands for, or None when the lane names no known role."""
    key = " ".join(lane_name.strip().lower().split())
    for role in Role:
        if key in (role.value, ROLE_LABELS[role].lower()):
            return role
    return _LANE_ALIASES.get(key)


def parse_role(value: str) -> Role:
    """Strictly parse a role name as typed on the command line or in the API."""
    try:
        return Role(value.strip().lower())
    except ValueError as exc:
        known = ", ".join(r.value for r in Role)
        raise ValueError(f"Onbekende rol {value!r}; kies uit: {known}") from exc


def lane_names(role: Role) -> list[str]:
    """Every lane name (lower case) that :func:`role_for_lane` reads as this role."""
    names = [role.value, ROLE_LABELS[role].lower()]
    return names + [alias for alias, aliased in _LANE_ALIASES.items() if aliased == role and alias not in names]
