"""What start() sees (status changes and Events), kept so progress() can replay and follow it.

start() runs the only watches; progress() (one per browser tab on the spawn page) just reads this log, so watching
costs the API server the same however many people look at the page.
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import AsyncIterator, Mapping
from typing import Any

# Longest Event note shown on the spawn page (a client error can carry a whole API response).
MAX_NOTE = 400

# How far along each phase is, for the spawn page's progress bar.
PHASE_PROGRESS = {"Pending": 20, "Provisioning": 50, "Ready": 100, "Failed": 100, "Terminating": 90}


#: how the spawn page names the rule that will stop a server (status.stopReason)
STOP_RULES = {
    "MaxAgeExceeded": "when it reaches its maximum age",
    "IdleLimitExceeded": "if it stays idle until then",
}


def time_left(status: Mapping[str, Any], now: datetime.datetime | None = None) -> str | None:
    """The sentence telling the user when the operator will stop the server (status.stopAt), or None."""
    stop_at = status.get("stopAt")
    if not stop_at:
        return None
    try:
        when = datetime.datetime.fromisoformat(str(stop_at).replace("Z", "+00:00"))
    except ValueError:
        return None
    now = now or datetime.datetime.now(datetime.UTC)
    minutes = max(0, round((when - now).total_seconds() / 60))
    left = f"about {minutes} minute{'s' if minutes != 1 else ''}" if minutes < 120 else f"about {minutes // 60} hours"
    rule = STOP_RULES.get(status.get("stopReason") or "", "by the template's lifetime limit")
    return f"This server will be stopped at {when.strftime('%Y-%m-%d %H:%M UTC')} ({left} from now), {rule}"


class ProgressLog:
    def __init__(self) -> None:
        self._items: list[dict] = []
        self._changed = asyncio.Event()
        self._closed = False
        self._progress = 0
        self._last_status: tuple | None = None
        self.last_status_text: str | None = None
        self._seen_events: dict[str, Any] = {}
        self._followed = asyncio.Event()

    @property
    def items(self) -> list[dict]:
        return list(self._items)

    def add(self, message: str, progress: int | None = None) -> None:
        if progress is not None:
            self._progress = max(self._progress, min(progress, 100))
        self._items.append({"progress": self._progress, "message": message})
        self._changed.set()

    def status(self, instance: Mapping[str, Any]) -> None:
        """Records the instance's phase and message when either changed."""
        status = instance.get("status") or {}
        phase, message = status.get("phase"), status.get("message")
        if (phase, message) == self._last_status or not (phase or message):
            return
        self._last_status = (phase, message)
        text = f"{phase}: {message}" if phase and message else (phase or message)
        self.last_status_text = text
        self.add(text, PHASE_PROGRESS.get(phase))

    def event(self, event: Mapping[str, Any]) -> None:
        """Records an events.k8s.io/v1 Event, again when its series count grows."""
        meta = event.get("metadata") or {}
        key = meta.get("uid") or meta.get("name")
        count = ((event.get("series") or {}).get("count")) or event.get("deprecatedCount") or 1
        if self._seen_events.get(key) == count:
            return
        self._seen_events[key] = count
        reason = event.get("reason") or "Event"
        note = event.get("note") or ""
        if len(note) > MAX_NOTE:
            note = note[: MAX_NOTE - 1] + "…"
        prefix = "Warning: " if event.get("type") == "Warning" else ""
        repeated = f" (x{count})" if count > 1 else ""
        self.add(f"{prefix}{reason}: {note}{repeated}".rstrip(": "))

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        self._closed = True
        self._changed.set()

    async def followed(self, timeout: float) -> bool:
        """Whether someone follows the log (a spawn page's progress stream), waiting up to timeout seconds for one."""
        try:
            await asyncio.wait_for(self._followed.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def follow(self) -> AsyncIterator[dict]:
        """Every item so far, then new ones until the log is closed."""
        self._followed.set()
        index = 0
        while True:
            while index < len(self._items):
                yield self._items[index]
                index += 1
            if self._closed:
                return
            self._changed.clear()
            await self._changed.wait()
