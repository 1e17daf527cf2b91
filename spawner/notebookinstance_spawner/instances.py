"""One list and watch of the namespace's instances that spawners made, shared by every server of the hub.

A start waits here for its instance's status (instead of a watch of its own: a request, a connection and a TLS
handshake per start), and poll() reads the status here (instead of a GET per server every 30 s: 1,000 requests a
minute with 500 servers). What it keeps is this hub's instances only (label app.kubernetes.io/managed-by), not the
namespace's pods and Events as KubeSpawner's reflectors do (docs/benchmarks.md, hub comparison).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from .shared_watch import SharedWatch

log = logging.getLogger(__name__)

# What a subscriber gets: ("ADDED" | "MODIFIED" | "DELETED", the object), or ("SYNC", the object or None) after each
# (re)list, when a change may have been missed.
Change = tuple[str, dict | None]


class InstanceCache(SharedWatch):
    """subscribe(name): a queue of the changes of the instance of that name from now on (Change)."""

    def __init__(
        self,
        list_instances: Callable[[], Awaitable[dict]],
        watch_instances: Callable[[str], AsyncIterator[dict]],
        namespace: str,
        retry_seconds: float = 1.0,
    ):
        """`list_instances()` returns the list (items and metadata.resourceVersion); `watch_instances(version)`
        yields watch events ({"type", "raw_object"}) from that version and raises `expired` when it is too old."""
        super().__init__(namespace, retry_seconds, "instance-cache")
        self._list = list_instances
        self._watch = watch_instances
        self._objects: dict[str, dict] = {}
        self._synced = asyncio.Event()

    async def get(self, name: str, wait_seconds: float = 5) -> tuple[bool, dict | None]:
        """(known, the instance or None): known is False while the cache has not listed yet (after waiting up to
        wait_seconds for it); then the caller must ask the API server."""
        self.start()
        if not self._synced.is_set():
            try:
                await asyncio.wait_for(self._synced.wait(), wait_seconds)
            except TimeoutError:
                return False, None
        return True, self._objects.get(name)

    async def _run(self) -> None:
        while True:
            try:
                listing = await self._list()
                self._objects = {i["metadata"]["name"]: i for i in listing.get("items") or []}
                self._synced.set()
                for name in list(self._subscribers):
                    self._dispatch(name, ("SYNC", self._objects.get(name)))
                async for event in self._watch(listing["metadata"]["resourceVersion"]):
                    obj: Any = event["raw_object"]
                    name = obj["metadata"]["name"]
                    if event["type"] == "DELETED":
                        if (self._objects.get(name) or {}).get("metadata", {}).get("uid") == obj["metadata"].get("uid"):
                            del self._objects[name]
                    else:
                        self._objects[name] = obj
                    self._dispatch(name, (event["type"], obj))
            except asyncio.CancelledError:
                raise
            except Exception as e:  # expired version, API server away: list again (starts and polls wait or GET)
                self._synced.clear()
                log.info("Watching instances in %s ended (%s); listing again", self._namespace, e)
                await asyncio.sleep(self._retry_seconds)
