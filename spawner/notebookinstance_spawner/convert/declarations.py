"""The variables a converted template declares: those NotebookInstanceSpawner fills in (with the same rules as the
example template), the notebook image (fixed per profile by the admin), and values users type for an unlisted
choice of a profile option."""

from __future__ import annotations

_SLUG = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_FILLED = {
    "username": {
        "description": "The user's name in KubeSpawner's safe slug form (lowercase, DNS-safe).",
        "required": True,
        "pattern": _SLUG,
        "maxLength": 63,
    },
    "unescaped_username": {
        "description": "The user's name as JupyterHub knows it (used in annotations only).",
        "required": True,
        "maxLength": 255,
    },
    "servername": {
        "description": "The named server's slug; empty for the default server.",
        "default": "",
        "pattern": f"({_SLUG})?",
        "maxLength": 63,
    },
    "unescaped_servername": {
        "description": "The named server's name as JupyterHub knows it.",
        "default": "",
        "maxLength": 255,
    },
    "user_server": {
        "description": "KubeSpawner's slug of username and servername, used in object names.",
        "required": True,
        "pattern": _SLUG,
        "maxLength": 63,
    },
    "userid": {"description": "JupyterHub's numeric user id.", "required": True, "pattern": "[0-9]+", "maxLength": 20},
    "pvc_name": {
        "description": "The home directory claim's name: the one KubeSpawner remembered for this server (older"
        " names included), else pvc_name_template's.",
        "required": True,
        "pattern": f"{_SLUG}(\\.{_SLUG})*",
        "maxLength": 253,
    },
    "hub_namespace": {
        "description": "The hub's namespace (its pods are the only ones its network policy lets in and out).",
        "required": True,
        "pattern": _SLUG,
        "maxLength": 63,
    },
}
FILLED_ORDER = tuple(_FILLED)
#: declared by every converted template, used or not (the spawner always sends them)
ALWAYS = frozenset({"username", "unescaped_username", "servername", "unescaped_servername", "user_server", "userid"})


def filled(name: str) -> dict:
    return {"name": name, **_FILLED[name]}


def image(default: str) -> dict:
    return {"name": "image", "description": "The notebook image.", "default": default, "enum": [default]}


def free(name: str, pattern: str | None, description: str) -> dict:
    declaration = {"name": name, "description": description, "required": True, "maxLength": 1024}
    if pattern:
        declaration["pattern"] = pattern
    return declaration
