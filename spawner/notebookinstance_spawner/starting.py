"""The start flow: the Secret and the instance created (or a suspended instance resumed), then followed until Ready
or Failed, with the operator's status changes and Events relayed to the spawn page.

A mixin of NotebookInstanceSpawner (it uses its placement, cluster clients, naming and stop flow).
"""

from __future__ import annotations

import asyncio
import datetime

from kubernetes_asyncio.client.exceptions import ApiException

from . import access as access_module
from .clusters import Unreachable, is_unreachable
from .errors import SpawnError
from .events import EventFeed
from .kube import KubeApi, refusal
from .progress import ProgressLog, time_left
from .resources import INSTANCE_LABEL, common_labels, instance_body, secret_body, split_env
from .variables import TemplateInfo

#: the fields of an instance's spec that make a server what it is: a suspended instance is resumed only when the
#: new start asks for the same ones (else it is replaced)
SERVER_FIELDS = ("template", "variables", "env", "envSecretRef", "args")


class StartFlow:
    """start() and progress()."""

    _progress_log: ProgressLog | None = None
    _progress_tail: asyncio.Task | None = None

    def build_objects(self, profile, template: TemplateInfo, variables: dict[str, str]) -> tuple[dict, dict]:
        """The Secret and the instance for this start (pure, given the spawner's state)."""
        namespace = self.namespace
        names = self.names
        env = split_env(self.get_env(), self._is_secret_env)
        labels = common_labels(names, self.extra_labels)
        secret_name = self._secret_name()
        args = None
        if self.send_args and template.allow_args:
            args = list(self.cmd) + list(self.get_args())
        instance_name = self._instance_name()
        # the operator mounts a Secret only into the instance it is labelled for
        secret_labels = {**labels, INSTANCE_LABEL: instance_name}
        # with internal_ssl, the server's key and certificates travel in the same Secret (the template mounts them)
        secret_data = {**env.secret, **self.internal_ssl_secret_data()}
        secret = secret_body(name=secret_name, namespace=namespace, names=names, env=secret_data, labels=secret_labels)
        instance = instance_body(
            name=instance_name,
            namespace=namespace,
            names=names,
            template_name=template.name,
            template_namespace=template.namespace,
            variables=variables,
            env=env.plain,
            secret_name=secret_name,
            args=args,
            labels=labels,
            user_groups=access_module.user_groups(self.user),
        )
        return secret, instance

    def _fresh_progress_log(self) -> ProgressLog:
        """The log of this spawn: a new one, unless the options check earlier in this spawn made it already."""
        if self._progress_log is None or self._progress_log.closed:
            self._progress_log = ProgressLog()
        return self._progress_log

    async def start(self):
        log = self._fresh_progress_log()
        try:
            return await self._start(log)
        except Exception:
            if self._from_spawn_page():
                await log.followed(self.failure_grace_seconds)
            log.close()
            raise
        except BaseException:
            log.close()
            raise

    def _from_spawn_page(self) -> bool:
        """Whether the hub's spawn page (not its REST API) asked for this start: the hub sets the request's handler."""
        from jupyterhub.apihandlers.base import APIHandler

        return self.handler is not None and not isinstance(self.handler, APIHandler)

    async def _start(self, progress: ProgressLog) -> str:
        profile, template, variables = await self.plan()  # places the server: cluster_name, namespace
        if self.pending_deletions:
            await self._retry_pending_deletions()  # best effort: an earlier stop that could not reach its cluster
        kube = await self.kube()
        try:
            return await self._start_on(kube, progress, profile, template, variables)
        except SpawnError:
            raise
        except Exception as e:
            if not is_unreachable(e):
                raise
            message = (
                f"Cannot start the server: {Unreachable(self.cluster_config(self.cluster_name), e)} while the "
                "server was starting. Servers on other clusters are not affected; try again later."
            )
            progress.add(message)
            raise SpawnError(message, 503) from None

    async def _start_on(self, kube: KubeApi, progress: ProgressLog, profile, template, variables) -> str:
        try:
            secret, instance = self.build_objects(profile, template, variables)
        except ValueError as e:  # a name template or an environment variable the admin configured
            raise SpawnError(f"Cannot start the server: {e}") from None
        namespace, name = self.namespace, instance["metadata"]["name"]
        self.instance_name, self.secret_name = name, secret["metadata"]["name"]
        self.legacy_pod = self.legacy_namespace = None
        if "pvc_name" in variables:
            self.pvc_name = variables["pvc_name"]  # remembered from now on, as KubeSpawner 7 does

        # Only a spawner that suspends on stop looks first: it may resume what is there. Others find a leftover
        # instance by the create's 409 (one round trip less on every spawn).
        existing = await kube.get_instance(namespace, name) if self.suspend_on_stop else None
        since = None
        # Both subscriptions before the create (or resume): no change of the instance, no Event about it, is missed.
        cache, feed = self._instance_cache(kube, namespace), kube.event_feed(namespace)
        updates, subscription = cache.subscribe(name), feed.subscribe(name)
        self.instance_uid = None
        try:
            if existing is not None and resumable(existing, instance):
                since = _now_iso()
                self.secret_uid = await kube.put_secret(
                    secret
                )  # this start's token; the pods created on resume read it
                created = await self._resume(kube, existing)
                progress.add(
                    f"Resuming the suspended instance {name} of template {template.namespace}/{template.name}", 10
                )
                self.log.info("Resuming instance %s/%s for %s", namespace, name, self._log_name)
            else:
                if existing is not None:
                    # Suspended with other options than this start's: start afresh (claims marked Retain stay).
                    progress.add(f"Removing the previous instance {name}", 5)
                    self.log.info("Replacing suspended instance %s/%s", namespace, name)
                    await kube.delete_instance(namespace, name)
                    await self._wait_gone(namespace, name, self.stop_timeout)
                self.secret_uid = await kube.put_secret(secret)
                created = await self._create_instance(kube, instance, progress)
                progress.add(f"Requested instance {name} of template {template.namespace}/{template.name}", 10)
                self.log.info("Created instance %s/%s for %s", namespace, name, self._log_name)
        except BaseException:
            cache.unsubscribe(name, updates)
            feed.unsubscribe(name, subscription)
            raise

        uid = self.instance_uid = created.get("metadata", {}).get("uid")
        events = asyncio.create_task(self._follow_events(feed, namespace, name, subscription, uid, progress, since))
        succeeded = False
        try:
            try:
                async with asyncio.timeout(max(1, self.start_timeout - 2)):
                    url = self.hub_facing_url(await self._wait_ready(kube, namespace, created, updates, progress))
                    succeeded = True
                    return url
            except TimeoutError:
                last = progress.last_status_text or "the operator has not reported a status yet"
                raise SpawnError(
                    f"The server did not become ready within {self.start_timeout} seconds (last: {last})"
                ) from None
        except BaseException:
            # The hub calls stop() after a failed start only while poll() says "running"; a Failed instance would
            # be left behind, so clean up here (without waiting: nothing depends on it being gone).
            await self._delete_or_remember(kube, namespace)
            raise
        finally:
            cache.unsubscribe(name, updates)
            if succeeded:
                # The hub now waits for the server to answer, and the spawn page keeps listening meanwhile; the
                # operator's Events are written asynchronously, so some arrive after the status: keep relaying
                # them for a little while.
                self._progress_tail = asyncio.create_task(self._end_progress(events, progress))
            else:
                events.cancel()

    async def _resume(self, kube: KubeApi, existing: dict) -> dict:
        """Resumes a suspended instance. One the operator suspended (a lifetime limit) while spec.suspended was false
        stays suspended until spec changes, so it is suspended by spec first, then resumed."""
        namespace, name = self.namespace, existing["metadata"]["name"]
        if not (existing.get("spec") or {}).get("suspended"):
            await kube.set_suspended(namespace, name, True)
        resumed = await kube.set_suspended(namespace, name, False)
        if resumed is None:
            raise SpawnError(f"The instance {name} was deleted while the server was being resumed")
        return resumed

    async def _end_progress(self, events: asyncio.Task, progress: ProgressLog) -> None:
        try:
            await asyncio.wait({events}, timeout=self.progress_tail_seconds)
        finally:
            events.cancel()
            progress.close()

    async def _wait_ready(
        self, kube: KubeApi, namespace: str, created: dict, updates: asyncio.Queue, progress: ProgressLog
    ) -> str:
        """Until the instance is Ready (its URL) or Failed (SpawnError), from what the create returned and then the
        shared instance cache's changes of it (changes of an earlier instance of the same name are skipped)."""
        name, uid = created["metadata"]["name"], created["metadata"].get("uid")
        current: dict | None = created
        while True:
            progress.status(current)
            status = current.get("status") or {}
            if status.get("phase") == "Ready" and status.get("url"):
                note = time_left(status)
                if note:
                    progress.add(note)
                return status["url"]
            if status.get("phase") == "Failed":
                raise SpawnError(f"The server could not be started: {status.get('message') or 'Failed'}")
            current = None
            while current is None:
                kind, obj = await updates.get()
                if kind == "SYNC" and obj is None:
                    # listed again and not there: gone, or not listed yet; the API server says which
                    obj = await kube.get_instance(namespace, name)
                    if obj is None:
                        raise SpawnError(f"The instance {name} was deleted while the server was starting")
                if obj is None or (uid and obj["metadata"].get("uid") != uid):
                    continue
                if kind == "DELETED":
                    raise SpawnError(f"The instance {name} was deleted while the server was starting")
                current = obj

    async def _create_counted(self, kube: KubeApi, instance: dict, progress: ProgressLog) -> dict:
        """Creates the instance; while a ResourceQuota of the namespace has not been counted yet, tries again for up to
        quota_wait_seconds. The API server admits nothing under such a quota ("status unknown for quota"), which lasts
        until the quota controller has discovered what it limits: up to half a minute after the chart's install."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.quota_wait_seconds
        told = False
        while True:
            try:
                return await kube.create_instance(instance)
            except ApiException as e:
                if e.status != 403 or "status unknown for quota" not in str(e.body) or loop.time() > deadline:
                    raise
            if not told:
                progress.add("Waiting for the namespace's quota to be counted (the cluster was just set up)", 8)
                told = True
            await asyncio.sleep(1)

    async def _create_instance(self, kube: KubeApi, instance: dict, progress: ProgressLog) -> dict:
        namespace, name = instance["metadata"]["namespace"], instance["metadata"]["name"]
        for attempt in (1, 2):
            try:
                return await self._create_counted(kube, instance, progress)
            except ApiException as e:
                if is_unreachable(e):
                    raise
                if e.status != 409 or attempt == 2:
                    await kube.delete_secret(namespace, self.secret_name)  # nothing will use it
                    raise SpawnError(*refusal(e, namespace)) from None
            # Left over from a start the hub no longer tracks: its pod holds an outdated token. Start afresh. (Found
            # by the create rather than by a read before it: one round trip less on every spawn.)
            progress.add(f"Removing the previous instance {name}", 5)
            self.log.info("Replacing leftover instance %s/%s", namespace, name)
            await kube.delete_instance(namespace, name)
            await self._wait_gone(namespace, name, self.stop_timeout)
        raise AssertionError("unreachable")

    async def _follow_events(
        self,
        feed: EventFeed,
        namespace: str,
        name: str,
        subscription: asyncio.Queue,
        uid: str | None,
        progress: ProgressLog,
        since: str | None = None,
    ) -> None:
        try:
            async for event in feed.follow(name, subscription):
                # Events outlive their object (an hour by default): skip those about an earlier instance, and,
                # when resuming, those of the instance's earlier runs
                regarding_uid = (event.get("regarding") or {}).get("uid")
                if uid and regarding_uid and regarding_uid != uid:
                    continue
                if since and _event_time(event) < since:
                    continue
                progress.event(event)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # progress messages are a comfort, not a requirement
            self.log.warning("Cannot follow Events of %s/%s: %s", namespace, name, e)

    async def progress(self):
        log = self._progress_log
        if log is None:  # nothing started since this spawner was created or stopped
            return
        async for item in log.follow():
            yield item


def resumable(existing: dict, wanted: dict) -> bool:
    """Whether an existing instance is a suspended server this start may resume: suspended (by the hub or by a rule
    of the operator), not being deleted, and asking for the same server as the new start would (SERVER_FIELDS)."""
    if existing["metadata"].get("deletionTimestamp"):
        return False
    spec, status = existing.get("spec") or {}, existing.get("status") or {}
    if not spec.get("suspended") and status.get("phase") != "Suspended":
        return False
    new = wanted.get("spec") or {}
    return all((spec.get(k) or None) == (new.get(k) or None) for k in SERVER_FIELDS)


def _now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _event_time(event: dict) -> str:
    """When an Event last happened, as a comparable UTC time text (seconds; "" when it carries none)."""
    when = (
        ((event.get("series") or {}).get("lastObservedTime"))
        or event.get("eventTime")
        or event.get("deprecatedLastTimestamp")
        or ((event.get("metadata") or {}).get("creationTimestamp"))
        or ""
    )
    return str(when)[:19]
