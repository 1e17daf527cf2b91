"""KubeSpawner's text templates turned into the operator's.

KubeSpawner fills some settings with ``str.format`` (``{username}``, ``{{`` for a brace) and leaves the others
alone; the operator substitutes ``{name}`` in every string of a template and reads ``{{``/``}}`` as braces. So text
KubeSpawner never formats has its braces doubled, and formatted text has its fields mapped to template variables.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field

#: KubeSpawner fields -> the template variable the spawner fills with the same value (safe slug scheme)
FIELD_VARIABLES = {
    "username": "username",
    "servername": "servername",
    "user_server": "user_server",
    "unescaped_username": "unescaped_username",
    "unescaped_servername": "unescaped_servername",
    "userid": "userid",
    "pvc_name": "pvc_name",
    "safe_username": "username",
    "safe_servername": "servername",
    "safe_user_server": "user_server",
}
#: fields that are empty for a default server: KubeSpawner strips a '-' left before them at the end
_EMPTY_FOR_DEFAULT = {"servername", "unescaped_servername", "safe_servername", "escaped_servername"}


def literal(text: str) -> str:
    """Text the operator renders back exactly as it is."""
    return text.replace("{", "{{").replace("}", "}}")


@dataclass
class Formatter:
    """Converts KubeSpawner-formatted text; collects warnings and the variables it used."""

    namespace_text: str = "{namespace}"
    pod_name: str = "jupyter-{user_server}"
    hub_namespace: str = ""
    warnings: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    def convert(self, text: str, where: str) -> str:
        try:
            parts = list(string.Formatter().parse(text))
        except ValueError as e:
            self.warnings.append(f"{where}: {text!r} is not valid KubeSpawner text ({e}); kept literally")
            return literal(text)
        out = []
        for index, (plain, name, spec, conversion) in enumerate(parts):
            out.append(literal(plain))
            if name is None:
                continue
            if spec or conversion:
                self.warnings.append(f"{where}: {{{name}!{conversion}:{spec}}} formatting is dropped in {text!r}")
            out.append(self._field(name, text, where))
            last = index == len(parts) - 1 or all(p[0] == "" and p[1] is None for p in parts[index + 1 :])
            if last and name in _EMPTY_FOR_DEFAULT and plain.endswith("-") and not text.endswith("-"):
                self.warnings.append(
                    f"{where}: {text!r} ends with '-{{{name}}}': KubeSpawner strips that '-' for default servers,"
                    " a template keeps it"
                )
        return "".join(out)

    def convert_all(self, value, where: str):
        """convert() on every string inside lists and maps (keys stay as they are, as in KubeSpawner)."""
        if isinstance(value, str):
            return self.convert(value, where)
        if isinstance(value, list):
            return [self.convert_all(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, dict):
            return {k: self.convert_all(v, f"{where}.{k}") for k, v in value.items()}
        return value

    def _field(self, name: str, text: str, where: str) -> str:
        if name in FIELD_VARIABLES:
            variable = FIELD_VARIABLES[name]
            self.used.add(variable)
            return "{" + variable + "}"
        if name == "namespace":
            return self.namespace_text
        if name == "pod_name":
            return self.pod_name
        if name == "hubnamespace" and self.hub_namespace:
            # KubeSpawner calls a hub in "default" "user" here
            return literal("user" if self.hub_namespace == "default" else self.hub_namespace)
        if name.startswith("escaped_"):
            safe = name.removeprefix("escaped_")
            self.used.add(safe)
            self.warnings.append(
                f"{where}: {{{name}}} (KubeSpawner 6 escaping) has no template variable; {{{safe}}} (KubeSpawner 7's"
                f" safe slug) is used instead in {text!r}"
            )
            return "{" + safe + "}"
        self.warnings.append(f"{where}: {{{name}}} is not a KubeSpawner field; kept literally in {text!r}")
        return literal("{" + name + "}")


def literal_all(value):
    """literal() on every string inside lists and maps."""
    if isinstance(value, str):
        return literal(value)
    if isinstance(value, list):
        return [literal_all(v) for v in value]
    if isinstance(value, dict):
        return {k: literal_all(v) for k, v in value.items()}
    return value
