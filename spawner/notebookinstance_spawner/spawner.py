"""NotebookInstanceSpawner: JupyterHub asks the operator for a server instead of creating pods itself.

The class is composed of mixins with one job each: settings.py (the configurable traits), naming.py (object names,
filled variables), cluster_clients.py (API clients per cluster), placement.py (profile, cluster, template, values),
starting.py (create or resume, wait for Ready, progress), stopping.py (poll, stop, suspend), remembered.py (stops that
could not reach their cluster), state.py (the hub's database), internal_ssl.py (TLS between hub and server).
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from jupyterhub.spawner import Spawner
from traitlets import default

from . import migration
from .cluster_clients import ClusterClients
from .clusters import HOME, PendingDeletion
from .errors import SpawnError
from .internal_ssl import InternalSsl
from .naming import ServerNaming
from .placement import Placement, check_user_options, options_form
from .remembered import RememberedDeletions
from .settings import SpawnerSettings
from .starting import StartFlow
from .state import ServerState
from .stopping import StopFlow

__all__ = ["NotebookInstanceSpawner", "SpawnError"]


class NotebookInstanceSpawner(
    SpawnerSettings,
    ServerNaming,
    ClusterClients,
    Placement,
    StartFlow,
    StopFlow,
    RememberedDeletions,
    ServerState,
    InternalSsl,
    Spawner,
):
    """Starts each server as a JupyterNotebookInstance of an admin-owned template.

    The hub's API token travels in a Secret the operator mounts with envFrom; everything else the hub knows about
    the server comes from the instance's status and the operator's Events. The hub needs no rights on pods.
    """

    # ------------------------------------------------------------------------ JupyterHub's settings, defaulted

    @default("ip")
    def _default_ip(self):
        return "0.0.0.0"  # the server listens on its pod's address, not the hub's localhost

    @default("port")
    def _default_port(self):
        return 8888

    @default("options_form")
    def _default_options_form(self):
        return options_form

    if "apply_user_options" in Spawner.class_trait_names():  # JupyterHub >= 5.3 checks options before start()

        @default("apply_user_options")
        def _default_apply_user_options(self):
            return check_user_options

    @default("ssl_alt_names_include_local")
    def _default_ssl_alt_names_include_local(self):
        return False  # internal_ssl: a server's certificate names the server, not localhost (as KubeSpawner's)

    # ------------------------------------------------------------------------------------------ runtime state

    instance_name: str | None = None
    secret_name: str | None = None
    #: the home claim's name once known (remembered across starts, like KubeSpawner 7's pvc_name)
    pvc_name: str | None = None
    #: a server KubeSpawner started before the switch (its pod), until it is stopped or a new start replaces it
    legacy_pod: str | None = None
    legacy_namespace: str | None = None
    #: the cluster of the current (or last) server: HOME or a name in `clusters`
    cluster_name: str = HOME
    instance_uid: str | None = None
    secret_uid: str | None = None
    _retry_task: asyncio.Task | None = None
    _resumed: ClassVar[bool] = False  # the remembered deletions of stopped servers were looked up (once per hub)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        migration.apply_kubespawner_defaults(self, set(kwargs))
        self._configured_namespace = self.namespace  # a server on another cluster changes self.namespace
        #: stops that could not reach their cluster, retried until done (kept in the state)
        self.pending_deletions: list[PendingDeletion] = []
        if not NotebookInstanceSpawner._resumed and self.clusters:
            try:
                asyncio.get_running_loop().call_soon(lambda: asyncio.ensure_future(self._resume_remembered()))
                NotebookInstanceSpawner._resumed = True
            except RuntimeError:  # no event loop yet: the next spawner made in one does it
                pass
