"""The notebook pod and home claim KubeSpawner would create for a set of settings, as template entries.

Mirrors KubeSpawner 7's ``get_pod_manifest``/``make_pod`` and ``get_pvc_manifest``/``make_pvc``: the same fields
in the same places, formatted text turned into template variables. The intended differences (docs/migration.md):
the hub's token travels in a Secret (the operator adds it with envFrom), the operator owns the pod (owner
reference, its own managed-by label), the notebook container drops every capability unless it may escalate
privileges, and KubeSpawner's version annotations are not written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .placeholders import Formatter, literal, literal_all
from .quantities import cpu_quantity, cpu_value, jupyterhub_bytes, memory_quantity

NOTEBOOK = "notebook"
DEFAULT_COMPONENT = "singleuser-server"
IMAGE_VARIABLE = "{image}"
_VALUES_KEY = {
    "mem_limit": "memory.limit",
    "mem_guarantee": "memory.guarantee",
    "cpu_limit": "cpu.limit",
    "cpu_guarantee": "cpu.guarantee",
}


def camel(name: str) -> str:
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), name)


def camel_keys(value: Any) -> Any:
    """Top-level snake_case keys in camelCase, as KubeSpawner's get_k8s_model maps them (nested keys as given)."""
    if isinstance(value, Mapping):
        return {camel(k): v for k, v in value.items()}
    return value


def sorted_values(value: Any) -> list:
    """A dict's values in key order (KubeSpawner's _sorted_dict_values), a list as it is."""
    if isinstance(value, Mapping):
        return [value[k] for k in sorted(value)]
    return list(value or [])


def without_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_none(v) for v in value]
    return value


