"""Stands in for the cluster's DNS, for the hub of the end-to-end tests: <service>.<namespace>.svc.cluster.local (and
<service>.<namespace>.svc) resolve to the IPs of the ready pods the Service selects, as CoreDNS answers for a headless
Service (from its EndpointSlices, which this cluster does not have: they refuse the loopback pod IPs kwok hands out);
every other name goes to the system's resolver.

kwok's clusters run no DNS, and internal_ssl needs a name: the hub checks the server's certificate against the host it
connects to, and the certificate is made before the pod (and its IP) exists. The hub's HTTP client (aiohttp) takes it
as its connector's resolver, with an admin kubeconfig (the spawner keeps its own, restricted, credentials):

    c.JupyterHubHTTPClient.connector_options = {"resolver": ClusterDns("/path/to/admin.kubeconfig")}
"""

import socket

from aiohttp.abc import AbstractResolver
from aiohttp.resolver import ThreadedResolver
from kubernetes_asyncio import client, config


class ClusterDns(AbstractResolver):
    def __init__(self, kubeconfig: str, domain: str = "cluster.local"):
        self.kubeconfig, self.suffixes = kubeconfig, (f".svc.{domain}", ".svc")
        self._api: client.ApiClient | None = None
        self._system: ThreadedResolver | None = None

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[dict]:
        name = host.rstrip(".")
        for suffix in self.suffixes:
            parts = name.removesuffix(suffix).split(".") if name.endswith(suffix) else []
            if len(parts) == 2:
                return await self._service(host, parts[0], parts[1], port)
        if self._system is None:
            self._system = ThreadedResolver()
        return await self._system.resolve(host, port, family)

    async def _service(self, host: str, service: str, namespace: str, port: int) -> list[dict]:
        if self._api is None:
            configuration = client.Configuration()
            await config.load_kube_config(
                config_file=self.kubeconfig, client_configuration=configuration, persist_config=False
            )
            self._api = client.ApiClient(configuration)
        core = client.CoreV1Api(self._api)
        try:
            selector = (await core.read_namespaced_service(service, namespace)).spec.selector or {}
        except client.exceptions.ApiException as e:
            raise OSError(f"{host}: Service {namespace}/{service}: {e.reason}") from None
        pods = await core.list_namespaced_pod(
            namespace, label_selector=",".join(f"{k}={v}" for k, v in selector.items())
        )
        addresses = [
            pod.status.pod_ip
            for pod in pods.items
            if selector
            and pod.status.pod_ip
            and not pod.metadata.deletion_timestamp
            and any(c.type == "Ready" and c.status == "True" for c in pod.status.conditions or [])
        ]
        if not addresses:
            raise OSError(f"{host}: Service {namespace}/{service} has no ready endpoint")
        return [
            {"hostname": host, "host": a, "port": port, "family": socket.AF_INET, "proto": 0, "flags": 0}
            for a in addresses
        ]

    async def close(self) -> None:
        if self._system is not None:
            await self._system.close()
            self._system = None  # the hub's client may make another connector with this resolver
