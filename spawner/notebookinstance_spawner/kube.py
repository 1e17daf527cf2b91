"""The few Kubernetes API calls the spawner makes, on kubernetes_asyncio, with plain dicts in and out.

Exactly what the hub's RBAC allows: instances (create/get/list/watch/patch/delete; patch only of spec.suspended,
which the chart's admission policy enforces), templates (get), Secrets
(create/get/delete) and Events (list/watch). Never pods: everything about the server comes from the
instance's status and the operator's Events.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator

from kubernetes_asyncio import client
from kubernetes_asyncio.client.exceptions import ApiException

from .events import EventFeed
from .instances import InstanceCache

GROUP = "kubespawner.jupyterhub.org"
VERSION = "v1"
INSTANCES = "jupyternotebookinstances"
TEMPLATES = "jupyternotebookinstancetemplates"
INSTANCE_KIND = "JupyterNotebookInstance"

log = logging.getLogger(__name__)


class KubeApi:
    """Thin async facade over one kubernetes_asyncio ApiClient."""

    def __init__(self, api_client: client.ApiClient, watch_timeout_seconds: int = 300):
        self.api_client = api_client
        self.custom = client.CustomObjectsApi(api_client)
        self.core = client.CoreV1Api(api_client)
        self.events = client.EventsV1Api(api_client)
        self.watch_timeout_seconds = watch_timeout_seconds
        self._templates: dict[tuple[str, str], tuple[float, asyncio.Future]] = {}
        self._feeds: dict[str, EventFeed] = {}
        self._caches: dict[str, InstanceCache] = {}

    # ----------------------------------------------------------------------------------------------- templates

    async def get_template(self, namespace: str, name: str, max_age: float = 0) -> dict | None:
        """The template (None when it does not exist). With max_age, a read at most that many seconds old may do,
        and readers meanwhile share one read: a burst of spawns reads a template once, not once each. The dict is
        shared: callers must not change it."""
        if max_age <= 0:
            return await self._read_template(namespace, name)
        now = asyncio.get_running_loop().time()
        entry = self._templates.get((namespace, name))
        stale = entry is None or now - entry[0] > max_age
        if stale or (entry[1].done() and (entry[1].cancelled() or entry[1].exception() is not None)):
            entry = (now, asyncio.ensure_future(self._read_template(namespace, name)))
            self._templates[(namespace, name)] = entry
        return await asyncio.shield(entry[1])

    async def _read_template(self, namespace: str, name: str) -> dict | None:
        try:
            return await self.custom.get_namespaced_custom_object(GROUP, VERSION, namespace, TEMPLATES, name)
        except ApiException as e:
            if e.status == 404:
                return None
            raise

    # ------------------------------------------------------------------------------------------------- secrets

    async def put_secret(self, body: dict) -> str | None:
        """Creates the Secret and returns its uid; one left by an earlier start (holding a token that is now stale)
        is deleted and created anew, since the hub may create and delete Secrets but not update them."""
        meta = body["metadata"]
        try:
            created = await self.core.create_namespaced_secret(meta["namespace"], body)
        except ApiException as e:
            if e.status != 409:
                raise
            await self.delete_secret(meta["namespace"], meta["name"])
            created = await self.core.create_namespaced_secret(meta["namespace"], body)
        return getattr(getattr(created, "metadata", None), "uid", None)

    async def delete_secret(self, namespace: str, name: str, uid: str | None = None) -> bool:
        """Deletes the Secret (only the one with this uid, when given); False when there was none (or another)."""
        try:
            await self.core.delete_namespaced_secret(name, namespace, body=_preconditions(uid))
            return True
        except ApiException as e:
            if e.status == 404 or (uid and e.status == 409):
                return False
            raise

    # ----------------------------------------------------------------------------------------------- instances

    async def create_instance(self, body: dict) -> dict:
        """Creates the instance; the API server's refusal (quota, admission policy) raises ApiException."""
        return await self.custom.create_namespaced_custom_object(
            GROUP, VERSION, body["metadata"]["namespace"], INSTANCES, body
        )

    async def get_instance(self, namespace: str, name: str) -> dict | None:
        try:
            return await self.custom.get_namespaced_custom_object(GROUP, VERSION, namespace, INSTANCES, name)
        except ApiException as e:
            if e.status == 404:
                return None
            raise

    async def set_suspended(self, namespace: str, name: str, suspended: bool) -> dict | None:
        """Suspends or resumes the instance (a merge patch of spec.suspended, the one field of spec the hub may
        change); None when there is no instance."""
        try:
            return await self.custom.patch_namespaced_custom_object(
                GROUP,
                VERSION,
                namespace,
                INSTANCES,
                name,
                {"spec": {"suspended": suspended}},
                _content_type="application/merge-patch+json",
            )
        except ApiException as e:
            if e.status == 404:
                return None
            raise

    async def delete_instance(self, namespace: str, name: str, uid: str | None = None) -> bool:
        """Asks for deletion in the foreground: the instance stays until its pods are gone, so a new server of
        the same name never meets the old pod. With a uid, only that instance is deleted (a retried stop must
        not delete a newer server of the same name). False when there was no instance (or another one)."""
        try:
            await self.custom.delete_namespaced_custom_object(
                GROUP,
                VERSION,
                namespace,
                INSTANCES,
                name,
                propagation_policy="Foreground",
                body=_preconditions(uid, "Foreground"),
            )
            return True
        except ApiException as e:
            if e.status == 404 or (uid and e.status == 409):
                return False
            raise

    async def watch_instance(self, namespace: str, name: str, known: dict | None = None) -> AsyncIterator[dict | None]:
        """The instance now, then every change of it: a dict, or None while it does not exist.

        One field-selected list + watch (a single object's changes, not the namespace's), resumed from the last
        resourceVersion when the server ends a watch, relisted when that version has expired (410). With `known`
        (the instance as a write just returned it), that is "now": the watch starts from its resourceVersion
        without a list, one round trip less on every spawn.
        """
        selector = f"metadata.name={name}"
        while True:
            if known is not None:
                yield known
                version, known = known["metadata"]["resourceVersion"], None
            else:
                listing = await self.custom.list_namespaced_custom_object(
                    GROUP, VERSION, namespace, INSTANCES, field_selector=selector
                )
                items = listing.get("items") or []
                yield items[0] if items else None
                version = listing["metadata"]["resourceVersion"]
            try:
                async for event in self._watch(
                    self.custom.list_namespaced_custom_object,
                    GROUP,
                    VERSION,
                    namespace,
                    INSTANCES,
                    field_selector=selector,
                    resource_version=version,
                ):
                    if event["type"] in ("ADDED", "MODIFIED"):
                        yield event["raw_object"]
                    elif event["type"] == "DELETED":
                        yield None
            except _Expired:
                continue

    # -------------------------------------------------------------------------------------------------- events

    def event_feed(self, namespace: str) -> EventFeed:
        """The namespace's shared watch of Events about instances (events.EventFeed), started on first use."""
        if namespace not in self._feeds:
            self._feeds[namespace] = EventFeed(self.watch_events, namespace)
        return self._feeds[namespace]

    def instance_cache(self, namespace: str, selector: str) -> InstanceCache:
        """The namespace's shared list and watch of the instances spawners made, those with the labels of
        `selector` (instances.InstanceCache)."""
        if namespace not in self._caches:

            def list_instances():
                return self.custom.list_namespaced_custom_object(
                    GROUP, VERSION, namespace, INSTANCES, label_selector=selector
                )

            def watch_instances(version: str):
                return self._watch(
                    self.custom.list_namespaced_custom_object,
                    GROUP,
                    VERSION,
                    namespace,
                    INSTANCES,
                    label_selector=selector,
                    resource_version=version,
                )

            self._caches[namespace] = InstanceCache(list_instances, watch_instances, namespace)
        return self._caches[namespace]

    async def close(self) -> None:
        """Stops the shared watches and closes the client."""
        for watcher in [*self._feeds.values(), *self._caches.values()]:
            await watcher.close()
        self._feeds.clear()
        self._caches.clear()
        await self.api_client.close()

    async def watch_events(self, namespace: str, instance_name: str | None = None) -> AsyncIterator[dict]:
        """Every events.k8s.io/v1 Event regarding the named instance (or any instance): those that exist, then new
        ones and updates (a repeated Event's series count grows)."""
        selector = f"regarding.kind={INSTANCE_KIND}" + (f",regarding.name={instance_name}" if instance_name else "")
        while True:
            # As JSON: the typed list would build model objects only to be turned back into dicts.
            response = await self.events.list_namespaced_event(
                namespace, field_selector=selector, _preload_content=False
            )
            try:
                listing = json.loads(await response.read())
            finally:
                response.release()
            for item in listing.get("items") or []:
                yield item
            version = listing["metadata"]["resourceVersion"]
            try:
                async for event in self._watch(
                    self.events.list_namespaced_event,
                    namespace,
                    field_selector=selector,
                    resource_version=version,
                ):
                    if event["type"] in ("ADDED", "MODIFIED"):
                        yield event["raw_object"]
            except _Expired:
                continue

    async def _watch(self, list_function, *args, resource_version: str, **kwargs) -> AsyncIterator[dict]:
        """Watch events ({"type", "raw_object"}) from resource_version on, across server-side timeouts, until the
        version expires.

        The API server's JSON lines are read as they come. kubernetes_asyncio's own Watch builds an ApiClient of its
        own for every watch (a new SSL context that loads the system's CA certificates: about 0.1 s of CPU on the
        hub's event loop, twice per spawn) only to turn each event into model objects, which the spawner never
        reads (docs/benchmarks.md, hub comparison).
        """
        while True:
            try:
                response = await list_function(
                    *args,
                    watch=True,
                    resource_version=resource_version,
                    timeout_seconds=self.watch_timeout_seconds,
                    allow_watch_bookmarks=True,
                    _preload_content=False,
                    **kwargs,
                )
            except ApiException as e:
                if e.status == 410:
                    raise _Expired() from e
                raise
            try:
                async for line in response.content:
                    if not line.strip():
                        continue
                    event = json.loads(line)
                    obj = event.get("object") or {}
                    if event.get("type") == "ERROR":
                        if obj.get("code") == 410:
                            raise _Expired()
                        raise ApiException(status=obj.get("code"), reason=f"{obj.get('reason')}: {obj.get('message')}")
                    resource_version = (obj.get("metadata") or {}).get("resourceVersion") or resource_version
                    if event.get("type") == "BOOKMARK":
                        continue
                    yield {"type": event.get("type"), "raw_object": obj}
            except TimeoutError:
                log.debug("watch of %s timed out on the client side; resuming", list_function.__name__)
            finally:
                response.release()


def _preconditions(uid: str | None, propagation: str | None = None) -> dict:
    body: dict = {"apiVersion": "v1", "kind": "DeleteOptions"}
    if propagation:
        body["propagationPolicy"] = propagation
    if uid:
        body["preconditions"] = {"uid": uid}
    return body


class _Expired(Exception):
    """The watched resourceVersion is too old: list again."""


def refusal(error: ApiException, namespace: str) -> tuple[str, int]:
    """A user-facing sentence and HTTP status for the API server's refusal of an instance."""
    try:
        message = json.loads(error.body or "{}").get("message") or error.reason
    except (TypeError, ValueError):
        message = error.reason or str(error.status)
    if error.status == 403 and "exceeded quota" in (message or ""):
        return (
            f"Cannot start the server: the limit on servers in namespace {namespace} is reached ({message}). "
            "Stop a server you no longer use, or ask an administrator to raise the limit (hub.instanceQuota).",
            429,
        )
    return f"Cannot start the server: the cluster refused the request ({error.status}: {message})", 500
