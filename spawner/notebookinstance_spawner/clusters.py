"""Workload clusters: where a server may be placed when one hub serves several clusters, each with its own operator.

The hub's own cluster (the spawner's ``kubeconfig``/``kube_context``/``namespace`` settings) is the cluster named
``""``. Every other cluster is an entry of ``NotebookInstanceSpawner.clusters``: its API server is reached with a
kubeconfig the admin provides (a file, typically a mounted Secret, or a Secret the hub reads in its own namespace),
holding the credentials of the chart's hub Role in that cluster and nothing more.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from kubernetes_asyncio.client.exceptions import ApiException

HOME = ""  # the hub's own cluster

_FIELDS = {
    "kubeconfig",
    "kubeconfig_secret",
    "context",
    "namespace",
    "template_namespace",
    "display_name",
    "allowed_groups",
    "allowed_users",
}


@dataclass(frozen=True)
class Cluster:
    """One workload cluster, as the admin configured it."""

    name: str
    #: path of a kubeconfig file (e.g. a Secret mounted into the hub pod)
    kubeconfig: str = ""
    #: or {"name": Secret in the hub's namespace, "key": data key (default "kubeconfig")}
    kubeconfig_secret: Mapping[str, str] | None = None
    context: str = ""
    #: namespace of the instances and Secrets there (default: the spawner's namespace)
    namespace: str = ""
    #: where the templates are read there (default: the profile's, else the namespace)
    template_namespace: str = ""
    display_name: str = ""
    #: when set, only members of these groups (or the allowed users) may place servers here
    allowed_groups: tuple[str, ...] | None = None
    allowed_users: tuple[str, ...] | None = None

    @property
    def label(self) -> str:
        if self.name == HOME:
            return "the hub's cluster"
        return f"cluster {self.display_name or self.name!r}"

    def admits(self, user_name: str, groups: Iterable[str]) -> bool:
        if self.allowed_groups is None and self.allowed_users is None:
            return True
        return user_name in (self.allowed_users or ()) or bool(set(groups) & set(self.allowed_groups or ()))


def clusters_from_config(config: Mapping[str, Any]) -> dict[str, Cluster]:
    """The configured workload clusters by name. Raises ValueError naming the entry and field when wrong."""
    found: dict[str, Cluster] = {}
    for name, entry in config.items():
        where = f"NotebookInstanceSpawner.clusters[{name!r}]"
        if not isinstance(name, str) or not name:
            raise ValueError(f"{where}: cluster names must be non-empty strings")
        if not isinstance(entry, Mapping):
            raise ValueError(f"{where}: must be a dict with some of {sorted(_FIELDS)}")
        unknown = set(entry) - _FIELDS
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(_FIELDS)}")
        secret = entry.get("kubeconfig_secret")
        if isinstance(secret, str):
            secret = {"name": secret}
        if secret is not None and not (isinstance(secret, Mapping) and secret.get("name")):
            raise ValueError(f"{where}: 'kubeconfig_secret' must be a Secret name or {{'name': ..., 'key': ...}}")
        if bool(entry.get("kubeconfig")) == bool(secret):
            raise ValueError(f"{where}: set exactly one of 'kubeconfig' (a file) and 'kubeconfig_secret'")
        lists = {}
        for key in ("allowed_groups", "allowed_users"):
            value = entry.get(key)
            if value is not None and (isinstance(value, str) or not all(isinstance(v, str) for v in value)):
                raise ValueError(f"{where}: '{key}' must be a list of names")
            lists[key] = tuple(value) if value is not None else None
        found[name] = Cluster(
            name=name,
            kubeconfig=entry.get("kubeconfig") or "",
            kubeconfig_secret=dict(secret) if secret else None,
            context=entry.get("context") or "",
            namespace=entry.get("namespace") or "",
            template_namespace=entry.get("template_namespace") or "",
            display_name=entry.get("display_name") or "",
            **lists,
        )
    return found


class Unreachable(Exception):
    """The cluster's API server could not be reached (down, network partition, timeout)."""

    def __init__(self, cluster: Cluster, cause: BaseException):
        self.cluster, self.cause = cluster, cause
        detail = str(cause) or type(cause).__name__
        super().__init__(f"{cluster.label} is unreachable ({detail})")


def is_unreachable(error: BaseException) -> bool:
    """Errors that say nothing about the request, only that the API server did not answer it."""
    if isinstance(error, ApiException):
        return error.status in (0, 502, 503, 504)
    return isinstance(
        error,
        (
            aiohttp.ClientConnectionError,
            aiohttp.ClientPayloadError,
            ConnectionError,
            TimeoutError,
            asyncio.TimeoutError,
        ),
    )


@dataclass
class PendingDeletion:
    """A server whose stop could not reach its cluster: deleted when the cluster answers again.

    Kept in the spawner's state (it survives clear_state and hub restarts). The uids make the retry safe: a newer
    server of the same name is never deleted by an old stop (the API server checks the precondition).
    """

    cluster: str
    namespace: str
    instance: str
    instance_uid: str | None = None
    secret: str | None = None
    secret_uid: str | None = None

    def to_state(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v}

    @classmethod
    def from_state(cls, data: Mapping[str, Any]) -> PendingDeletion | None:
        try:
            return cls(
                cluster=data.get("cluster", HOME),
                namespace=data["namespace"],
                instance=data["instance"],
                instance_uid=data.get("instance_uid"),
                secret=data.get("secret"),
                secret_uid=data.get("secret_uid"),
            )
        except (KeyError, TypeError, AttributeError):
            return None

    @property
    def key(self) -> tuple:
        return (self.cluster, self.namespace, self.instance, self.instance_uid)
