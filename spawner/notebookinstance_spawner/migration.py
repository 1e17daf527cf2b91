"""Switching a hub from KubeSpawner: its settings, its running servers, its users' claims.

- KubeSpawner settings the spawner itself honours (``start_timeout``, ``http_timeout``, ``pvc_name_template``...,
  see kubespawner_traits.HUB_SIDE) become this spawner's defaults, so Zero-to-JupyterHub's
  ``c.KubeSpawner.start_timeout = 300`` keeps applying; everything else set for KubeSpawner is listed in one warning
  when the hub starts (``z2jh.configure``) or, without it, when the first spawner is made.
- A server KubeSpawner started before the switch is kept while it answers (the hub keeps routing to it) and can
  still be stopped: its pod is deleted by name, which needs the operator chart's ``hub.kubeSpawnerPods.stop``
  permission during the migration. Without it, stop() says exactly what to delete; the server is never forgotten.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import aiohttp
from kubernetes_asyncio.client.exceptions import ApiException
from traitlets.config import Application, Config

from . import kubespawner_traits
from .errors import SpawnError

if TYPE_CHECKING:
    from .spawner import NotebookInstanceSpawner

_warned = False


def _log() -> logging.Logger:
    if Application.initialized():
        return Application.instance().log
    return logging.getLogger("JupyterHub")


def apply_kubespawner_defaults(spawner: NotebookInstanceSpawner, given: set[str]) -> dict[str, object]:
    """Copies c.KubeSpawner's hub-side settings to the spawner where nothing closer configures them (this class's
    or Spawner's own section, or a constructor argument). Returns what it applied."""
    config = spawner.config
    if "KubeSpawner" not in config:
        return {}
    explicit = set(given)
    for cls in type(spawner).mro():
        section = config.get(cls.__name__) if cls.__name__ in config else None
        if isinstance(section, Config):
            explicit |= set(section)
    applied = {}
    own = set(spawner.trait_names(config=True))
    for name, value in config["KubeSpawner"].items():
        current = kubespawner_traits.canonical(name)
        if current in kubespawner_traits.HUB_SIDE and current in own and current not in explicit:
            setattr(spawner, current, value)
            applied[current] = value
    warn_about_kubespawner_settings(config)
    return applied


def warn_about_kubespawner_settings(config: Config, log: logging.Logger | None = None) -> str | None:
    """One warning per process listing what was configured for KubeSpawner and what becomes of it. Returns it."""
    global _warned
    if _warned or "KubeSpawner" not in config or not config["KubeSpawner"]:
        return None
    _warned = True
    groups = kubespawner_traits.classify(config["KubeSpawner"])
    if not (groups.template_side or groups.no_equivalent or groups.unknown):
        return None
    parts = ["KubeSpawner settings are configured, but this hub uses NotebookInstanceSpawner."]
    if groups.hub_side:
        parts.append(f"Used as this spawner's defaults: {', '.join(groups.hub_side)}.")
    if groups.template_side:
        parts.append(
            "Not read: the JupyterNotebookInstanceTemplates decide these now (kubespawner-to-template converts the"
            f" Zero-to-JupyterHub values into templates): {', '.join(groups.template_side)}."
        )
    if groups.no_equivalent:
        reasons = "; ".join(
            f"{n} ({kubespawner_traits.NO_EQUIVALENT[kubespawner_traits.canonical(n)]})" for n in groups.no_equivalent
        )
        parts.append(f"Without an equivalent here: {reasons}.")
    if groups.unknown:
        parts.append(f"Unknown (not KubeSpawner settings; ignored): {', '.join(groups.unknown)}.")
    message = " ".join(parts)
    (log or _log()).warning(message)
    return message


async def server_answers(url: str, attempts: int = 3, delay: float = 1.0) -> bool:
    """Whether a Jupyter server answers at its URL (GET <url>api, a JSON with a version; no token needed)."""
    timeout = aiohttp.ClientTimeout(total=5)
    for attempt in range(attempts):
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.get(url.rstrip("/") + "/api") as response:
                    if response.status == 200 and "version" in await response.json(content_type=None):
                        return True
        except (aiohttp.ClientError, TimeoutError, ValueError):
            pass
        if attempt < attempts - 1:
            await asyncio.sleep(delay)
    return False


async def poll_legacy(spawner: NotebookInstanceSpawner) -> int | None:
    """poll() for a server KubeSpawner started: running (None) while it answers at the URL the hub recorded."""
    server = spawner.server
    if server is None or not server.ip:
        return 0
    if await server_answers(server.url):
        return None
    spawner.log.info("KubeSpawner's server %s for %s no longer answers: stopped", spawner.legacy_pod, spawner._log_name)
    return 0


async def stop_legacy(spawner: NotebookInstanceSpawner, now: bool) -> None:
    """Deletes the pod of a server KubeSpawner started (claims stay), then waits for it to be gone."""
    kube = await spawner.kube()
    namespace, name = spawner.legacy_namespace or spawner.namespace, spawner.legacy_pod
    try:
        await kube.core.delete_namespaced_pod(name, namespace)
    except ApiException as e:
        if e.status == 404:
            return
        if e.status == 403:
            raise SpawnError(
                f"The server was started by KubeSpawner (pod {namespace}/{name}) and the hub may not delete pods any"
                f" more. An administrator can stop it: kubectl delete pod -n {namespace} {name} (or enable"
                " hub.kubeSpawnerPods.stop in the operator's chart during the migration; docs/migration.md)"
            ) from None
        raise
    spawner.log.info("Deleted KubeSpawner's pod %s/%s of %s", namespace, name, spawner._log_name)
    if now:
        return
    try:
        async with asyncio.timeout(spawner.stop_timeout):
            while True:
                try:
                    await kube.core.read_namespaced_pod(name, namespace)
                except ApiException as e:
                    if e.status == 404:
                        return
                    if e.status != 403:
                        raise
                    url = spawner.server.url if spawner.server else None
                    if not url or not await server_answers(url, attempts=1):
                        return
                await asyncio.sleep(1)
    except TimeoutError:
        spawner.log.warning(
            "KubeSpawner's pod %s/%s still exists %ss after its deletion", namespace, name, spawner.stop_timeout
        )
