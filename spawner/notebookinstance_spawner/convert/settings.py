"""The KubeSpawner settings a Zero-to-JupyterHub release produces (what its jupyterhub_config.py writes into
``c.KubeSpawner`` and ``c.Spawner``), computed from the values alone.

Written from the chart's documented behaviour, not copied from it; ``tests/test_convert_kubespawner.py`` checks
the result against KubeSpawner 7.1.0 configured by the chart's own jupyterhub_config.py.
"""

from __future__ import annotations

import copy
from typing import Any

from .values import Release, get

# singleuser.<key> -> KubeSpawner setting, copied when not null
_SINGLEUSER = {
    "podNameTemplate": "pod_name_template",
    "startTimeout": "start_timeout",
    "image.pullPolicy": "image_pull_policy",
    "events": "events_enabled",
    "extraLabels": "extra_labels",
    "extraAnnotations": "extra_annotations",
    "uid": "uid",
    "fsGid": "fs_gid",
    "serviceAccountName": "service_account",
    "storage.extraLabels": "storage_extra_labels",
    "nodeSelector": "node_selector",
    "extraNodeAffinity.required": "node_affinity_required",
    "extraNodeAffinity.preferred": "node_affinity_preferred",
    "extraPodAffinity.required": "pod_affinity_required",
    "extraPodAffinity.preferred": "pod_affinity_preferred",
    "extraPodAntiAffinity.required": "pod_anti_affinity_required",
    "extraPodAntiAffinity.preferred": "pod_anti_affinity_preferred",
    "lifecycleHooks": "lifecycle_hooks",
    "initContainers": "init_containers",
    "extraContainers": "extra_containers",
    "memory.limit": "mem_limit",
    "memory.guarantee": "mem_guarantee",
    "cpu.limit": "cpu_limit",
    "cpu.guarantee": "cpu_guarantee",
    "extraResource.limits": "extra_resource_limits",
    "extraResource.guarantees": "extra_resource_guarantees",
    "extraEnv": "environment",
    "profileList": "profile_list",
    "extraPodConfig": "extra_pod_config",
}
_NODE_PURPOSE = {"key": "hub.jupyter.org/node-purpose", "operator": "In", "values": ["user"]}


def kubespawner_settings(release: Release) -> dict[str, Any]:
    """Setting name -> value, as KubeSpawner receives them from the chart (before any profile is applied).

    Raises ValueError for values the chart itself refuses (e.g. an unknown matchNodePurpose).
    """
    su = release.get("singleuser") or {}
    settings: dict[str, Any] = {"common_labels": _common_labels(release), "namespace": release.namespace}
    for key, setting in _SINGLEUSER.items():
        value = get(su, key)
        if value is not None:
            settings[setting] = copy.deepcopy(value)
    if release.get("hub.consecutiveFailureLimit") is not None:
        settings["consecutive_failure_limit"] = release.get("hub.consecutiveFailureLimit")

    image = get(su, "image.name")
    if image:
        tag = get(su, "image.tag")
        settings["image"] = f"{image}:{tag}" if tag else image
    settings["allow_privilege_escalation"] = su.get("allowPrivilegeEscalation")

    pull_secrets = []
    if release.get("imagePullSecret.automaticReferenceInjection") and release.get("imagePullSecret.create"):
        pull_secrets.append(release.name_of("image-pull-secret"))
    pull_secrets += release.get("imagePullSecrets") or []
    pull_secrets += get(su, "image.pullSecrets") or []
    if pull_secrets:
        settings["image_pull_secrets"] = pull_secrets

    if release.get("scheduling.userScheduler.enabled"):
        settings["scheduler_name"] = release.name_of("user-scheduler")
    if release.get("scheduling.podPriority.enabled"):
        settings["priority_class_name"] = release.name_of("priority")
    _node_purpose(release, settings)
    tolerations = (release.get("scheduling.userPods.tolerations") or []) + (su.get("extraTolerations") or [])
    if tolerations:
        settings["tolerations"] = copy.deepcopy(tolerations)

    volumes, mounts = _storage(release, settings)
    _extra_files(release, volumes, mounts)
    _extra_volumes(su, volumes, mounts)
    settings["volumes"], settings["volume_mounts"] = volumes, mounts

    if "cmd" in su:  # an explicit null means: the image's own command
        settings["cmd"] = su["cmd"]
    if su.get("defaultUrl") is not None:
        settings["default_url"] = su["defaultUrl"]
    if get(su, "cloudMetadata.blockWithIptables") is True:
        settings["init_containers"] = list(settings.get("init_containers") or []) + [_metadata_block(su)]
    if release.get("debug.enabled"):
        settings["debug"] = True
    return settings


