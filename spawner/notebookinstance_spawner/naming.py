"""The names of a server's objects and the variables the spawner fills for every server.

A mixin of NotebookInstanceSpawner (it uses its settings and the hub's user and server name).
"""

from __future__ import annotations

import os
import re

from jupyterhub.spawner import Spawner

from .errors import SpawnError
from .kubespawner_compat import KubeSpawnerState, expand
from .resources import check_name
from .settings import SERVICE_ACCOUNT_NAMESPACE
from .slugs import ServerNames


class ServerNaming:
    """Instance and Secret names (KubeSpawner's slugs), the filled variables, the claim name, format_string."""

    @property
    def names(self) -> ServerNames:
        return ServerNames.of(self.user.name, self.name)

    def _name_fields(self) -> dict[str, str]:
        n = self.names
        return {
            "username": n.username,
            "servername": n.servername,
            "user_server": n.user_server,
            "userid": str(self.user.id),
        }

    def _instance_name(self) -> str:
        return self.instance_name or check_name(
            "JupyterNotebookInstance", self.instance_name_template.format(**self._name_fields())
        )

    def _secret_name(self) -> str:
        return self.secret_name or check_name(
            "Secret", self.secret_name_template.format(instance_name=self._instance_name(), **self._name_fields())
        )

    def filled_variables(self) -> dict[str, str]:
        """The variables the spawner fills for every server (sent when the template declares them)."""
        n = self.names
        return {
            "username": n.username,
            "unescaped_username": n.unescaped_username,
            "servername": n.servername,
            "unescaped_servername": n.unescaped_servername,
            "user_server": n.user_server,
            "userid": str(self.user.id),
            "pvc_name": self.pvc_name or self._claim_name(None),
            "hub_namespace": self.hub_namespace,
        }

    @property
    def hub_namespace(self) -> str:
        """The hub's own namespace (network policies of templates let its pods in and out)."""
        if os.environ.get("POD_NAMESPACE"):
            return os.environ["POD_NAMESPACE"]
        if os.path.exists(SERVICE_ACCOUNT_NAMESPACE):
            with open(SERVICE_ACCOUNT_NAMESPACE) as f:
                return f.read().strip()
        return self.namespace

    def _claim_name(self, kubespawner: KubeSpawnerState | None) -> str:
        """The claim KubeSpawner would mount for this server: remembered in its state (older names included), else
        pvc_name_template's. Raises SpawnError when the template cannot be filled."""
        fields = {"userid": self.user.id, "namespace": self.namespace, "hub_namespace": self.hub_namespace}
        try:
            if kubespawner is not None:
                return kubespawner.claim_name(self.pvc_name_template, self.user.name, self.name, **fields)
            return expand(self.pvc_name_template, self.user.name, self.name, **fields)
        except (KeyError, ValueError, IndexError) as e:
            raise SpawnError(f"Cannot start the server: pvc_name_template {self.pvc_name_template!r}: {e!r}") from None

    def format_string(self, s):
        """Spawner.format_string, with JupyterHub's own fields ({username}, {servername}, ...).

        The `template_namespace` trait (where templates are read) shadows Spawner.template_namespace(), the method
        JupyterHub's format_string calls: without this, every setting it expands (default_url, notebook_dir, ...)
        failed with "'str' object is not callable" (found by the browser test, which sets default_url).
        """
        return s.format(**Spawner.template_namespace(self))

    def _is_secret_env(self, name: str) -> bool:
        if name in self.secret_env_keys:
            return True
        return bool(self.secret_env_pattern) and re.fullmatch(self.secret_env_pattern, name) is not None
