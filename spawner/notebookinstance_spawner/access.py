"""Who may use a template, as the operator publishes it in the template's ``status.access``.

The operator decides every spawn from the access rules themselves (the template's ``policy.access`` and the
JupyterNotebookAccess objects naming it) and publishes who is granted now. The spawner reads that decision, never
the rules: it lists a template in the options form only for a user it grants, and refuses a start the decision
denies with a message naming the template and the user's groups. The operator checks again on the instance (the
published list may be a few seconds old), and its refusal (reason AccessDenied) reaches the user the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

ANY_USER = "*"


@dataclass(frozen=True)
class PublishedAccess:
    """A template's status.access: the users and groups granted now."""

    users: frozenset[str]
    groups: frozenset[str]
    truncated: bool = False
    next_change: str | None = None

    @classmethod
    def of(cls, template: Mapping[str, Any]) -> PublishedAccess | None:
        """The published decision of a template object, or None when it restricts nothing (or none is published).

        A template whose spec restricts access but whose status says nothing yet (the operator has not looked at it)
        is left to the operator: None here too.
        """
        access = (template.get("status") or {}).get("access")
        if not isinstance(access, Mapping):
            return None
        return cls(
            users=frozenset(access.get("users") or ()),
            groups=frozenset(access.get("groups") or ()),
            truncated=bool(access.get("truncated")),
            next_change=access.get("nextChange"),
        )

    def grants(self, user: str, groups: Iterable[str]) -> bool:
        """Whether the user, or one of the user's groups, is granted (a truncated list grants everyone here)."""
        if self.truncated or ANY_USER in self.users or user in self.users:
            return True
        return not self.groups.isdisjoint(groups)


def user_groups(user: Any) -> list[str]:
    """The names of a JupyterHub user's groups, sorted, each once (JupyterHub's User or orm.User)."""
    return sorted({g.name for g in (getattr(user, "groups", None) or ())})


def refusal(template_ref: str, access: PublishedAccess | None, user: str, groups: Iterable[str]) -> str | None:
    """The message for a user the published decision does not grant, or None when it does (or nothing is published)."""
    groups = sorted(groups)
    if access is None or access.grants(user, groups):
        return None
    member = f"groups {', '.join(groups)}" if groups else "no groups"
    when = f" (the rules change at {access.next_change})" if access.next_change else ""
    return (
        f"Cannot start the server: you may not use template {template_ref}: its access rules grant neither user"
        f" {user} nor any of the user's groups ({member}) now{when}. Ask an administrator for access."
    )