def _common_labels(release: Release) -> dict[str, str]:
    labels = {"app.kubernetes.io/name": release.app_label, "app": release.app_label}
    labels["app.kubernetes.io/instance"] = labels["release"] = release.name
    labels["helm.sh/chart"] = labels["chart"] = release.chart_label
    labels["app.kubernetes.io/managed-by"] = "kubespawner"
    return labels


def _node_purpose(release: Release, settings: dict[str, Any]) -> None:
    match = release.get("scheduling.userPods.nodeAffinity.matchNodePurpose")
    term = {"matchExpressions": [copy.deepcopy(_NODE_PURPOSE)]}
    if match == "prefer":
        settings["node_affinity_preferred"] = list(settings.get("node_affinity_preferred") or []) + [
            {"weight": 100, "preference": term}
        ]
    elif match == "require":
        settings["node_affinity_required"] = list(settings.get("node_affinity_required") or []) + [term]
    elif match not in (None, "ignore"):
        raise ValueError(
            f"scheduling.userPods.nodeAffinity.matchNodePurpose is {match!r}; allowed: prefer, require, ignore"
        )


def _storage(release: Release, settings: dict[str, Any]) -> tuple[dict, dict]:
    storage = release.get("singleuser.storage") or {}
    kind = storage.get("type")
    if kind == "dynamic":
        dynamic = storage.get("dynamic") or {}
        if dynamic.get("pvcNameTemplate"):
            settings["pvc_name_template"] = dynamic["pvcNameTemplate"]
        settings["storage_pvc_ensure"] = True
        for key, setting in (
            ("storageClass", "storage_class"),
            ("storageAccessModes", "storage_access_modes"),
        ):
            if dynamic.get(key) is not None:
                settings[setting] = dynamic[key]
        if storage.get("capacity") is not None:
            settings["storage_capacity"] = storage["capacity"]
        name = dynamic.get("volumeNameTemplate")
        volumes = {name: {"name": name, "persistentVolumeClaim": {"claimName": "{pvc_name}"}}}
        mounts = {name: {"mountPath": storage.get("homeMountPath"), "name": name, "subPath": dynamic.get("subPath")}}
        return volumes, mounts
    if kind == "static":
        static = storage.get("static") or {}
        volumes = {"home": {"name": "home", "persistentVolumeClaim": {"claimName": static.get("pvcName")}}}
        mounts = {"home": {"mountPath": storage.get("homeMountPath"), "name": "home", "subPath": static.get("subPath")}}
        return volumes, mounts
    return {}, {}


def _extra_files(release: Release, volumes: dict, mounts: dict) -> None:
    files = release.get("singleuser.extraFiles") or {}
    if not files:
        return
    items = []
    for key, details in files.items():
        item = {"key": key, "path": key}
        if "mode" in details:
            item["mode"] = details["mode"]
        items.append(item)
    volumes["files"] = {"name": "files", "secret": {"secretName": release.name_of("singleuser"), "items": items}}
    for index, (key, details) in enumerate(files.items()):
        mounts[f"{index}-files"] = {"mountPath": details["mountPath"], "subPath": key, "name": "files"}


def _extra_volumes(su: dict, volumes: dict, mounts: dict) -> None:
    extra = get(su, "storage.extraVolumes") or {}
    if isinstance(extra, dict):
        volumes.update(copy.deepcopy(extra))
    else:
        for volume in extra:
            volumes[volume["name"]] = copy.deepcopy(volume)
    extra_mounts = get(su, "storage.extraVolumeMounts") or {}
    if isinstance(extra_mounts, dict):
        mounts.update(copy.deepcopy(extra_mounts))
    else:
        for index, mount in enumerate(extra_mounts):
            mounts[f"{index}-{mount['name']}"] = copy.deepcopy(mount)


def _metadata_block(su: dict) -> dict:
    """The privileged init container that drops traffic to the cloud metadata server (cloudMetadata)."""
    tools = su.get("networkTools") or {}
    return {
        "name": "block-cloud-metadata",
        "image": f"{get(tools, 'image.name')}:{get(tools, 'image.tag')}",
        "command": [
            "iptables",
            "--append",
            "OUTPUT",
            "--protocol",
            "tcp",
            "--destination",
            get(su, "cloudMetadata.ip"),
            "--destination-port",
            "80",
            "--jump",
            "DROP",
        ],
        "securityContext": {"privileged": True, "runAsUser": 0, "capabilities": {"add": ["NET_ADMIN"]}},
        "resources": copy.deepcopy(tools.get("resources")),
    }
