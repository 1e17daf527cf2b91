"""Every KubeSpawner setting, sorted by where its meaning lives once the hub uses NotebookInstanceSpawner.

- ``HUB_SIDE``: the spawner itself honours them; a value configured for KubeSpawner (Zero-to-JupyterHub writes
  ``c.KubeSpawner.start_timeout = 300``) becomes this spawner's default, unless configured for it directly.
- ``TEMPLATE_SIDE``: they shape the pod, claim or network policy; the JupyterNotebookInstanceTemplate holds them
  now, and ``kubespawner-to-template`` writes that template from the same values.
- ``NO_EQUIVALENT``: KubeSpawner behaviour this design replaces or does not have (listed, never silently dropped).

Anything else set under ``c.KubeSpawner`` is unknown (a typo, or a setting of another KubeSpawner version).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

HUB_SIDE = frozenset(
    {
        "args",
        "auth_state_hook",
        "cmd",
        "consecutive_failure_limit",
        "debug",
        "default_url",
        "disable_user_config",
        "env_keep",
        "http_timeout",
        "ip",
        "namespace",
        "notebook_dir",
        "oauth_client_allowed_scopes",
        "oauth_roles",
        "poll_interval",
        "poll_jitter",
        "port",
        "post_stop_hook",
        "pre_spawn_hook",
        "progress_ready_hook",
        "pvc_name_template",
        "server_token_scopes",
        "ssl_alt_names",
        "ssl_alt_names_include_local",
        "start_timeout",
    }
)

TEMPLATE_SIDE = frozenset(
    {
        "allow_privilege_escalation",
        "automount_service_account_token",
        "common_labels",
        "component_label",
        "container_security_context",
        "cpu_guarantee",
        "cpu_limit",
        "environment",
        "extra_annotations",
        "extra_container_config",
        "extra_containers",
        "extra_labels",
        "extra_pod_config",
        "extra_resource_guarantees",
        "extra_resource_limits",
        "fs_gid",
        "gid",
        "image",
        "image_pull_policy",
        "image_pull_secrets",
        "init_containers",
        "lifecycle_hooks",
        "mem_guarantee",
        "mem_limit",
        "node_affinity_preferred",
        "node_affinity_required",
        "node_selector",
        "pod_affinity_preferred",
        "pod_affinity_required",
        "pod_anti_affinity_preferred",
        "pod_anti_affinity_required",
        "pod_name_template",
        "pod_security_context",
        "priority_class_name",
        "privileged",
        "profile_list",
        "scheduler_name",
        "service_account",
        "storage_access_modes",
        "storage_capacity",
        "storage_class",
        "storage_extra_annotations",
        "storage_extra_labels",
        "storage_pvc_ensure",
        "storage_selector",
        "supplemental_gids",
        "tolerations",
        "uid",
        "volume_mounts",
        "volumes",
        "working_dir",
    }
)

#: what replaces each (shown in the warning)
NO_EQUIVALENT = {
    "additional_profile_form_template_paths": "the options form is built from the templates' variables",
    "after_pod_created_hook": "the operator creates the pod; the hub never sees it",
    "delete_grace_period": "the operator deletes pods with the instance (Kubernetes' default grace period)",
    "delete_pvc": "claims are never deleted by the hub (whenDeleted: Retain keeps them)",
    "delete_stopped_pods": "a stopped instance's pods are deleted with it",
    "dns_name_template": "templates may render a Service; the hub connects to the pod IP",
    "enable_user_namespaces": "servers run in the spawner's namespace (hub.namespaces of the chart)",
    "events_enabled": "the operator's Events about the instance are always relayed",
    "get_pod_url": "the operator reports the URL (status.url)",
    "handle_legacy_names": "claim names of KubeSpawner 6 are always honoured",
    "hub_connect_ip": "use JupyterHub's hub_connect_url",
    "hub_connect_port": "use JupyterHub's hub_connect_url",
    "k8s_api_host": "use NotebookInstanceSpawner.kubeconfig",
    "k8s_api_request_retry_timeout": "the spawner's API calls use watch_timeout_seconds",
    "k8s_api_request_timeout": "the spawner's API calls use watch_timeout_seconds",
    "k8s_api_ssl_ca_cert": "use NotebookInstanceSpawner.kubeconfig",
    "k8s_api_threadpool_workers": "the spawner's client is asynchronous",
    "k8s_api_verify_ssl": "use NotebookInstanceSpawner.kubeconfig",
    "modify_pod_hook": "a hook cannot change an admin-owned template; express the change in the template",
    "pod_connect_ip": "the operator reports the URL (status.url)",
    "profile_form_template": "the options form is built from the templates' variables",
    "remember_pvc_name": "claim names are always remembered",
    "secret_mount_path": "internal SSL is not supported",
    "secret_name_template": "see NotebookInstanceSpawner.secret_name_template (the Secret holds the API token)",
    "services_enabled": "templates may render a Service",
    "slow_spawn_message": "progress shows the operator's Events",
    "slow_spawn_message_frequency": "progress shows the operator's Events",
    "slow_spawn_message_threshold": "progress shows the operator's Events",
    "slug_scheme": "names use KubeSpawner 7's 'safe' scheme; remembered claim names are kept",
    "user_namespace_annotations": "servers run in the spawner's namespace",
    "user_namespace_labels": "servers run in the spawner's namespace",
    "user_namespace_template": "servers run in the spawner's namespace",
}

#: KubeSpawner's old names for its settings (it still accepts them, with a deprecation warning)
DEPRECATED = (
    {"image_spec": "image"}
    | {
        f"singleuser_{name}": name
        for name in (
            "working_dir",
            "service_account",
            "extra_labels",
            "extra_annotations",
            "image_pull_policy",
            "image_pull_secrets",
            "node_selector",
            "uid",
            "fs_gid",
            "supplemental_gids",
            "privileged",
            "allow_privilege_escalation",
            "lifecycle_hooks",
            "extra_pod_config",
            "init_containers",
            "extra_container_config",
            "extra_containers",
        )
    }
    | {"singleuser_image_spec": "image"}
)


def canonical(name: str) -> str:
    """The current name of a KubeSpawner setting (old names mapped to new ones)."""
    return DEPRECATED.get(name, name)


@dataclass(frozen=True)
class Classified:
    hub_side: tuple[str, ...]
    template_side: tuple[str, ...]
    no_equivalent: tuple[str, ...]
    unknown: tuple[str, ...]


def classify(names: Iterable[str]) -> Classified:
    """Sorts KubeSpawner setting names into the four groups (each sorted)."""
    groups: dict[str, list[str]] = {"hub": [], "template": [], "none": [], "unknown": []}
    for name in names:
        current = canonical(name)
        if current in HUB_SIDE:
            groups["hub"].append(name)
        elif current in TEMPLATE_SIDE:
            groups["template"].append(name)
        elif current in NO_EQUIVALENT:
            groups["none"].append(name)
        else:
            groups["unknown"].append(name)
    return Classified(*(tuple(sorted(groups[k])) for k in ("hub", "template", "none", "unknown")))
