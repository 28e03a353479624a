"""Roles and what they may do. Enforced in the app here and again by the central server.

Every unlocked user holds the same data key, so these rules are application policy, not
cryptography (see docs/threat-model.md).
"""

from __future__ import annotations

import re

from intake.i18n import N_

ADMIN, SUPERVISOR, COUNSELOR, OUTREACH = "admin", "supervisor", "counselor", "outreach"
ROLES = (ADMIN, SUPERVISOR, COUNSELOR, OUTREACH)

ROLE_LABELS = {
    ADMIN: N_("Administrator"),
    SUPERVISOR: N_("Supervisor"),
    COUNSELOR: N_("Counselor"),
    OUTREACH: N_("Outreach worker"),
}

_INTERVIEW = {"profiles.read", "profiles.write", "profiles.print"}
PERMISSIONS: dict[str, frozenset[str]] = {
    OUTREACH: frozenset(_INTERVIEW),
    COUNSELOR: frozenset(_INTERVIEW | {"profiles.export"}),
    SUPERVISOR: frozenset(
        _INTERVIEW
        | {"profiles.export", "profiles.delete", "profiles.review", "reports.batch", "audit.read"}
    ),
    ADMIN: frozenset(
        _INTERVIEW
        | {
            "profiles.export",
            "profiles.delete",
            "reports.batch",
            "audit.read",
            "users.manage",
            "settings.manage",
            "store.rekey",
        }
    ),
}

USER_NAME = re.compile(r"^[\w.@-]{1,64}$")
MIN_PASSWORD_LENGTH = 10


def allowed(role: str, permission: str) -> bool:
    return permission in PERMISSIONS.get(role, frozenset())
