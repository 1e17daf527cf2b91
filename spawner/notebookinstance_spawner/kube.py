"""The few Kubernetes API calls the spawner makes, on kubernetes_asyncio, with plain dicts in and out.

Exactly what the hub's RBAC allows: instances (create/get/list/watch/delete), templates (get), Secrets
(create/get/delete) and Events (list/watch). Never pods: everything about the server comes from the
instance's status and the operator's Events.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

from kubernetes_asyncio import client, watch
from kubernetes_asyncio.client.exceptions import ApiException

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

    # ----------------------------------------------------------------------------------------------- templates

    async def get_template(self, namespace: str, name: str) -> dict | None:
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

    async def watch_instance(self, namespace: str, name: str) -> AsyncIterator[dict | None]:
        """The instance now, then every change of it: a dict, or None while it does not exist.

        One field-selected list + watch (a single object's changes, not the namespace's), resumed from the last
        resourceVersion when the server ends a watch, relisted when that version has expired (410).
        """
        selector = f"metadata.name={name}"
        while True:
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

    async def watch_events(self, namespace: str, instance_name: str) -> AsyncIterator[dict]:
        """Every events.k8s.io/v1 Event regarding the named instance: those that exist, then new ones and
        updates (a repeated Event's series count grows)."""
        selector = f"regarding.kind={INSTANCE_KIND},regarding.name={instance_name}"
        while True:
            listing = self.api_client.sanitize_for_serialization(
                await self.events.list_namespaced_event(namespace, field_selector=selector)
            )
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
        """Watch events from resource_version on, across server-side timeouts, until the version expires."""
        while True:
            w = watch.Watch()
            try:
                async for event in w.stream(
                    list_function,
                    *args,
                    resource_version=resource_version,
                    timeout_seconds=self.watch_timeout_seconds,
                    allow_watch_bookmarks=True,
                    **kwargs,
                ):
                    if event["type"] == "BOOKMARK":
                        resource_version = event["raw_object"]["metadata"]["resourceVersion"]
                        continue
                    resource_version = event["raw_object"]["metadata"]["resourceVersion"]
                    yield event
            except ApiException as e:
                if e.status == 410:
                    raise _Expired() from e
                raise
            except TimeoutError:
                log.debug("watch of %s timed out on the client side; resuming", list_function.__name__)
            finally:
                await w.close()


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
