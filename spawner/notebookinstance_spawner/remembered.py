"""Stops that could not reach their cluster: remembered in the spawner's state and retried until done.

A mixin of NotebookInstanceSpawner (it uses its clients, settings and state). Each remembered deletion names the
instance and Secret by uid, so a retry never deletes a newer server of the same name. The state keeps them across
clear_state() and hub restarts; after a restart the spawners of stopped servers with a pending deletion are loaded
once (the hub loads only those of running servers), which resumes their retries.
"""

from __future__ import annotations

import asyncio

from .clusters import PendingDeletion, is_unreachable
from .kube import KubeApi


class RememberedDeletions:
    """_delete_or_remember() for stop() and failed starts; the retry loop; the resumption after a hub restart."""

    async def _delete_or_remember(self, kube: KubeApi, namespace: str) -> bool:
        """_delete; when the cluster does not answer, the deletion is remembered (state) and retried. False then."""
        try:
            async with asyncio.timeout(self.cluster_timeout):
                await self._delete(kube, namespace)
            return True
        except Exception as e:
            if not is_unreachable(e):
                raise
        pending = PendingDeletion(
            cluster=self.cluster_name,
            namespace=namespace,
            instance=self._instance_name(),
            instance_uid=self.instance_uid,
            secret=self._secret_name(),
            secret_uid=self.secret_uid,
        )
        if all(p.key != pending.key for p in self.pending_deletions):
            self.pending_deletions.append(pending)
        self.log.warning(
            "%s: %s is unreachable; the deletion of %s/%s is remembered and retried every %ss",
            self._log_name,
            self.cluster_config(self.cluster_name).label,
            namespace,
            pending.instance,
            self.deletion_retry_seconds,
        )
        if self._retry_task is None or self._retry_task.done():
            self._retry_task = asyncio.ensure_future(self._retry_until_done())
        return False

    async def _retry_until_done(self) -> None:
        while self.pending_deletions:
            await asyncio.sleep(self.deletion_retry_seconds)
            try:
                await self._retry_pending_deletions()
            except Exception:  # never let the retry loop die
                self.log.exception("%s: retrying remembered deletions", self._log_name)

    async def _retry_pending_deletions(self) -> None:
        """Deletes what earlier stops could not reach (only those very objects: uid preconditions)."""
        done = False
        for pending in list(self.pending_deletions):
            try:
                kube = await self.kube(pending.cluster)
                async with asyncio.timeout(self.cluster_timeout):
                    deleted = await kube.delete_instance(pending.namespace, pending.instance, pending.instance_uid)
                    if pending.secret and (pending.secret_uid or deleted):
                        await kube.delete_secret(pending.namespace, pending.secret, pending.secret_uid)
            except Exception as e:
                if not is_unreachable(e):
                    self.log.warning("%s: remembered deletion of %s failed: %s", self._log_name, pending.instance, e)
                continue
            self.pending_deletions.remove(pending)
            done = True
            self.log.info(
                "%s: deleted %s/%s on %s, whose stop could not reach it before",
                self._log_name,
                pending.namespace,
                pending.instance,
                self.cluster_config(pending.cluster).label,
            )
        if done:
            self._save_state()

    async def _resume_remembered(self) -> None:
        """After a hub restart: loads the spawners of stopped servers whose stop is still pending (their state
        says so), which resumes the retries. The hub itself loads only the spawners of running servers."""
        try:
            from jupyterhub import orm
            from sqlalchemy import inspect

            session = inspect(self.orm_spawner).session
            users = self.user.settings["users"]
        except Exception:  # not inside a hub (tests, scripts)
            return
        if session is None:
            return
        found = 0
        for orm_spawner in session.query(orm.Spawner).filter(orm.Spawner.server_id.is_(None)):
            if (orm_spawner.state or {}).get("pending_deletions") and orm_spawner.user is not None:
                users[orm_spawner.user].spawners[orm_spawner.name]  # load_state() schedules the retries
                found += 1
        if found:
            self.log.info("Resuming %d stop(s) that could not reach their cluster before the hub restarted", found)

    def _save_state(self) -> None:
        """Writes the state to the hub's database now (a retried deletion finished while the server is stopped)."""
        orm_spawner = getattr(self, "orm_spawner", None)
        try:
            from sqlalchemy import inspect

            session = inspect(orm_spawner).session
        except Exception:  # not an ORM object (tests), or detached
            return
        if session is not None:
            orm_spawner.state = self.get_state()
            session.commit()
