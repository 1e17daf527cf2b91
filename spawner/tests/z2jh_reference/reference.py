"""KubeSpawner 7.1.0 configured by Zero-to-JupyterHub 4.4.0's own jupyterhub_config.py and z2jh.py (the unmodified
copy in ../shared/third-party), for a set of values: the reference the converter is compared with.

The chart's files read values and names from files it mounts under /usr/local/etc/jupyterhub; here the three
functions of z2jh.py that read those files are pointed at the values instead, and the config file runs as it is.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from pathlib import Path
from types import SimpleNamespace

from traitlets.config.loader import PyFileConfigLoader

REPO = Path(__file__).resolve().parents[3]
Z2JH_CHART = REPO.parent / "shared" / "third-party" / "z2jh-4.4.0" / "jupyterhub"
Z2JH_FILES = Z2JH_CHART / "files" / "hub"
#: the image tags of the released 4.4.0 chart (the source copy says "set-by-chartpress")
RELEASED_TAGS_FILE = REPO / "charts" / "z2jh" / "test" / "released-4.4.0.yaml"


def available() -> bool:
    return (Z2JH_FILES / "jupyterhub_config.py").exists()


@contextlib.contextmanager
def z2jh_config(values: dict, names: dict[str, str]):
    """The traitlets Config the chart's jupyterhub_config.py produces for values (already merged, Release/Chart
    included, as in the hub Secret's values.yaml)."""
    from tornado.httpclient import AsyncHTTPClient

    sys.path.insert(0, str(Z2JH_FILES))
    saved_env = dict(os.environ)
    try:
        z2jh = importlib.import_module("z2jh")
        z2jh._load_config = lambda: values
        z2jh._get_config_value = lambda key: names[key]
        z2jh.get_secret_value = lambda key, default="never-explicitly-set": "secret-" + key.replace(".", "-")
        os.environ.update(POD_NAMESPACE=values["Release"]["Namespace"], HUB_SERVICE_PORT="8081")
        os.environ["PROXY_API_SERVICE_PORT"] = "8001"
        loader = PyFileConfigLoader("jupyterhub_config.py", path=str(Z2JH_FILES))
        yield loader.load_config()
    finally:
        AsyncHTTPClient.configure(None)  # the chart's file switched tornado to curl for the whole process
        os.environ.clear()
        os.environ.update(saved_env)
        sys.path.remove(str(Z2JH_FILES))
        sys.modules.pop("z2jh", None)


def names_of(release) -> dict[str, str]:
    """The hub ConfigMap's name entries (only those jupyterhub_config.py asks for)."""
    return {
        key: release.name_of(key) for key in ("hub", "proxy-api", "image-pull-secret", "singleuser", "priority")
    } | {"user-scheduler": release.name_of("user-scheduler")}


def kubespawner(config, username: str, servername: str = "", user_id: int = 42, user_options: dict | None = None):
    """A KubeSpawner for that configuration (no API calls are made: only manifests are asked for)."""
    import kubespawner.spawner
    from jupyterhub import orm
    from jupyterhub.objects import Hub
    from kubespawner import KubeSpawner

    kubespawner.spawner.load_config = lambda **kwargs: None  # no API server: only manifests are asked for

    user = SimpleNamespace(name=username, id=user_id, url=f"/user/{username}/", escaped_name=username)
    prefix = f"/user/{username}/" + (f"{servername}/" if servername else "")
    orm_spawner = SimpleNamespace(
        name=servername,
        display_name=servername,
        state=None,
        user_options=user_options or {},
        server=orm.Server(base_url=prefix, proto="http", ip="", port=0, cookie_name="c"),
    )
    spawner = KubeSpawner(
        config=config,
        user=user,
        hub=Hub(),
        orm_spawner=orm_spawner,
        oauth_client_id=f"jupyterhub-user-{username}",
        api_token="secret-token-123",
        _mock=True,
    )
    spawner.user_options = user_options or {}
    return spawner


async def pod_and_claim(spawner) -> tuple[dict, dict]:
    """KubeSpawner's own pod and claim manifests, serialized as it sends them to the API server."""
    from kubernetes_asyncio.client import ApiClient

    await spawner.load_user_options()
    pod = await spawner.get_pod_manifest()
    claim = spawner.get_pvc_manifest()
    api = ApiClient()
    try:
        return api.sanitize_for_serialization(pod), api.sanitize_for_serialization(claim)
    finally:
        await api.close()


def load_chart_values() -> dict:
    """The chart's defaults with the released image tags."""
    from notebookinstance_spawner.convert.values import load

    return load([Z2JH_CHART / "values.yaml", RELEASED_TAGS_FILE])
