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

from .shared_watch import SharedWatch

log = logging.getLogger(__name__)


class EventFeed(SharedWatch):
    """subscribe(name): a queue of the Events regarding that instance from now on (and those the first list finds)."""

    def __init__(self, watch: Any, namespace: str, retry_seconds: float = 1.0):
        """`watch(namespace)` yields every Event about instances in the namespace: those that exist, then new ones
        and updates (KubeApi.watch_events without a name)."""
        super().__init__(namespace, retry_seconds, "event-feed")
        self._watch = watch

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
                    self._dispatch((event.get("regarding") or {}).get("name"), event)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # progress messages are a comfort: retry, never fail a start
                log.warning("Watching Events in %s failed (%s); retrying", self._namespace, e)
                await asyncio.sleep(self._retry_seconds)
