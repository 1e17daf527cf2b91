"""KubeSpawner's profile_list, flattened into what NotebookInstanceSpawner profiles can say.

A KubeSpawner profile applies ``kubespawner_override`` on top of the base settings, then one choice of each of its
``profile_options`` (or a free ``unlisted_choice`` value that is substituted for ``{value}``). A profile here names
a template with fixed variable values, so each combination of choices becomes a profile of its own, and an
unlisted choice becomes a variable the user types (checked with the option's ``validation_regex``).
"""

from __future__ import annotations

import copy
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from .. import kubespawner_traits as traits


def marker(variable: str) -> str:
    """Stands for an unlisted choice's value while the pod is built; replaced by {variable} afterwards."""
    return f"\u2063{variable}\u2063"


MAX_COMBINATIONS = 16


@dataclass
class Flat:
    """One profile after flattening: its settings and what the spawner's profile entry needs."""

    slug: str
    display_name: str
    description: str
    default: bool
    settings: dict[str, Any]
    #: unlisted choices: (variable name, pattern or None, description) of each value the user types
    free_variables: list[tuple[str, str | None, str]] = field(default_factory=list)


class _Missing(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def slugify(text: str) -> str:
    """KubeSpawner's slug for a profile without one (lowercase, runs of other characters as '-')."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def recursive_update(target: dict, new: dict) -> None:
    """KubeSpawner's merge of a dict override: nested maps merge, None deletes a key."""
    for key, value in new.items():
        if isinstance(value, dict):
            if not isinstance(target.get(key), dict):
                target[key] = {}
            recursive_update(target[key], value)
        elif value is None:
            target.pop(key, None)
        else:
            target[key] = value


def apply_overrides(settings: dict[str, Any], overrides: dict[str, Any], where: str, warnings: list[str]) -> None:
    """KubeSpawner's _apply_overrides on a settings dict; settings this design cannot vary per profile are listed."""
    for name, value in (overrides or {}).items():
        key = traits.canonical(name)
        if key in traits.HUB_SIDE:
            warnings.append(
                f"{where}.{name}: a hub setting; profiles here choose templates and variables, so it cannot vary"
                " per profile (ignored; set it for all servers in the hub's configuration)"
            )
            continue
        if key not in traits.TEMPLATE_SIDE:
            reason = traits.NO_EQUIVALENT.get(key, "not a KubeSpawner setting")
            warnings.append(f"{where}.{name}: ignored ({reason})")
            continue
        if isinstance(value, dict) and isinstance(settings.get(key, {}), dict):
            merged = copy.deepcopy(settings.get(key) or {})
            recursive_update(merged, copy.deepcopy(value))
            settings[key] = merged
        else:
            settings[key] = copy.deepcopy(value)


def _format_value(value: Any, text: str) -> Any:
    """KubeSpawner's recursive_format(value=...): {value} filled in every string, other fields left as they are."""
    if isinstance(value, str):
        return value.format_map(_Missing(value=text))
    if isinstance(value, list):
        return [_format_value(v, text) for v in value]
    if isinstance(value, dict):
        return {k: _format_value(v, text) for k, v in value.items()}
    return value


def _choices(name: str, option: dict, where: str, warnings: list[str]) -> list[tuple]:
    """(key, display name, default, overrides, free variable) for each choice of one option."""
    found = []
    choices = option.get("choices") or {}
    default_key = next((k for k, c in choices.items() if c.get("default")), next(iter(choices), None))
    for key, choice in choices.items():
        found.append((key, choice.get("display_name", key), key == default_key, choice.get("kubespawner_override")))
    unlisted = option.get("unlisted_choice") or {}
    if unlisted.get("enabled"):
        variable = "option_" + re.sub(r"[^A-Za-z0-9_]", "_", name)
        regex = unlisted.get("validation_regex")
        # KubeSpawner uses re.match: anchored at the start only; a template pattern must match the whole value
        pattern = f"(?:{regex})[\\s\\S]*" if regex else None
        try:
            overrides = _format_value(unlisted.get("kubespawner_override") or {}, marker(variable))
        except (ValueError, IndexError) as e:
            warnings.append(f"{where}.unlisted_choice: cannot be converted ({e}); left out")
        else:
            label = unlisted.get("display_name_in_choices", "Other...")
            free = (variable, pattern, unlisted.get("display_name") or option.get("display_name") or name)
            found.append(("other", label, False, overrides, free))
    return [c if len(c) == 5 else (*c, None) for c in found]


def flatten(base: dict[str, Any], profile_list: list[dict], warnings: list[str]) -> list[Flat]:
    """Every (profile, choice combination) as a profile with its full settings; exactly one is the default."""
    flats: list[Flat] = []
    default_index = next((i for i, p in enumerate(profile_list) if p.get("default")), 0)
    for index, profile in enumerate(profile_list):
        where = f"singleuser.profileList[{index}]"
        slug = profile.get("slug") or slugify(profile.get("display_name", f"profile-{index}"))
        settings = copy.deepcopy(base)
        apply_overrides(settings, profile.get("kubespawner_override") or {}, f"{where}.kubespawner_override", warnings)
        for key in sorted(
            set(profile) - {"display_name", "description", "slug", "default", "kubespawner_override", "profile_options"}
        ):
            warnings.append(f"{where}.{key}: not converted (profiles here have no such field)")
        options = [
            (name, _choices(name, option, f"{where}.profile_options.{name}", warnings))
            for name, option in (profile.get("profile_options") or {}).items()
        ]
        options = [(name, choices) for name, choices in options if choices]
        combinations = list(itertools.product(*(choices for _, choices in options)))
        if len(combinations) > MAX_COMBINATIONS:
            warnings.append(
                f"{where}.profile_options: {len(combinations)} combinations of choices are too many to offer as"
                f" profiles (at most {MAX_COMBINATIONS}); only the default choices are converted"
            )
            combinations = [tuple(next(c for c in choices if c[2]) for _, choices in options)]
        for combination in combinations:
            flats.append(_flat(profile, slug, settings, options, combination, index == default_index, where, warnings))
    return flats


def _flat(profile, slug, settings, options, combination, default_profile, where, warnings) -> Flat:
    settings = copy.deepcopy(settings)
    free = []
    for (name, _), (_key, _label, _default, overrides, variable) in zip(options, combination, strict=True):
        apply_overrides(settings, overrides or {}, f"{where}.profile_options.{name}", warnings)
        if variable:
            free.append(variable)
    suffix = [slugify(str(c[0])) for c in combination]
    labels = [str(c[1]) for c in combination]
    display = profile.get("display_name", slug)
    return Flat(
        slug="-".join([slug, *suffix]) if suffix else slug,
        display_name=f"{display} ({', '.join(labels)})" if labels else display,
        description=profile.get("description", ""),
        default=default_profile and all(c[2] for c in combination),
        settings=settings,
        free_variables=free,
    )
