"""One watch of a namespace's Events about JupyterNotebookInstances, shared by every start of the hub.

A start needs the operator's Events about its instance for the progress page, from the moment it creates the
instance until a little after Ready (progress_tail_seconds). A list and a watch per start cost two more requests,
a connection and a TLS handshake each, and in a burst of logins the watches held through the tail exhausted the
API client's connection pool, so that every start waited for connections (docs/benchmarks.md, hub comparison).
The feed lists and watches once (field selector regarding.kind=JupyterNotebookInstance: only the operator's Events
about instances, which expire with the API server's event TTL) and hands each Event to the starts that subscribed
to its instance's name. It keeps nothing: an Event nobody waits for is dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

log = logging.getLogger(__name__)


class EventFeed:
    def __init__(self, watch: Any, namespace: str, retry_seconds: float = 1.0):
        """`watch(namespace)` yields every Event about instances in the namespace: those that exist, then new ones
        and updates (KubeApi.watch_events without a name)."""
        self._watch = watch
        self._namespace = namespace
        self._retry_seconds = retry_seconds
        self._subscribers: dict[str, set[asyncio.Queue]] = {}
        self._task: asyncio.Task | None = None

    def subscribe(self, instance_name: str) -> asyncio.Queue:
        """A queue of the Events regarding that instance from now on (and those the feed's first list finds)."""
        queue: asyncio.Queue = asyncio.Queue()
        self._subscribers.setdefault(instance_name, set()).add(queue)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=f"event-feed-{self._namespace}")
        return queue

    def unsubscribe(self, instance_name: str, queue: asyncio.Queue) -> None:
        queues = self._subscribers.get(instance_name)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self._subscribers[instance_name]

    async def follow(self, instance_name: str, queue: asyncio.Queue) -> AsyncIterator[dict]:
        """The subscription's Events as they come; unsubscribes when the caller stops."""
        try:
            while True:
                yield await queue.get()
        finally:
            self.unsubscribe(instance_name, queue)

    async def _run(self) -> None:
        while True:
            try:
                async for event in self._watch(self._namespace):
                    name = (event.get("regarding") or {}).get("name")
                    for queue in list(self._subscribers.get(name, ())):
                        queue.put_nowait(event)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # progress messages are a comfort: retry, never fail a start
                log.warning("Watching Events in %s failed (%s); retrying", self._namespace, e)
                await asyncio.sleep(self._retry_seconds)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None
