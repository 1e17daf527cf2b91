"""Profiles (which template a server uses, with which fixed values) and the spawn options form built from them.

A profile names a template; the variables the template declares, minus those the spawner fills in and those the
admin fixed, are what a user may choose: an ``enum`` becomes a select, anything else a text field carrying the
variable's ``pattern`` and ``maxLength``. The same rules are checked for servers started through the REST API,
whose ``user_options`` take the same shape as the form's result:
``{"profile": "<slug>", "variables": {"<name>": "<value>"}}`` (variables may also be given at the top level).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any

from .variables import Deprecation, TemplateInfo, Variable

FORM_FIELD_PREFIX = "var."


@dataclass(frozen=True)
class Profile:
    """One choice offered to users."""

    slug: str
    display_name: str
    template_name: str
    template_namespace: str | None = None
    description: str = ""
    default: bool = False
    #: values fixed by the admin for this profile (users cannot change them)
    variables: Mapping[str, str] = field(default_factory=dict)
    #: the variables users may set; None: every declared one not filled by the spawner nor fixed here
    user_variables: tuple[str, ...] | None = None
    #: the workload cluster its servers are placed on (NotebookInstanceSpawner.clusters); None: the default one
    cluster: str | None = None

    def settable(self, template: TemplateInfo, reserved: Iterable[str]) -> list[Variable]:
        """The template's variables a user may set under this profile, in declaration order."""
        closed = set(reserved) | set(self.variables)
        return [
            v
            for v in template.variables
            if v.name not in closed and (self.user_variables is None or v.name in self.user_variables)
        ]


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def profiles_from_config(
    profile_list: list[Mapping[str, Any]], template_name: str, template_namespace: str | None
) -> list[Profile]:
    """The configured profiles, or one implicit profile (slug "") for the spawner's own template.

    Raises ValueError naming the entry and the field when the configuration is wrong.
    """
    if not profile_list:
        if not template_name:
            raise ValueError("NotebookInstanceSpawner: set template_name or profile_list")
        return [
            Profile(
                slug="",
                display_name="",
                template_name=template_name,
                template_namespace=template_namespace,
                default=True,
            )
        ]
    profiles: list[Profile] = []
    allowed = {
        "slug",
        "display_name",
        "description",
        "default",
        "template",
        "template_namespace",
        "variables",
        "user_variables",
        "cluster",
    }
    for index, entry in enumerate(profile_list):
        where = f"profile_list[{index}]"
        unknown = set(entry) - allowed
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
        template = entry.get("template")
        namespace = entry.get("template_namespace", template_namespace)
        if isinstance(template, Mapping):
            namespace = template.get("namespace", namespace)
            template = template.get("name")
        if not template or not isinstance(template, str):
            raise ValueError(f"{where}: 'template' (the name of a JupyterNotebookInstanceTemplate) is required")
        display_name = entry.get("display_name") or ""  # empty: the template's displayName is shown
        slug = entry.get("slug") or _slugify(display_name or template)
        if not slug:
            raise ValueError(f"{where}: cannot make a slug from {display_name or template!r}; set 'slug'")
        if any(p.slug == slug for p in profiles):
            raise ValueError(f"{where}: slug {slug!r} is used by another profile")
        variables = entry.get("variables") or {}
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in variables.items()):
            raise ValueError(f"{where}: 'variables' must map variable names to strings")
        user_variables = entry.get("user_variables")
        profiles.append(
            Profile(
                slug=slug,
                display_name=display_name,
                template_name=template,
                template_namespace=namespace,
                description=entry.get("description") or "",
                default=bool(entry.get("default", False)),
                variables=dict(variables),
                user_variables=tuple(user_variables) if user_variables is not None else None,
                cluster=_cluster_field(entry, where),
            )
        )
    return profiles


def _cluster_field(entry: Mapping[str, Any], where: str) -> str | None:
    cluster = entry.get("cluster")
    if cluster is not None and not isinstance(cluster, str):
        raise ValueError(f"{where}: 'cluster' must be the name of a cluster in NotebookInstanceSpawner.clusters")
    return cluster


def default_profile(profiles: list[Profile]) -> Profile:
    return next((p for p in profiles if p.default), profiles[0])


@dataclass
class Selection:
    profile: Profile
    user_values: dict[str, Any]


def select(profiles: list[Profile], user_options: Mapping[str, Any] | None) -> Selection:
    """The profile and the user's variable values named by user_options (from the form or the REST API).

    Raises ValueError with a message for the user when the options are malformed or name an unknown profile.
    Whether the variables may be set, and their values, is checked against the template (see settable_problems).
    """
    options = dict(user_options or {})
    slug = options.pop("profile", None)
    if slug is None or slug == "":
        profile = default_profile(profiles)
    else:
        profile = next((p for p in profiles if p.slug == slug), None)
        if profile is None:
            known = ", ".join(repr(p.slug) for p in profiles if p.slug) or "none"
            raise ValueError(f"unknown profile {slug!r}; available profiles: {known}")
    values = options.pop("variables", None) or {}
    if not isinstance(values, Mapping):
        raise ValueError("user option 'variables' must be an object mapping variable names to values")
    values = dict(values)
    for key, value in options.items():  # the REST API may pass variables at the top level
        values.setdefault(key, value)
    return Selection(profile, values)


