"""JupyterHub's internal_ssl (`c.JupyterHub.internal_ssl = True`) for servers the operator runs.

Before each start the hub makes the server a key and a certificate signed by its notebooks-ca (create_certs) and
tells the server where they are (get_env: JUPYTERHUB_SSL_KEYFILE, _CERTFILE, _CLIENT_CA). Those files are on the
hub's disk, so move_certs() puts their contents into the server's Secret, the one the hub writes for every server
anyway (keys the chart's admission policy allows), and answers with where the pod sees them: the template mounts
those three keys of its instance's Secret (`{instance_name}`) as files at internal_ssl_mount_path. The hub then
reaches the server over https and the server requires the hub's client certificate (docs/spawner.md).

A mixin of NotebookInstanceSpawner (it uses its settings, naming and placement).
"""

from __future__ import annotations

import ipaddress
from inspect import isawaitable
from pathlib import Path
from urllib.parse import urlsplit

from jupyterhub.spawner import Spawner

from .errors import SpawnError

#: cert_paths field -> (key in the server's Secret, file name under internal_ssl_mount_path); KubeSpawner's file names
SECRET_FILES = {
    "keyfile": ("JUPYTERHUB_SSL_KEY", "ssl.key"),
    "certfile": ("JUPYTERHUB_SSL_CERT", "ssl.crt"),
    "cafile": ("JUPYTERHUB_SSL_CA", "notebooks-ca_trust.crt"),
}
#: JupyterHub < 5.3 has no apply_user_options: the placement (and so the namespace) is not made before create_certs
_PLACED_BEFORE_CERTS = "apply_user_options" in Spawner.class_trait_names()


class InternalSsl:
    """create_certs() naming the server as the hub reaches it, move_certs() into the Secret, the https URL."""

    _internal_ssl_data: dict[str, str] | None = None
    #: the names the server's current certificate was made for (its subjectAltName entries)
    _certificate_names: list[str] | None = None

    def server_dns_names(self) -> list[str]:
        """The names of a Service called like the instance, in the instance's namespace: what the certificate
        always names (the hub checks the host of the URL it uses against it)."""
        name, namespace = self._instance_name(), self.namespace
        return [
            f"DNS:{name}",
            f"DNS:{name}.{namespace}",
            f"DNS:{name}.{namespace}.svc",
            f"DNS:{name}.{namespace}.svc.cluster.local",
        ]

    async def create_certs(self):
        """JupyterHub's, for the server's DNS names and the admin's ssl_alt_names (a list, or a callable)."""
        if not _PLACED_BEFORE_CERTS:
            await self.plan()  # the cluster and namespace of this start
        configured = self.ssl_alt_names
        extra = configured(self) if callable(configured) else configured
        if isawaitable(extra):
            extra = await extra
        names = self.server_dns_names()
        self.ssl_alt_names = names + [n for n in extra or [] if n not in names]
        local = ["DNS:localhost", "IP:127.0.0.1"] if self.ssl_alt_names_include_local else []
        self._certificate_names = local + list(self.ssl_alt_names)
        try:
            return await super().create_certs()
        finally:
            self.ssl_alt_names = configured

    async def move_certs(self, paths):
        """Reads the hub's files for the server's Secret; returns the paths the server sees them at."""
        self._internal_ssl_data = {key: Path(paths[field]).read_text() for field, (key, _) in SECRET_FILES.items()}
        mount = self.internal_ssl_mount_path.rstrip("/")
        return {field: f"{mount}/{file}" for field, (_, file) in SECRET_FILES.items()}

    def internal_ssl_secret_data(self) -> dict[str, str]:
        """The certificate material for the server's Secret ({} without internal_ssl)."""
        if not self.internal_ssl or not self.cert_paths:
            return {}
        return dict(self._internal_ssl_data or {})

    def hub_facing_url(self, url: str) -> str:
        """status.url as the hub uses it: with internal_ssl the server speaks only TLS, so an http:// address (the
        pod's, by default) becomes https://. SpawnError when its host is not a name of the server's certificate:
        the hub would refuse the server's certificate and wait for it until http_timeout."""
        if not self.internal_ssl:
            return url
        if url.startswith("http://"):
            url = "https://" + url.removeprefix("http://")
        names = self._certificate_names
        host = urlsplit(url).hostname or ""
        if names and not any(_certifies(name, host) for name in names):
            raise SpawnError(
                f"The server's address {url} is not a name its certificate was made for ({', '.join(names)}): with"
                " internal_ssl the template must report a name known before the pod starts, e.g. a Service named like"
                " the instance (kubespawner.jupyterhub.org/server-url; docs/spawner.md), or the hub's ssl_alt_names"
                " must list it"
            )
        return url


def _certifies(name: str, host: str) -> bool:
    """Whether a subjectAltName entry ("DNS:x", "DNS:*.x", "IP:a.b.c.d") covers host, as a TLS client checks it."""
    kind, _, value = name.partition(":")
    if kind == "IP":
        try:
            return ipaddress.ip_address(value) == ipaddress.ip_address(host)
        except ValueError:
            return False
    value, host = value.lower().rstrip("."), host.lower().rstrip(".")
    if value.startswith("*."):
        first, _, rest = host.partition(".")
        return bool(first) and rest == value[2:]
    return kind == "DNS" and value == host
