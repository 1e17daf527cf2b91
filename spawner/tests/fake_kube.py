"""An in-memory Kubernetes API server speaking just the endpoints the spawner uses, over real HTTP.

The spawner's kubernetes_asyncio client talks to it exactly as to a real API server (lists, field-selected
watches resumed by resourceVersion, 404/409 errors), so the tests cover the client calls too. Tests play the
operator through set_status() and add_event(). Every request is recorded, so tests can check what the hub did
(and that it never touched pods).
"""

from __future__ import annotations

import asyncio
import base64
import copy
import itertools
import json
import uuid
from dataclasses import dataclass, field

from aiohttp import web

CUSTOM = "/apis/kubespawner.jupyterhub.org/v1/namespaces/{ns}/{plural}"
SECRETS = "/api/v1/namespaces/{ns}/secrets"
EVENTS = "/apis/events.k8s.io/v1/namespaces/{ns}/events"


@dataclass
class Change:
    version: int
    resource: str
    namespace: str
    type: str
    obj: dict


@dataclass
class FakeKube:
    objects: dict = field(default_factory=dict)  # (resource, namespace, name) -> object
    history: list = field(default_factory=list)  # every Change, for watches resuming from a version
    requests: list = field(default_factory=list)  # (method, path, query)
    hold_deletion: set = field(default_factory=set)  # (resource, namespace, name) deleted only by finish_deletion
    _versions: itertools.count = field(default_factory=lambda: itertools.count(100))
    _changed: asyncio.Condition | None = None
    _watches: list = field(default_factory=list)
    expire_before: int = 0  # watches from an older version get 410 Gone
    forbidden: set = field(default_factory=set)  # resources whose every request is refused (403), as by RBAC
    patches: list = field(default_factory=list)  # (name, content type, body) of every PATCH
    refuse_create: dict = field(default_factory=dict)  # resource -> (code, reason, message) the API server answers

    # -------------------------------------------------------------------------------------- store and changes

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def _record(self, resource: str, namespace: str, kind: str, obj: dict) -> None:
        version = next(self._versions)
        obj["metadata"]["resourceVersion"] = str(version)
        self.history.append(Change(version, resource, namespace, kind, copy.deepcopy(obj)))
        async with self._condition():
            self._condition().notify_all()

    async def put(self, resource: str, obj: dict, kind: str = "ADDED") -> dict:
        meta = obj.setdefault("metadata", {})
        meta.setdefault("uid", str(uuid.uuid4()))
        meta.setdefault("generation", 1)
        self.objects[(resource, meta["namespace"], meta["name"])] = obj
        await self._record(resource, meta["namespace"], kind, obj)
        return obj

    def get(self, resource: str, namespace: str, name: str) -> dict | None:
        return self.objects.get((resource, namespace, name))

    def all(self, resource: str) -> list[dict]:
        return [o for (r, _, _), o in self.objects.items() if r == resource]

    async def remove(self, resource: str, namespace: str, name: str) -> dict | None:
        obj = self.objects.pop((resource, namespace, name), None)
        if obj is not None:
            await self._record(resource, namespace, "DELETED", obj)
        return obj

    # ------------------------------------------------------------------------------------ playing the operator

    async def set_status(self, namespace: str, name: str, **status) -> dict:
        obj = self.get("jupyternotebookinstances", namespace, name)
        assert obj is not None, f"no instance {namespace}/{name}"
        obj["status"] = {**obj.get("status", {}), **status}
        await self._record("jupyternotebookinstances", namespace, "MODIFIED", obj)
        return obj

    async def add_event(
        self,
        namespace: str,
        instance: str,
        reason: str,
        note: str,
        type: str = "Normal",
        count: int | None = None,
        name: str | None = None,
    ) -> dict:
        target = self.get("jupyternotebookinstances", namespace, instance) or {"metadata": {}}
        event = {
            "apiVersion": "events.k8s.io/v1",
            "kind": "Event",
            "metadata": {"name": name or f"{instance}.{uuid.uuid4().hex[:12]}", "namespace": namespace},
            "regarding": {
                "apiVersion": "kubespawner.jupyterhub.org/v1",
                "kind": "JupyterNotebookInstance",
                "name": instance,
                "namespace": namespace,
                "uid": target["metadata"].get("uid"),
            },
            "reason": reason,
            "note": note,
            "type": type,
            "action": reason,
            "reportingController": "jupyter-notebook-operator",
            "reportingInstance": "test",
            "eventTime": "2026-11-25T10:00:00.000000Z",
        }
        if count:
            event["series"] = {"count": count, "lastObservedTime": "2026-11-25T10:00:01.000000Z"}
        existing = self.get("events", namespace, event["metadata"]["name"])
        if existing:
            event["metadata"]["uid"] = existing["metadata"]["uid"]
        return await self.put("events", event, "MODIFIED" if existing else "ADDED")

    async def finish_deletion(self, resource: str, namespace: str, name: str) -> None:
        self.hold_deletion.discard((resource, namespace, name))
        await self.remove(resource, namespace, name)

    # ------------------------------------------------------------------------------------------------- HTTP

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._log])
        custom = "/apis/kubespawner.jupyterhub.org/v1/namespaces/{ns}/{plural}"
        app.router.add_get(custom, self._list)
        app.router.add_post(custom, self._create)
        app.router.add_get(custom + "/{name}", self._read)
        app.router.add_delete(custom + "/{name}", self._delete)
        app.router.add_patch(custom + "/{name}", self._merge_patch)
        app.router.add_post("/api/v1/namespaces/{ns}/secrets", self._create)
        app.router.add_get("/api/v1/namespaces/{ns}/secrets/{name}", self._read)
        app.router.add_put("/api/v1/namespaces/{ns}/secrets/{name}", self._replace)
        app.router.add_delete("/api/v1/namespaces/{ns}/secrets/{name}", self._delete)
        app.router.add_get("/apis/events.k8s.io/v1/namespaces/{ns}/events", self._list)
        # pods only for what a hub may still do with KubeSpawner's servers during a migration: read, delete
        app.router.add_get("/api/v1/namespaces/{ns}/pods/{name}", self._read)
        app.router.add_delete("/api/v1/namespaces/{ns}/pods/{name}", self._delete)
        return app

    @web.middleware
    async def _log(self, request, handler):
        self.requests.append((request.method, request.path, dict(request.query)))
        if self._resource(request) in self.forbidden:
            return self._status(403, "Forbidden", f"{request.method} {request.path} is forbidden")
        return await handler(request)

    @staticmethod
    def _resource(request) -> str:
        if "plural" in request.match_info:
            return request.match_info["plural"]
        for resource in ("secrets", "pods"):
            if f"/{resource}" in request.path:
                return resource
        return "events"

    @staticmethod
    def _status(code: int, reason: str, message: str) -> web.Response:
        body = {
            "kind": "Status",
            "apiVersion": "v1",
            "status": "Failure",
            "message": message,
            "reason": reason,
            "code": code,
        }
        return web.json_response(body, status=code)

    async def _create(self, request):
        resource, ns = self._resource(request), request.match_info["ns"]
        body = await request.json()
        name = body["metadata"]["name"]
        if resource in self.refuse_create:
            return self._status(*self.refuse_create[resource])
        if self.get(resource, ns, name) is not None:
            return self._status(409, "AlreadyExists", f'{resource} "{name}" already exists')
        body["metadata"]["namespace"] = ns
        if resource == "secrets":
            body = _store_secret(body)
        return web.json_response(await self.put(resource, body), status=201)

    async def _replace(self, request):
        resource, ns, name = self._resource(request), request.match_info["ns"], request.match_info["name"]
        old = self.get(resource, ns, name)
        if old is None:
            return self._status(404, "NotFound", f'{resource} "{name}" not found')
        body = _store_secret(await request.json())
        body["metadata"]["uid"] = old["metadata"]["uid"]
        return web.json_response(await self.put(resource, body, "MODIFIED"))

    async def _merge_patch(self, request):
        """A JSON merge patch of spec (all the hub may patch); spec changes bump the generation, as the API does."""
        resource, ns, name = self._resource(request), request.match_info["ns"], request.match_info["name"]
        obj = self.get(resource, ns, name)
        if obj is None:
            return self._status(404, "NotFound", f'{resource} "{name}" not found')
        self.patches.append((name, request.headers.get("Content-Type"), await request.json()))
        patch = (await request.json()).get("spec") or {}
        spec = obj.setdefault("spec", {})
        before = dict(spec)
        for key, value in patch.items():
            if value is None:
                spec.pop(key, None)
            else:
                spec[key] = value
        if spec != before:
            obj["metadata"]["generation"] = obj["metadata"].get("generation", 1) + 1
        await self._record(resource, ns, "MODIFIED", obj)
        return web.json_response(obj)

    async def _read(self, request):
        resource, ns, name = self._resource(request), request.match_info["ns"], request.match_info["name"]
        obj = self.get(resource, ns, name)
        if obj is None:
            return self._status(404, "NotFound", f'{resource} "{name}" not found')
        return web.json_response(obj)

    async def _delete(self, request):
        resource, ns, name = self._resource(request), request.match_info["ns"], request.match_info["name"]
        obj = self.get(resource, ns, name)
        if obj is None:
            return self._status(404, "NotFound", f'{resource} "{name}" not found')
        options = await request.json() if request.can_read_body else {}
        wanted = ((options or {}).get("preconditions") or {}).get("uid")
        if wanted and wanted != obj["metadata"].get("uid"):  # as the API server answers a failed precondition
            return self._status(409, "Conflict", f"Precondition failed: UID in precondition: {wanted}")
        if (resource, ns, name) in self.hold_deletion:
            obj["metadata"]["deletionTimestamp"] = "2026-11-25T10:00:00Z"
            await self._record(resource, ns, "MODIFIED", obj)
            return web.json_response(obj, status=202)
        await self.remove(resource, ns, name)
        return web.json_response({"kind": "Status", "status": "Success"})

    async def _list(self, request):
        resource, ns = self._resource(request), request.match_info["ns"]
        selector = _parse_selector(request.query.get("fieldSelector", "")) + [
            ("metadata.labels." + key, value) for key, value in _parse_selector(request.query.get("labelSelector", ""))
        ]
        if request.query.get("watch") in ("true", "True", "1"):
            return await self._watch(request, resource, ns, selector)
        items = [o for (r, n, _), o in self.objects.items() if r == resource and n == ns and _matches(o, selector)]
        version = self.history[-1].version if self.history else 1
        return web.json_response(
            {"kind": "List", "apiVersion": "v1", "metadata": {"resourceVersion": str(version)}, "items": items}
        )

    async def _watch(self, request, resource, ns, selector):
        since = int(request.query.get("resourceVersion") or 0)
        timeout = float(request.query.get("timeoutSeconds") or 30)
        response = web.StreamResponse()
        await response.prepare(request)
        if since < self.expire_before:
            gone = {
                "type": "ERROR",
                "object": {
                    "kind": "Status",
                    "code": 410,
                    "reason": "Expired",
                    "message": f"too old resource version: {since}",
                },
            }
            await response.write(json.dumps(gone).encode() + b"\n")
            return response
        self._watches.append(request)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                pending = [c for c in self.history if c.version > since]
                for change in pending:
                    since = change.version
                    if change.resource == resource and change.namespace == ns and _matches(change.obj, selector):
                        line = json.dumps({"type": change.type, "object": change.obj}) + "\n"
                        await response.write(line.encode())
                if pending:
                    continue
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                async with self._condition():
                    if not any(c.version > since for c in self.history):
                        try:
                            await asyncio.wait_for(self._condition().wait(), remaining)
                        except TimeoutError:
                            pass
        finally:
            self._watches.remove(request)
        return response

    def watching(self, resource: str) -> int:
        """How many watches of resource are open now."""
        return sum(1 for r in self._watches if self._resource(r) == resource)


def _store_secret(body: dict) -> dict:
    """As the API server does: stringData is merged into data, base64-encoded."""
    data = dict(body.get("data") or {})
    for key, value in (body.pop("stringData", None) or {}).items():
        data[key] = base64.b64encode(value.encode()).decode()
    body["data"] = data
    return body


def _parse_selector(text: str) -> list[tuple[str, str]]:
    return [tuple(part.split("=", 1)) for part in text.split(",") if part]


def _matches(obj: dict, selector: list[tuple[str, str]]) -> bool:
    for path, wanted in selector:
        value = obj
        keys = path.split(".", 2) if path.startswith("metadata.labels.") else path.split(".")
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if (value or "") != wanted:
            return False
    return True


def secret_env(secret: dict) -> dict[str, str]:
    return {k: base64.b64decode(v).decode() for k, v in (secret.get("data") or {}).items()}
