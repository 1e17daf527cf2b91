"""Renders a template's objects the way the operator does (test helper): {name} substitution in every string,
{{ and }} for braces, built-ins, then the operator's additions to the notebook container and the objects' metadata.
The Java engine is the authority; tests/test_convert_kubespawner.py only needs the same text out of the same text."""

from __future__ import annotations

import copy
import re

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


def substitute(text: str, values: dict[str, str]) -> str:
    def one(match: re.Match) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        name = match.group(1)
        if name not in values:
            raise KeyError(f"placeholder {{{name}}} has no value")
        return values[name]

    return _PLACEHOLDER.sub(one, text)


def render(value, values: dict[str, str]):
    if isinstance(value, str):
        return substitute(value, values)
    if isinstance(value, list):
        return [render(v, values) for v in value]
    if isinstance(value, dict):
        return {k: render(v, values) for k, v in value.items()}
    return value


def values_for(template: dict, given: dict[str, str], instance_name: str, namespace: str) -> dict[str, str]:
    """Declared defaults, then the instance's values, then the built-ins."""
    values = {v["name"]: v.get("default", "") for v in template["spec"].get("variables", [])}
    values.update(given)
    values.update(
        instance_name=instance_name,
        namespace=namespace,
        template_name=template["metadata"]["name"],
        template_namespace=template["metadata"]["namespace"],
    )
    return values


def notebook_pod(template: dict, values: dict[str, str], instance: dict) -> dict:
    """The notebook pod as the operator creates it: rendered, then the instance's env, envFrom and args added."""
    entry = copy.deepcopy(template["spec"]["pods"][0])
    pod = {
        "metadata": {
            "name": render(entry["name"], values),
            "labels": render(entry.get("labels", {}), values)
            | {"app.kubernetes.io/managed-by": "jupyter-notebook-operator"},
            "annotations": render(entry.get("annotations", {}), values),
        },
        "spec": render(entry["spec"], values),
    }
    container = next(c for c in pod["spec"]["containers"] if c["name"] == entry.get("notebookContainer", "notebook"))
    env = container.setdefault("env", [])
    names = {e["name"] for e in env}
    env += [{"name": k, "value": v} for k, v in instance.get("env", {}).items() if k not in names]
    if instance.get("envSecretRef"):
        container.setdefault("envFrom", []).append({"secretRef": {"name": instance["envSecretRef"]["name"]}})
    if instance.get("args"):
        container["args"] = list(instance["args"])
    return pod


def claim(template: dict, values: dict[str, str]) -> dict:
    entry = copy.deepcopy(template["spec"]["persistentVolumeClaims"][0])
    return {
        "metadata": {
            "name": render(entry["name"], values),
            "labels": render(entry.get("labels", {}), values),
            "annotations": render(entry.get("annotations", {}), values),
        },
        "spec": render(entry["spec"], values),
    }