class PodBuilder:
    """One profile's settings -> the template's pod and claim entries."""

    def __init__(self, settings: Mapping[str, Any], fmt: Formatter, where: str):
        self.s, self.fmt, self.where = settings, fmt, where

    def _expanded(self, name: str, default: Any = None) -> Any:
        return self.fmt.convert_all(self.s.get(name, default), f"{self.where}{name}")

    def pod_name(self) -> str:
        return self.fmt.convert(self.s.get("pod_name_template") or "jupyter-{user_server}", f"{self.where}pod_name")

    def labels(self, extra_setting: str) -> dict[str, str]:
        labels = {"hub.jupyter.org/username": "{username}"}
        labels.update(self._expanded(extra_setting, {}) or {})
        common = dict(self.s.get("common_labels") or {})
        common.pop("app.kubernetes.io/managed-by", None)  # the operator's label replaces it
        labels.update(literal_all(common))
        return labels

    def pod(self, port: int) -> dict:
        component = self.s.get("component_label") or DEFAULT_COMPONENT
        labels = self.labels("extra_labels")
        labels.update(
            {
                "app.kubernetes.io/component": literal(component),
                "component": literal(component),
                "hub.jupyter.org/servername": "{servername}",
            }
        )
        annotations = {
            "hub.jupyter.org/username": "{unescaped_username}",
            "hub.jupyter.org/servername": "{unescaped_servername}",
        }
        annotations.update(self._expanded("extra_annotations", {}) or {})
        return {
            "name": self.pod_name(),
            "notebook": True,
            "notebookContainer": NOTEBOOK,
            "notebookPort": port,
            "labels": labels,
            "annotations": annotations,
            "spec": without_none(self.pod_spec(port)),
        }

    def pod_spec(self, port: int) -> dict:
        s = self.s
        spec: dict[str, Any] = {"restartPolicy": "OnFailure"}
        if s.get("image_pull_secrets") is not None:
            spec["imagePullSecrets"] = [
                {"name": literal(ref)} if isinstance(ref, str) else literal_all(camel_keys(ref))
                for ref in s["image_pull_secrets"]
            ]
        if s.get("node_selector"):
            spec["nodeSelector"] = literal_all(s["node_selector"])
        security = {}
        if s.get("fs_gid") is not None:
            security["fsGroup"] = int(s["fs_gid"])
        if s.get("supplemental_gids"):
            security["supplementalGroups"] = [int(g) for g in s["supplemental_gids"]]
        security.update(literal_all(s.get("pod_security_context") or {}))
        if security:
            spec["securityContext"] = security
        containers = [self.notebook_container(port)]
        containers += [camel_keys(c) for c in sorted_values(self._expanded("extra_containers"))]
        spec["containers"] = containers
        if s.get("tolerations"):
            spec["tolerations"] = [literal_all(camel_keys(t)) for t in sorted_values(s["tolerations"])]
        if s.get("init_containers"):
            spec["initContainers"] = [camel_keys(c) for c in sorted_values(self._expanded("init_containers"))]
        spec["volumes"] = [camel_keys(v) for v in sorted_values(self._expanded("volumes"))]
        if s.get("scheduler_name"):
            spec["schedulerName"] = literal(s["scheduler_name"])
        affinity = self.affinity()
        if affinity:
            spec["affinity"] = affinity
        if s.get("priority_class_name"):
            spec["priorityClassName"] = literal(s["priority_class_name"])
        account = self._expanded("service_account")
        if account is not None:
            spec["serviceAccountName"] = account
        automount = s.get("automount_service_account_token")
        if automount is None and account is None:
            spec["automountServiceAccountToken"] = False
        elif automount is not None:
            spec["automountServiceAccountToken"] = automount
        for key, value in camel_keys(self._expanded("extra_pod_config", {}) or {}).items():
            spec[key] = value
        return spec

    def affinity(self) -> dict:
        affinity: dict[str, Any] = {}
        for kind, prefix in (("nodeAffinity", "node_affinity"), ("podAffinity", "pod_affinity")):
            self._affinity_terms(affinity, kind, prefix)
        self._affinity_terms(affinity, "podAntiAffinity", "pod_anti_affinity")
        return affinity

    def _affinity_terms(self, affinity: dict, kind: str, prefix: str) -> None:
        preferred = [literal_all(camel_keys(t)) for t in sorted_values(self.s.get(f"{prefix}_preferred"))]
        required = [literal_all(camel_keys(t)) for t in sorted_values(self.s.get(f"{prefix}_required"))]
        if not preferred and not required:
            return
        terms: dict[str, Any] = {}
        if preferred:
            terms["preferredDuringSchedulingIgnoredDuringExecution"] = preferred
        if required:
            key = "requiredDuringSchedulingIgnoredDuringExecution"
            terms[key] = {"nodeSelectorTerms": required} if kind == "nodeAffinity" else required
        affinity[kind] = terms

    def notebook_container(self, port: int) -> dict:
        s = self.s
        container: dict[str, Any] = {"name": NOTEBOOK, "image": IMAGE_VARIABLE}
        if s.get("working_dir"):
            container["workingDir"] = literal(s["working_dir"])
        container["ports"] = [{"name": "notebook-port", "containerPort": port}]
        container["env"] = self.env()
        cmd = s.get("cmd", ["jupyterhub-singleuser"])
        if cmd:
            container["args"] = [literal(c) for c in ([cmd] if isinstance(cmd, str) else cmd)]
        if s.get("image_pull_policy"):
            container["imagePullPolicy"] = s["image_pull_policy"]
        if s.get("lifecycle_hooks"):
            container["lifecycle"] = literal_all(camel_keys(s["lifecycle_hooks"]))
        container["resources"] = self.resources()
        container["volumeMounts"] = [camel_keys(m) for m in sorted_values(self._expanded("volume_mounts"))]
        security = self.container_security()
        if security:
            container["securityContext"] = security
        for key, value in camel_keys(literal_all(s.get("extra_container_config") or {})).items():
            container[key] = value
        return container

    def _amount(self, setting: str, reading):
        """reading(the setting's value), a ValueError naming the setting (and profile) when KubeSpawner would refuse it."""
        try:
            return reading(self.s[setting])
        except ValueError as e:
            raise ValueError(f"{self.where}{setting} (singleuser.{_VALUES_KEY[setting]} or an override): {e}") from None

    def resources(self) -> dict:
        s = self.s
        requests: dict[str, str] = {}
        limits: dict[str, str] = {}
        if s.get("cpu_guarantee"):
            requests["cpu"] = self._amount("cpu_guarantee", cpu_quantity)
        if s.get("mem_guarantee"):
            requests["memory"] = self._amount("mem_guarantee", memory_quantity)
        requests.update({k: literal(str(v)) for k, v in (s.get("extra_resource_guarantees") or {}).items()})
        if s.get("cpu_limit"):
            limits["cpu"] = self._amount("cpu_limit", cpu_quantity)
        if s.get("mem_limit"):
            limits["memory"] = self._amount("mem_limit", memory_quantity)
        limits.update({k: literal(str(v)) for k, v in (s.get("extra_resource_limits") or {}).items()})
        # empty maps are left out (the API server drops them too; KubeSpawner writes "limits": {})
        return {k: v for k, v in (("requests", requests), ("limits", limits)) if v}

    def container_security(self) -> dict:
        s = self.s
        security: dict[str, Any] = {}
        if s.get("uid") is not None:
            security["runAsUser"] = int(s["uid"])
        if s.get("gid") is not None:
            security["runAsGroup"] = int(s["gid"])
        if s.get("privileged"):
            security["privileged"] = True
        escalation = s.get("allow_privilege_escalation", False)
        if escalation is not None:
            security["allowPrivilegeEscalation"] = escalation
        security.update(literal_all(s.get("container_security_context") or {}))
        # Intended difference: a server running as a non-root user that cannot escalate needs no capability.
        user = security.get("runAsUser")
        if (
            security.get("allowPrivilegeEscalation") is False
            and not security.get("privileged")
            and isinstance(user, int)
            and user != 0
        ):
            security.setdefault("capabilities", {"drop": ["ALL"]})
        return security

    def env(self) -> list[dict]:
        """The admin's part of KubeSpawner's environment (the hub's part comes with the instance)."""
        s = self.s
        env: dict[str, Any] = {"JUPYTER_IMAGE_SPEC": IMAGE_VARIABLE, "JUPYTER_IMAGE": IMAGE_VARIABLE}
        for name, setting, reading in (
            ("MEM_LIMIT", "mem_limit", jupyterhub_bytes),
            ("MEM_GUARANTEE", "mem_guarantee", jupyterhub_bytes),
            ("CPU_LIMIT", "cpu_limit", cpu_value),
            ("CPU_GUARANTEE", "cpu_guarantee", cpu_value),
        ):
            if s.get(setting):
                env[name] = str(self._amount(setting, reading))
        for name, value in (s.get("environment") or {}).items():
            where = f"{self.where}environment.{name}"
            if isinstance(value, dict):
                entry = {"name": name, **camel_keys(self.fmt.convert_all(value, where))}
                env[entry["name"]] = entry
            elif isinstance(value, str | list):
                env[name] = self.fmt.convert(value if isinstance(value, str) else str(value), where)
            elif value is not None:
                self.fmt.warnings.append(f"{where}: {value!r} is not a string; the template writes {str(value)!r}")
                env[name] = literal(str(value))
        return [v if isinstance(v, dict) else {"name": k, "value": v} for k, v in sorted(env.items())]

    def claim(self) -> dict:
        s = self.s
        labels = self.labels("storage_extra_labels")
        labels.update(
            {
                "app.kubernetes.io/component": literal(s.get("component_label") or DEFAULT_COMPONENT),
                "component": "singleuser-storage",
            }
        )
        annotations = {
            "hub.jupyter.org/username": "{unescaped_username}",
            "hub.jupyter.org/servername": "{unescaped_servername}",
        }
        annotations.update(self._expanded("storage_extra_annotations", {}) or {})
        spec: dict[str, Any] = {
            "accessModes": literal_all(s.get("storage_access_modes") or ["ReadWriteOnce"]),
            "resources": {"requests": {"storage": literal(str(s.get("storage_capacity")))}},
        }
        if s.get("storage_class") is not None:
            annotations["volume.beta.kubernetes.io/storage-class"] = literal(s["storage_class"])
            spec["storageClassName"] = literal(s["storage_class"])
        selector = self._expanded("storage_selector", {})
        if selector:
            spec["selector"] = selector
        self.fmt.used.add("pvc_name")
        return {
            "name": "{pvc_name}",
            "whenDeleted": "Retain",
            "labels": labels,
            "annotations": annotations,
            "spec": without_none(spec),
        }
