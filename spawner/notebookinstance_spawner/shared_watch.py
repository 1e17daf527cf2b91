"""What the hub's shared watches (InstanceCache, EventFeed) have in common: one background task per namespace that
hands what it sees to the starts subscribed to an instance's name."""

from __future__ import annotations

import asyncio
from typing import Any


class SharedWatch:
    def __init__(self, namespace: str, retry_seconds: float, kind: str):
        self._namespace = namespace
        self._retry_seconds = retry_seconds
        self._kind = kind
        self._subscribers: dict[str, set[asyncio.Queue]] = {}
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=f"{self._kind}-{self._namespace}")

    def subscribe(self, name: str) -> asyncio.Queue:
        """A queue of what is seen about the instance of that name from now on."""
        queue: asyncio.Queue = asyncio.Queue()
        self._subscribers.setdefault(name, set()).add(queue)
        self.start()
        return queue

    def unsubscribe(self, name: str, queue: asyncio.Queue) -> None:
        queues = self._subscribers.get(name)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self._subscribers[name]

    def _dispatch(self, name: str | None, item: Any) -> None:
        for queue in list(self._subscribers.get(name, ())):
            queue.put_nowait(item)

    async def _run(self) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None
