"""Kubernetes-safe names for users and servers, exactly as KubeSpawner 7 makes them.

A port of ``kubespawner.slugs`` (jupyterhub-kubespawner 7.1.0, BSD-3-Clause) and of the "safe" scheme of
``KubeSpawner._expand_user_properties``, so that object names (for example ``claim-{user_server}``) match those of
an existing KubeSpawner deployment and users keep their volumes when the hub moves to this spawner. Ported rather
than imported because importing ``kubespawner`` loads the whole KubeSpawner; the tests compare this module with
the real one on a corpus of awkward names.
"""

from __future__ import annotations

import hashlib
import re
import string
from dataclasses import dataclass

_ALPHANUM = tuple(string.ascii_letters + string.digits)
_ALPHA_LOWER = tuple(string.ascii_lowercase)
_ALPHANUM_LOWER = tuple(string.ascii_lowercase + string.digits)

_OBJECT_PATTERN = re.compile(r"^[a-z0-9\-]+$")
_LABEL_PATTERN = re.compile(r"^[a-z0-9\.\-_]+$", flags=re.IGNORECASE)
_NON_ALPHANUM = re.compile(r"[^a-z0-9]+")
_HASH_LENGTH = 8

#: The longest slug KubeSpawner makes for one field ({username}, {servername}, {user_server}).
FIELD_MAX_LENGTH = 48


def is_valid_object_name(s: str) -> bool:
    """True for a DNS label that also starts with a letter (RFC 1035 and RFC 1123), at most 63 characters."""
    return (
        1 <= len(s) <= 63
        and s.startswith(_ALPHA_LOWER)
        and s.endswith(_ALPHANUM_LOWER)
        and _OBJECT_PATTERN.match(s) is not None
    )


def is_valid_label(s: str) -> bool:
    """True for a valid label value (empty included)."""
    if not s:
        return True
    return len(s) <= 63 and s.startswith(_ALPHANUM) and s.endswith(_ALPHANUM) and _LABEL_PATTERN.match(s) is not None


def _extract_safe_name(name: str, max_length: int) -> str:
    """Lowercase letters, digits and single hyphens; starts with a letter; never empty; at most max_length."""
    safe = _NON_ALPHANUM.sub("-", name.lower())
    safe = safe.lstrip("-")[:max_length].rstrip("-")
    if safe and not safe.startswith(_ALPHA_LOWER):
        safe = "x-" + safe[: max_length - 2]
    return safe or "x"


def strip_and_hash(name: str, max_length: int = 32) -> str:
    """A safe prefix of name plus ``---`` and 8 hex digits of its sha256: valid and unique for any input."""
    name_length = max_length - (_HASH_LENGTH + 3)
    if name_length < 1:
        raise ValueError(f"Cannot make safe names shorter than {_HASH_LENGTH + 4}")
    digest = hashlib.sha256(name.encode("utf8")).hexdigest()[:_HASH_LENGTH]
    return f"{_extract_safe_name(name, name_length)}---{digest}"


def safe_slug(name: str, is_valid=is_valid_object_name, max_length: int | None = None) -> str:
    """name itself when it is already valid (and has no ``--``), else its stripped-and-hashed form."""
    if "--" not in name and is_valid(name) and (max_length is None or len(name) <= max_length):
        return name
    return strip_and_hash(name, max_length=max_length or 32)


def multi_slug(names: list[str], max_length: int = 48) -> str:
    """``{name1}--{name2}---{hash}`` with one hash over all parts (joined by a byte UTF-8 never contains)."""
    hasher = hashlib.sha256(names[0].encode("utf8"))
    for name in names[1:]:
        hasher.update(b"\xff")
        hasher.update(name.encode("utf8"))
    digest = hasher.hexdigest()[:_HASH_LENGTH]
    per_name = (max_length - (_HASH_LENGTH + 1)) // len(names)
    name_max_length = per_name - 2
    if name_max_length < 2:
        raise ValueError(f"Not enough characters for {len(names)} names: {max_length}")
    return "--".join(_extract_safe_name(n, name_max_length) for n in names) + f"---{digest}"


@dataclass(frozen=True)
class ServerNames:
    """KubeSpawner's template fields for one server of one user (its "safe" slug scheme)."""

    unescaped_username: str
    unescaped_servername: str
    username: str
    servername: str
    user_server: str
    #: label values: KubeSpawner labels pods ``hub.jupyter.org/username`` with these (32 characters when hashed)
    username_label: str
    servername_label: str

    @classmethod
    def of(cls, username: str, servername: str | None = "") -> ServerNames:
        raw_servername = servername or ""
        safe_username = safe_slug(username, max_length=FIELD_MAX_LENGTH)
        safe_servername = safe_slug(raw_servername, max_length=FIELD_MAX_LENGTH) if raw_servername else ""
        if len(safe_username) + len(safe_servername) + 2 > FIELD_MAX_LENGTH:
            user_server = multi_slug([username, raw_servername], max_length=FIELD_MAX_LENGTH)
        elif raw_servername:
            user_server = f"{safe_username}--{safe_servername}"
        else:
            user_server = safe_username
        return cls(
            unescaped_username=username,
            unescaped_servername=raw_servername,
            username=safe_username,
            servername=safe_servername,
            user_server=user_server,
            username_label=safe_slug(username, is_valid=is_valid_label),
            servername_label=safe_slug(raw_servername, is_valid=is_valid_label),
        )