def settable_problems(selection: Selection, template: TemplateInfo, reserved: Iterable[str]) -> list[str]:
    """Why some of the user's values may not be set under the selected profile (empty when all may)."""
    settable = {v.name for v in selection.profile.settable(template, reserved)}
    problems = []
    for name in selection.user_values:
        if name not in settable:
            allowed = ", ".join(sorted(settable)) or "none"
            problems.append(f"variable {name!r} cannot be set by users here (settable: {allowed})")
    return problems


def options_from_form(formdata: Mapping[str, list[str]]) -> dict:
    """The form's fields as user_options: the chosen profile and the non-empty values of its variables."""
    profile = (formdata.get("profile") or [""])[0]
    prefix = f"{FORM_FIELD_PREFIX}{profile}."
    variables = {}
    for key, values in formdata.items():
        if key.startswith(prefix) and values and values[0] != "":
            variables[key[len(prefix) :]] = values[0]
    options: dict = {}
    if profile:
        options["profile"] = profile
    if variables:
        options["variables"] = variables
    return options


def _option(variable: Variable, value: str, deprecation: Deprecation | None) -> str:
    """One choice of an enum; a deprecated one says so (and cannot be chosen when the operator would refuse it)."""
    selected = " selected" if value == variable.default else ""
    label = escape(value)
    if deprecation is not None:
        label += escape(f" (deprecated: {deprecation.text()})")
        if deprecation.refuse:
            selected = " disabled"
    return f'<option value="{escape(value)}"{selected}>{label}</option>'


def _deprecation_note(template: TemplateInfo | None) -> str:
    if template is None or template.deprecation is None:
        return ""
    d = template.deprecation
    status = "no longer starts new servers" if d.refuse else "deprecated"
    return f'<p class="jno-deprecated text-warning"><strong>{status.capitalize()}:</strong> {escape(d.text())}</p>'


def _field(
    profile: Profile,
    variable: Variable,
    mark_required: bool,
    deprecated: Mapping[tuple[str, str], Deprecation] | None = None,
) -> str:
    deprecated = deprecated or {}
    name = escape(f"{FORM_FIELD_PREFIX}{profile.slug}.{variable.name}")
    field_id = escape(f"jno-{profile.slug or 'default'}-{variable.name}")
    label = escape(variable.description or variable.name)
    # with several profiles only the chosen one's fields matter, so required-ness is checked on submission
    required = " required" if variable.required and mark_required else ""
    if variable.enum:
        options = "".join(_option(variable, v, deprecated.get((variable.name, v))) for v in variable.enum)
        control = f'<select class="form-control" id="{field_id}" name="{name}">{options}</select>'
    else:
        attributes = ""
        if variable.pattern:
            attributes += f' pattern="{escape(variable.pattern)}"'
            attributes += f' title="{escape("must match " + variable.pattern)}"'
        if variable.max_length is not None:
            attributes += f' maxlength="{variable.max_length}"'
        value = escape(variable.default or "")
        control = (
            f'<input class="form-control" type="text" id="{field_id}" name="{name}"'
            f' value="{value}"{attributes}{required}>'
        )
    return (
        f'<div class="form-group"><label for="{field_id}">{label}'
        f" <code>{escape(variable.name)}</code></label>{control}</div>"
    )


def render_form(choices: list[tuple[Profile, TemplateInfo | None]], reserved: Iterable[str]) -> str:
    """HTML for JupyterHub's spawn page; empty when there is nothing to choose (the hub then spawns at once)."""
    reserved = set(reserved)
    with_profiles = len(choices) > 1 or any(p.slug for p, _ in choices)
    blocks = []
    for profile, template in choices:
        settable = profile.settable(template, reserved) if template else []
        values = template.deprecated_values if template else {}
        fields = "".join(_field(profile, v, not with_profiles, values) for v in settable)
        if not with_profiles:
            blocks.append(_deprecation_note(template) + fields)
            continue
        title = escape(profile.display_name or (template.display_name if template else profile.template_name))
        description = profile.description or (template.description if template else "")
        refused = template is not None and template.deprecation is not None and template.deprecation.refuse
        unavailable = "" if template and not refused else " disabled"
        note = "" if template else " <em>(unavailable: its template cannot be read)</em>"
        checked = " checked" if profile.default and template and not refused else ""
        radio_id = escape(f"jno-profile-{profile.slug}")
        blocks.append(
            f'<div class="jno-profile"><label for="{radio_id}">'
            f'<input type="radio" name="profile" id="{radio_id}" value="{escape(profile.slug)}"{checked}{unavailable}>'
            f" <strong>{title}</strong>{note}</label>"
            + (f"<p>{escape(description)}</p>" if description else "")
            + _deprecation_note(template)
            + fields
            + "</div>"
        )
    if not with_profiles and not blocks[0]:
        return ""
    return "\n".join(blocks)
