"""kubespawner-to-template: Zero-to-JupyterHub values -> JupyterNotebookInstanceTemplates + spawner configuration.

The templates make the pods, claims and network policies KubeSpawner would have made for the same values (byte
units, scheduling, lifecycle hooks, init containers, storage, extraEnv, cloudMetadata, networkPolicy, profiles);
the spawner configuration chooses among them the way profile_list did. Whatever cannot be expressed is listed in
``Conversion.warnings``, never dropped silently. See docs/migration.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from . import declarations
from .netpol import network_policy
from .placeholders import Formatter, literal
from .pod import PodBuilder
from .profiles import Flat, flatten, marker
from .settings import kubespawner_settings
from .values import Release

GROUP_VERSION = "kubespawner.jupyterhub.org/v1"
DEFAULT_PORT = 8888


@dataclass(frozen=True)
class Options:
    template_name: str = "z2jh-default"
    #: where the templates live (default: the release's namespace, the hub's)
    template_namespace: str | None = None
    #: the migration switch: templates use claims KubeSpawner made for the same user (policy.adoptKubeSpawnerClaims)
    adopt_kubespawner_claims: bool = False
    display_name: str = "Default environment"
    description: str = "The Jupyter server Zero-to-JupyterHub's KubeSpawner would start, started by the operator."


@dataclass
class Conversion:
    templates: list[dict] = field(default_factory=list)
    #: c.NotebookInstanceSpawner settings (Zero-to-JupyterHub: hub.config.NotebookInstanceSpawner)
    spawner_config: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def convert(release: Release, options: Options | None = None) -> Conversion:
    options = options or Options()
    result = Conversion()
    base = kubespawner_settings(release)
    profile_list = base.pop("profile_list", None) or []
    if profile_list:
        flats = flatten(base, list(profile_list), result.warnings)
    else:
        flats = [Flat("", options.display_name, options.description, True, base)]

    groups: dict[str, dict] = {}  # the template's spec (image lifted) as JSON -> the group
    entries = []
    for flat in flats:
        spec, image = _spec(release, options, flat, result.warnings)
        key = json.dumps(spec, sort_keys=True)
        group = groups.setdefault(key, {"spec": spec, "images": [], "first": flat})
        if image is not None and image not in group["images"]:
            group["images"].append(image)
        entries.append((flat, group, image))

    named = len(groups) > 1
    for group in groups.values():
        first = group["first"]
        group["name"] = f"{options.template_name}-{first.slug}" if named else options.template_name
        _finish(group, first if named else Flat("", options.display_name, options.description, True, {}))
        result.templates.append(
            {
                "apiVersion": GROUP_VERSION,
                "kind": "JupyterNotebookInstanceTemplate",
                "metadata": {"name": group["name"], "namespace": options.template_namespace or release.namespace},
                "spec": group["spec"],
            }
        )

    config: dict[str, Any] = {}
    if profile_list:
        config["profile_list"] = [_profile_entry(flat, group, image) for flat, group, image in entries]
    else:
        config["template_name"] = options.template_name
        config["user_variables"] = []
    if base.get("pvc_name_template"):
        config["pvc_name_template"] = base["pvc_name_template"]
    result.spawner_config = config
    result.warnings[:] = list(dict.fromkeys(result.warnings))  # one line per problem, in order found
    return result


def _spec(release: Release, options: Options, flat: Flat, warnings: list[str]) -> tuple[dict, str | None]:
    """The template spec for one flattened profile, its notebook image lifted into {image} when it is a plain value."""
    where = f"profile {flat.slug!r}: " if flat.slug else ""
    fmt = Formatter(hub_namespace=release.namespace, warnings=warnings)
    builder = PodBuilder(flat.settings, fmt, where)
    fmt.pod_name = builder.pod_name()
    image = flat.settings.get("image")
    if not image:
        raise ValueError("singleuser.image.name is not set: KubeSpawner would start no image")
    lifted = not any(marker(v[0]) in image for v in flat.free_variables)
    port = int(flat.settings.get("port") or DEFAULT_PORT)
    pod = builder.pod(port)
    if not lifted:
        text = literal(image)
        _replace_in(pod, "{image}", text)
    spec: dict[str, Any] = {"pods": [pod]}
    if flat.settings.get("storage_pvc_ensure"):
        spec["persistentVolumeClaims"] = [builder.claim()]
    policy = network_policy(release)
    if policy:
        spec["networkPolicies"] = [policy]
    for variable, _pattern, _description in flat.free_variables:
        _replace_in(spec, marker(variable), "{" + variable + "}")
    used = set(fmt.used) | declarations.ALWAYS
    if policy:
        used.add("hub_namespace")
    variables = [declarations.filled(name) for name in declarations.FILLED_ORDER if name in used]
    if lifted:
        variables.append(declarations.image(image))
    variables += [declarations.free(*v) for v in flat.free_variables]
    spec["variables"] = variables
    spec["policy"] = {
        "allowedImages": _images(pod, image if lifted else None),
        "allowArgs": bool(pod["spec"]["containers"][0].get("args")),
        "userIdentity": "{unescaped_username}",
    }
    if options.adopt_kubespawner_claims:
        spec["policy"]["adoptKubeSpawnerClaims"] = True
    return spec, (image if lifted else None)


def _finish(group: dict, named_after: Flat) -> None:
    spec = group["spec"]
    images = group["images"]
    for variable in spec["variables"]:
        if variable["name"] == "image" and images:
            variable["default"] = images[0]
            variable["enum"] = list(images)
    allowed = spec["policy"]["allowedImages"]
    spec["policy"]["allowedImages"] = [*images, *(i for i in allowed if i not in images)]
    ordered = {"displayName": named_after.display_name, "description": named_after.description}
    ordered.update(
        {k: spec[k] for k in ("variables", "pods", "persistentVolumeClaims", "networkPolicies") if k in spec}
    )
    ordered["policy"] = spec["policy"]
    group["spec"] = {k: v for k, v in ordered.items() if v not in ("", None)}


def _profile_entry(flat: Flat, group: dict, image: str | None) -> dict:
    entry: dict[str, Any] = {"display_name": flat.display_name, "slug": flat.slug}
    if flat.description:
        entry["description"] = flat.description
    if flat.default:
        entry["default"] = True
    entry["template"] = group["name"]
    if image is not None:
        entry["variables"] = {"image": image}
    entry["user_variables"] = [v[0] for v in flat.free_variables]
    return entry


def _images(pod: dict, notebook_image: str | None) -> list[str]:
    """Every image the pod runs, as allowedImages patterns (a placeholder stands for anything: '*')."""
    spec = pod["spec"]
    found = []
    for container in spec.get("initContainers", []) + spec["containers"]:
        image = container.get("image", "")
        if image == "{image}":
            image = notebook_image
        if image:
            pattern = re.sub(r"(?<!\{)\{[A-Za-z_][A-Za-z0-9_]*\}(?!\})", "*", image)
            pattern = pattern.replace("{{", "{").replace("}}", "}")
            if pattern not in found:
                found.append(pattern)
    return found


def _replace_in(value: Any, old: str, new: str) -> Any:
    """Replaces old with new in every string inside value, in place for lists and maps."""
    if isinstance(value, dict):
        for k, v in value.items():
            value[k] = new if v == old else _replace_in(v, old, new)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            value[i] = _replace_in(v, old, new)
    elif isinstance(value, str):
        return value.replace(old, new)
    return value


__all__ = ["Conversion", "Options", "Release", "convert"]
