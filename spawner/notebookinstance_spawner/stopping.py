"""poll() and stop(): whether a server runs, and its stop by deletion or suspension (suspend_on_stop).

A mixin of NotebookInstanceSpawner (it uses its cluster clients, naming and remembered deletions).
"""

from __future__ import annotations

import asyncio

from . import migration
from .clusters import Unreachable, is_unreachable
from .errors import SpawnError
from .kube import KubeApi

RUNNING_PHASES = (None, "", "Pending", "Provisioning", "Ready")


class StopFlow:
    """poll(), stop(), and the waits for an instance to be gone or suspended."""

    async def poll(self):
        name = self.instance_name
        if not name and self.legacy_pod:
            return await migration.poll_legacy(self)
        if not name:
            return 0
        kube = await self.kube()
        try:
            async with asyncio.timeout(self.cluster_timeout):
                known, current = await self._instance_cache(kube, self.namespace).get(name)
                if not known or current is None:  # not listed yet, or gone: the API server says which
                    current = await kube.get_instance(self.namespace, name)
        except Exception as e:
            if not is_unreachable(e):
                raise
            # Unknown is not stopped: saying so would make the hub forget a server that may well be running.
            self.log.warning(
                "Cannot poll %s: %s; counted as running",
                self._log_name,
                Unreachable(self.cluster_config(self.cluster_name), e),
            )
            return None
        if current is None:
            await kube.delete_secret(self.namespace, self._secret_name())  # nothing else will
            return 1
        if current["metadata"].get("deletionTimestamp"):
            return 1  # on its way out (a failed start or a stop already asked for this)
        if (current.get("spec") or {}).get("suspended") or (current.get("status") or {}).get("phase") == "Suspended":
            # suspended by the hub (suspend_on_stop) or by a lifetime limit: stopped, kept for the next start. The
            # hub calls no stop() for a server poll() calls stopped, and revokes its token: its Secret goes here
            await kube.delete_secret(self.namespace, self._secret_name())
            return 1
        phase = (current.get("status") or {}).get("phase")
        if phase in RUNNING_PHASES:
            return None
        if phase == "Failed":
            # the hub will not call stop() for a server that is not running, so this is the last chance to clean up
            self.log.warning(
                "Instance %s/%s failed: %s", self.namespace, name, (current.get("status") or {}).get("message")
            )
            await self._delete_or_remember(kube, self.namespace)
        return 1

    async def stop(self, now=False):
        if not self.instance_name and self.legacy_pod:
            await migration.stop_legacy(self, now)
            self.legacy_pod = self.legacy_namespace = None
            return
        kube = await self.kube()
        namespace, name = self.namespace, self._instance_name()
        self.instance_name = name
        if self._progress_tail is not None:
            self._progress_tail.cancel()
        self._progress_log = None
        if self.suspend_on_stop and await self._suspend(kube, namespace, name, now):
            return
        if not await self._delete_or_remember(kube, namespace):
            return  # its cluster is unreachable: the deletion is remembered and retried
        if not now:
            try:
                await self._wait_gone(namespace, name, self.stop_timeout)
            except Exception as e:
                if not is_unreachable(e):
                    raise
                self.log.warning("%s: its cluster went away while the server stopped: %s", self._log_name, e)

    async def _suspend(self, kube: KubeApi, namespace: str, name: str, now: bool) -> bool:
        """Suspends the instance (suspend_on_stop) and deletes the Secret, whose token the hub revokes at stop (the
        next start writes a new one). Waits until the operator reports it Suspended unless now. False when there is
        no instance to suspend (gone or going)."""
        current = await kube.get_instance(namespace, name)
        if current is None or current["metadata"].get("deletionTimestamp"):
            return False
        if await kube.set_suspended(namespace, name, True) is None:
            return False
        await kube.delete_secret(namespace, self._secret_name())
        self.log.info("Suspended instance %s/%s of %s", namespace, name, self._log_name)
        if now:
            return True
        try:
            async with asyncio.timeout(self.stop_timeout):
                async for seen in kube.watch_instance(namespace, name):
                    if seen is None or (seen.get("status") or {}).get("phase") in ("Suspended", "Failed"):
                        return True
        except TimeoutError:
            raise SpawnError(
                f"The instance {namespace}/{name} was not suspended {self.stop_timeout} seconds after it was asked to be"
            ) from None
        return True

    async def _delete(self, kube: KubeApi, namespace: str) -> None:
        """Deletes the instance (its pods and services go with it; claims marked Retain stay) and the Secret."""
        await kube.delete_instance(namespace, self._instance_name())
        await kube.delete_secret(namespace, self._secret_name())

    async def _wait_gone(self, namespace: str, name: str, timeout: int) -> None:
        kube = await self.kube()
        try:
            async with asyncio.timeout(timeout):
                async for current in kube.watch_instance(namespace, name):
                    if current is None:
                        return
        except TimeoutError:
            raise SpawnError(
                f"The instance {namespace}/{name} was not gone {timeout} seconds after its deletion"
            ) from None
