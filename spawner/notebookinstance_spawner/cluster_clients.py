"""The API clients of the hub's own cluster and of the configured workload clusters.

A mixin of NotebookInstanceSpawner. One client per configuration per process, shared by every spawner.
"""

from __future__ import annotations

import asyncio
import base64
import os
from typing import ClassVar

import yaml
from kubernetes_asyncio import client, config
from kubernetes_asyncio.client.exceptions import ApiException

from .clusters import HOME, Cluster, clusters_from_config
from .errors import SpawnError
from .instances import InstanceCache
from .kube import KubeApi
from .resources import MANAGED_BY


class ClusterClients:
    """cluster_config(), kube() (the facade of a cluster's API) and the shared instance cache of a namespace."""

    _kube: KubeApi | None = None  # tests (and embedders) may set their own
    _cluster_kubes: dict[str, KubeApi] | None = None  # tests may set their own, by cluster name
    _clients: ClassVar[dict[tuple, KubeApi]] = {}  # one API client per configuration, shared by all spawners
    _clients_lock: asyncio.Lock | None = None

    def cluster_config(self, name: str) -> Cluster:
        """The named cluster's settings (HOME: the spawner's own); SpawnError when it is not configured."""
        if name == HOME:
            return Cluster(HOME, kubeconfig=self.kubeconfig, context=self.kube_context)
        try:
            clusters = clusters_from_config(self.clusters)
        except ValueError as e:  # the admin's configuration
            raise SpawnError(f"Cannot use cluster {name!r}: {e}") from None
        if name not in clusters:
            raise SpawnError(
                f"Cannot use cluster {name!r}: it is not in NotebookInstanceSpawner.clusters (configured: "
                f"{', '.join(sorted(clusters)) or 'none'})"
            )
        return clusters[name]

    def _namespace_in(self, cluster: Cluster) -> str:
        return cluster.namespace or self._configured_namespace

    async def kube(self, cluster: str | None = None) -> KubeApi:
        """The API facade of a cluster (default: the current server's), one per configuration per process,
        shared by every spawner."""
        name = self.cluster_name if cluster is None else cluster
        if name == HOME and self._kube is not None:
            return self._kube
        if self._cluster_kubes and name in self._cluster_kubes:
            return self._cluster_kubes[name]
        settings = self.cluster_config(name)
        cls = ClusterClients
        if cls._clients_lock is None:
            cls._clients_lock = asyncio.Lock()
        secret = tuple(sorted((settings.kubeconfig_secret or {}).items()))
        key = (name, settings.kubeconfig, secret, settings.context, self.watch_timeout_seconds)
        # read before taking the lock: reading it takes the lock too (for the hub's own cluster's client)
        from_secret = await self._kubeconfig_from_secret(settings) if secret and key not in cls._clients else None
        async with cls._clients_lock:
            if key not in cls._clients:
                configuration = client.Configuration()
                if secret:
                    await config.load_kube_config_from_dict(
                        from_secret, context=settings.context or None, client_configuration=configuration
                    )
                elif name == HOME and not settings.kubeconfig and os.environ.get("KUBERNETES_SERVICE_HOST"):
                    config.load_incluster_config(client_configuration=configuration)
                else:
                    await config.load_kube_config(
                        config_file=settings.kubeconfig or None,
                        context=settings.context or None,
                        client_configuration=configuration,
                        persist_config=False,
                    )
                # Every pending start holds one watch (its instance) and JupyterHub allows 100 pending starts by
                # default (concurrent_spawn_limit): kubernetes_asyncio's pool of 100 would make starts queue for
                # connections in a burst.
                configuration.connection_pool_maxsize = max(configuration.connection_pool_maxsize, 250)
                cls._clients[key] = KubeApi(client.ApiClient(configuration), self.watch_timeout_seconds)
        if name == HOME:
            self._kube = cls._clients[key]
        return cls._clients[key]

    async def _kubeconfig_from_secret(self, settings: Cluster) -> dict:
        """The kubeconfig a Secret in the hub's own cluster and namespace holds (the hub may get Secrets there)."""
        ref = settings.kubeconfig_secret or {}
        name, key = ref["name"], ref.get("key") or "kubeconfig"
        home = await self.kube(HOME)
        try:
            found = await home.core.read_namespaced_secret(name, self._configured_namespace)
        except ApiException as e:
            raise SpawnError(f"Cannot read the kubeconfig of {settings.label}: Secret {name}: {e.reason}") from None
        data = (found.data or {}).get(key)
        if not data:
            raise SpawnError(f"Cannot read the kubeconfig of {settings.label}: Secret {name} has no key {key!r}")
        return yaml.safe_load(base64.b64decode(data))

    @staticmethod
    def _instance_cache(kube: KubeApi, namespace: str) -> InstanceCache:
        return kube.instance_cache(namespace, f"app.kubernetes.io/managed-by={MANAGED_BY}")
