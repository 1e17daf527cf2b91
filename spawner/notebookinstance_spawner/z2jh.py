"""Zero-to-JupyterHub's hub switched to this spawner: one call from ``hub.extraConfig`` (charts/z2jh/values.yaml).

    hub:
      extraConfig:
        00-notebookinstance-spawner: |
          from notebookinstance_spawner.z2jh import configure
          configure(c)

- the hub uses NotebookInstanceSpawner (by class path, so it also works when the package is mounted with
  ``hub.extraFiles`` instead of installed);
- ``hub_connect_url`` names the hub's Service with its namespace, so servers in other namespaces (the operator
  chart's ``hub.namespaces``) reach the hub; the chart writes ``http://hub:8081``, which only resolves in its own;
- the KubeSpawner settings the chart wrote are listed once, as the hub starts: which this spawner uses as its
  defaults (``start_timeout``: Z2JH's 300 s), which the templates hold now, which have no equivalent, which are unknown.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

from . import migration

SPAWNER_CLASS = "notebookinstance_spawner.NotebookInstanceSpawner"


def configure(c, namespace: str | None = None) -> str | None:
    """Applies the switch to the hub's configuration ``c``. Returns the warning it logged, if any."""
    c.JupyterHub.spawner_class = SPAWNER_CLASS
    namespace = namespace or os.environ.get("POD_NAMESPACE")
    url = c.JupyterHub.get("hub_connect_url") if "hub_connect_url" in c.JupyterHub else None
    if url and namespace:
        c.JupyterHub.hub_connect_url = qualified(url, namespace)
    return migration.warn_about_kubespawner_settings(c)


def qualified(url: str, namespace: str) -> str:
    """http://hub:8081 -> http://hub.<namespace>.svc:8081 (a name with a dot, or an address, stays as it is)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host or "." in host or ":" in host:
        return url
    netloc = f"{host}.{namespace}.svc" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
