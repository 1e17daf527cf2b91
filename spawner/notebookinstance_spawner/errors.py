"""The error a start or stop reports to the user."""

from __future__ import annotations

from tornado import web


class SpawnError(web.HTTPError):
    """A start that cannot succeed; the message is shown to the user as it is (spawn page, REST API response).

    An HTTPError so that the hub answers with a status and this message instead of logging an "uncaught
    exception": 400 for options the user can fix, 500 otherwise.
    """

    def __init__(self, message: str, status_code: int = 500):
        super().__init__(status_code, "%s", message)
        self.message = message
        self.jupyterhub_message = message

    def __str__(self) -> str:
        return self.message
