"""A template's declared variables (``spec.variables[]``) and the checks the operator applies to their values.

The spawner checks values before it creates anything, so a user gets a precise error at once (from the form or
the REST API) instead of a Failed instance. The operator checks them again: it is the authority.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .access import PublishedAccess


@dataclass(frozen=True)
class Variable:
    """One declared variable of a JupyterNotebookInstanceTemplate."""

    name: str
    description: str = ""
    default: str | None = None
    required: bool = False
    pattern: str | None = None
    max_length: int | None = None
    enum: tuple[str, ...] = ()

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> Variable:
        return cls(
            name=spec["name"],
            description=spec.get("description") or "",
            default=spec.get("default"),
            required=bool(spec.get("required", False)),
            pattern=spec.get("pattern"),
            max_length=spec.get("maxLength"),
            enum=tuple(spec.get("enum") or ()),
        )

    @property
    def compiled_pattern(self) -> re.Pattern | None:
        """The pattern as a Python regex, or None when there is none or Python cannot read it.

        Patterns are written in Java's syntax; the common subset means the same in both. One Python cannot compile
        is left to the operator, which rejects bad values with its own message.
        """
        if not self.pattern:
            return None
        try:
            return re.compile(self.pattern)
        except re.error:
            return None

    def problem(self, value: Any) -> str | None:
        """Why value is not acceptable for this variable, or None when it is."""
        if not isinstance(value, str):
            return f"variable {self.name!r} must be a string, not {type(value).__name__}"
        if self.max_length is not None and len(value) > self.max_length:
            return f"variable {self.name!r} is {len(value)} characters long; at most {self.max_length} are allowed"
        if self.enum and value not in self.enum:
            allowed = ", ".join(repr(v) for v in self.enum)
            return f"variable {self.name!r} is {value!r}; allowed values: {allowed}"
        pattern = self.compiled_pattern
        if pattern is not None and pattern.fullmatch(value) is None:
            return f"variable {self.name!r} is {value!r}, which does not match the pattern {self.pattern}"
        return None


@dataclass(frozen=True)
class Deprecation:
    """A deprecated template (spec.deprecation) or enum value (spec.deprecatedValues[])."""

    message: str
    replacement: str = ""
    refuse: bool = False  # action Refuse: the operator refuses new spawns

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> Deprecation:
        return cls(
            message=spec.get("message") or "deprecated",
            replacement=spec.get("replacement") or "",
            refuse=spec.get("action") == "Refuse",
        )

    def text(self) -> str:
        """The message with its replacement, as users read it."""
        return self.message + (f" (use {self.replacement} instead)" if self.replacement else "")


@dataclass(frozen=True)
class TemplateInfo:
    """What the spawner needs to know about a template: how to present it and which variables it declares."""

    name: str
    namespace: str
    display_name: str = ""
    description: str = ""
    variables: tuple[Variable, ...] = ()
    allow_args: bool = False
    deprecation: Deprecation | None = None
    #: (variable, value) -> its deprecation
    deprecated_values: Mapping[tuple[str, str], Deprecation] = field(default_factory=dict)
    access: PublishedAccess | None = None

    @classmethod
    def from_object(cls, obj: Mapping[str, Any]) -> TemplateInfo:
        meta = obj.get("metadata") or {}
        spec = obj.get("spec") or {}
        return cls(
            name=meta.get("name", ""),
            namespace=meta.get("namespace", ""),
            display_name=spec.get("displayName") or "",
            description=spec.get("description") or "",
            variables=tuple(Variable.from_spec(v) for v in spec.get("variables") or ()),
            allow_args=bool((spec.get("policy") or {}).get("allowArgs", False)),
            deprecation=Deprecation.from_spec(spec["deprecation"]) if spec.get("deprecation") else None,
            deprecated_values={
                (d.get("variable", ""), d.get("value", "")): Deprecation.from_spec(d)
                for d in spec.get("deprecatedValues") or ()
            },
            access=PublishedAccess.of(obj),
        )

    def refusals(self, values: Mapping[str, str]) -> list[str]:
        """Why the operator will refuse a spawn with these values (a deprecation with action Refuse), if it will."""
        ref = f"template {self.namespace}/{self.name}"
        found = []
        if self.deprecation and self.deprecation.refuse:
            found.append(f"{ref} is deprecated and no longer starts new servers: {self.deprecation.text()}")
        for (variable, value), d in self.deprecated_values.items():
            if d.refuse and values.get(variable) == value:
                found.append(f"{ref}: {variable} {value!r} is deprecated and no longer available: {d.text()}")
        return found

    def variable(self, name: str) -> Variable | None:
        return next((v for v in self.variables if v.name == name), None)

    @property
    def declared(self) -> frozenset[str]:
        return frozenset(v.name for v in self.variables)


@dataclass
class ValidationResult:
    """The values to send and every problem found (all at once, so a user fixes everything in one go)."""

    values: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_values(template: TemplateInfo, values: Mapping[str, Any]) -> ValidationResult:
    """Checks values against the template's declarations, as the operator will.

    Undeclared names are rejected, every value must satisfy its variable's maxLength, enum and pattern (full
    match), and every required variable must be set (a default does not count, as in the CRD).
    """
    result = ValidationResult()
    ref = f"template {template.namespace}/{template.name}"
    for name, value in values.items():
        variable = template.variable(name)
        if variable is None:
            declared = ", ".join(sorted(template.declared)) or "none"
            result.problems.append(f"{ref} does not declare a variable {name!r} (declared: {declared})")
            continue
        problem = variable.problem(value)
        if problem:
            result.problems.append(f"{ref}: {problem}")
        else:
            result.values[name] = value
    for variable in template.variables:
        if variable.required and variable.name not in values:
            result.problems.append(f"{ref}: variable {variable.name!r} is required")
    return result
