"""What a hub that ran KubeSpawner left behind, read the way KubeSpawner 7 reads it.

Two things decide whether a user finds their home directory after the switch: the claim name KubeSpawner used, and
whether a server it started is still running. KubeSpawner 7 keeps both in the spawner's saved state (``pod_name``,
``pvc_name``, ``namespace``, ``kubespawner_version``); KubeSpawner 6 saved only ``pod_name`` and named claims with
its "escape" scheme (``claim-ada-2elovelace-40example-2eorg``), which KubeSpawner 7 still honours for such states.
This module reproduces those rules (``tests/test_kubespawner_compat.py`` checks them against KubeSpawner 7.1.0).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .slugs import ServerNames

#: KubeSpawner's default claim name template (Z2JH leaves it alone unless singleuser.storage.dynamic.pvcNameTemplate)
DEFAULT_PVC_NAME_TEMPLATE = "claim-{user_server}"
_ESCAPE_SAFE = frozenset(string.ascii_lowercase + string.digits)


def escape_slug(name: str) -> str:
    """KubeSpawner < 7's slug ("escape" scheme): every character outside [a-z0-9] (capitals included) becomes
    -XX for each of its UTF-8 bytes, lowercased: ``Ada.L`` is ``-41da-2e-4c``."""
    out = []
    for c in name:
        if c in _ESCAPE_SAFE:
            out.append(c)
        else:
            out.extend(f"-{byte:X}" for byte in c.encode("utf8"))
    return "".join(out).lower()


def expand(
    template: str,
    username: str,
    servername: str = "",
    *,
    userid: int | str = "",
    scheme: str = "safe",
    namespace: str = "",
    hub_namespace: str = "",
    pod_name: str = "",
    pvc_name: str = "",
) -> str:
    """KubeSpawner 7's ``_expand_user_properties``: the template's fields filled, then trailing '-' stripped
    (unless the template itself ends with '-'), which is how ``claim-{username}-{servername}`` loses its dash for
    a default server. Raises KeyError/ValueError as str.format does for unknown fields or lone braces."""
    safe = ServerNames.of(username, servername)
    escaped_username, escaped_servername = escape_slug(username), escape_slug(servername or "")
    if scheme == "safe":
        names = (safe.username, safe.servername, safe.user_server)
    elif scheme == "escape":
        escaped_user_server = f"{escaped_username}--{escaped_servername}" if servername else escaped_username
        names = (escaped_username, escaped_servername, escaped_user_server)
    else:
        raise ValueError(f"slug scheme must be 'safe' or 'escape', not {scheme!r}")
    fields = {
        "userid": userid,
        "unescaped_username": username,
        "unescaped_servername": servername or "",
        # KubeSpawner's quirk: a hub in "default" calls its namespace "user" here
        "hubnamespace": "user" if hub_namespace == "default" else hub_namespace,
        "username": names[0],
        "servername": names[1],
        "user_server": names[2],
        "safe_username": safe.username,
        "safe_servername": safe.servername,
        "safe_user_server": safe.user_server,
        "escaped_username": escaped_username,
        "escaped_servername": escaped_servername,
        "escaped_user_server": f"{escaped_username}--{escaped_servername}",
        "pod_name": pod_name or "pod_name_unavailable!",
        "pvc_name": pvc_name or "pvc_name_unavailable!",
        "namespace": namespace or "namespace_unavailable!",
    }
    rendered = template.format(**fields)
    return rendered if template.endswith("-") else rendered.rstrip("-")


@dataclass(frozen=True)
class KubeSpawnerState:
    """The part of a spawner's saved state that KubeSpawner wrote (None when the state is not KubeSpawner's)."""

    pod_name: str | None
    namespace: str | None
    pvc_name: str | None
    #: KubeSpawner's version that saved it; "unknown" for a KubeSpawner < 7 state (no version recorded)
    version: str

    @classmethod
    def of(cls, state: Mapping[str, Any] | None) -> KubeSpawnerState | None:
        """KubeSpawner's state, or None when this state was written by this spawner (or is empty)."""
        if not state or "instance_name" in state or "pod_name" not in state:
            return None
        return cls(
            pod_name=state.get("pod_name") or None,
            namespace=state.get("namespace") or None,
            pvc_name=state.get("pvc_name") or None,
            version=str(state.get("kubespawner_version") or "unknown"),
        )

    def claim_name(self, pvc_name_template: str, username: str, servername: str, **fields: Any) -> str:
        """The claim KubeSpawner 7 would mount for this state: the remembered one; for a KubeSpawner 6 state, the
        name KubeSpawner 6 gave it ("escape" scheme; KubeSpawner 7 prefers it when it exists, and only KubeSpawner 6
        could have created a claim for a state without a remembered name); else the template's "safe" name."""
        if self.pvc_name:
            return self.pvc_name
        scheme = "escape" if self.version == "unknown" else "safe"
        return expand(pvc_name_template, username, servername, scheme=scheme, **fields)


def safe_claim_name(pvc_name_template: str, username: str, servername: str, **fields: Any) -> str:
    """The claim name KubeSpawner 7 gives a server that has no history."""
    return expand(pvc_name_template, username, servername, scheme="safe", **fields)
