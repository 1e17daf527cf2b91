"""The spawner's state in the hub's database: what a restarted hub needs to find a server again.

A mixin of NotebookInstanceSpawner. KubeSpawner's keys (pod_name, pvc_name) are read and written too, so a hub
switched from KubeSpawner finds its servers and claims, and one switched back keeps the claims.
"""

from __future__ import annotations

import asyncio

from .clusters import HOME, PendingDeletion
from .errors import SpawnError
from .kubespawner_compat import KubeSpawnerState


class ServerState:
    """get_state(), load_state(), clear_state()."""

    def get_state(self):
        state = super().get_state()
        if self.instance_name:
            state["instance_name"] = self.instance_name
            state["secret_name"] = self.secret_name or self._secret_name()
            state["namespace"] = self.namespace
            if self.cluster_name != HOME:
                state["cluster"] = self.cluster_name
            if self.instance_uid:
                state["instance_uid"] = self.instance_uid
            if self.secret_uid:
                state["secret_uid"] = self.secret_uid
        elif self.legacy_pod:  # KubeSpawner's keys, so a restarted hub still finds its server
            state["pod_name"] = self.legacy_pod
            state["namespace"] = self.legacy_namespace or self.namespace
        if self.pvc_name:
            state["pvc_name"] = self.pvc_name  # KubeSpawner's key: switching back keeps the claim too
        if self.pending_deletions:
            state["pending_deletions"] = [p.to_state() for p in self.pending_deletions]
        return state

    def load_state(self, state):
        super().load_state(state)
        self.instance_name = state.get("instance_name") or None
        self.secret_name = state.get("secret_name") or None
        if self.instance_name and state.get("namespace"):
            self.namespace = state["namespace"]
        self.cluster_name = (state.get("cluster") or HOME) if self.instance_name else HOME
        self.instance_uid = state.get("instance_uid") if self.instance_name else None
        self.secret_uid = state.get("secret_uid") if self.instance_name else None
        remembered = [PendingDeletion.from_state(p) for p in state.get("pending_deletions") or []]
        self.pending_deletions = [p for p in remembered if p is not None]
        if self.pending_deletions and (self._retry_task is None or self._retry_task.done()):
            try:
                self._retry_task = asyncio.ensure_future(self._retry_until_done())
            except RuntimeError:  # no event loop (a script reading states): retried at the next start
                pass
        kubespawner = KubeSpawnerState.of(state)
        if kubespawner is not None:
            self.legacy_pod, self.legacy_namespace = kubespawner.pod_name, kubespawner.namespace
            try:
                self.pvc_name = self._claim_name(kubespawner)
            except SpawnError as e:  # reported again at the next start; the hub must come up
                self.log.error("%s: %s", self._log_name, e)
        else:
            self.pvc_name = state.get("pvc_name") or self.pvc_name

    def clear_state(self):
        super().clear_state()
        self.instance_name = None
        self.secret_name = None
        self.instance_uid = self.secret_uid = None
        self.legacy_pod = self.legacy_namespace = None  # pvc_name stays: the claim outlives the server
        # pending_deletions stay too: a stop that could not reach its cluster is finished later
