"""Loaded into the benchmark's JupyterHub (bench/jnobench/hub.py puts this folder on its PYTHONPATH).

MemoryProxy: no configurable-http-proxy (it needs Node); the benchmark talks to the hub's REST API only, and every
spawner under test pays the same (nothing) for routes.
FloorSpawner: the hub's own cost of a spawn, whatever the spawner: start() returns the URL of an address the fake
notebook server (fakeserver.py) answers on, at once, without any Kubernetes request. The hub then does everything
it does for the real spawners (database, HTTP check of the server, routes, polling).
"""

from jupyterhub.proxy import Proxy
from jupyterhub.spawner import Spawner
from traitlets import Unicode


class MemoryProxy(Proxy):
    should_start = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.routes = {}

    async def add_route(self, routespec, target, data):
        self.routes[routespec] = {"routespec": routespec, "target": target, "data": data}

    async def delete_route(self, routespec):
        self.routes.pop(routespec, None)

    async def get_all_routes(self):
        return dict(self.routes)


class FloorSpawner(Spawner):
    server_url = Unicode("", config=True, help="the URL start() returns (an address fakeserver.py answers on)")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._running = False

    async def start(self):
        self._running = True
        return self.server_url

    async def poll(self):
        return None if self._running else 0

    async def stop(self, now=False):
        self._running = False

    def get_state(self):
        state = super().get_state()
        state["running"] = self._running
        return state

    def load_state(self, state):
        super().load_state(state)
        self._running = bool(state.get("running"))
