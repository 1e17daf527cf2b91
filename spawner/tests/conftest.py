"""Shared fixtures: the example template, a fake API server, spawners wired to it, a stand-in operator."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from aiohttp.test_utils import TestServer
from fake_kube import FakeKube
from jupyterhub import orm
from jupyterhub.objects import Hub
from kubernetes_asyncio.client import ApiClient, Configuration

from notebookinstance_spawner import NotebookInstanceSpawner
from notebookinstance_spawner.kube import KubeApi

REPO = Path(__file__).resolve().parents[2]
NAMESPACE = "jupyterhub"
INSTANCES = "jupyternotebookinstances"
TEMPLATES = "jupyternotebookinstancetemplates"


def example(name: str) -> dict:
    return yaml.safe_load((REPO / "crds" / "examples" / name).read_text())


#: the choices an admin typically offers on top of the example (variables users may set), for the options tests
CHOICES = [
    {"name": "cpu_limit", "description": "CPU limit, in cores.", "default": "2", "enum": ["1", "2", "4"]},
    {"name": "mem_limit", "description": "Memory limit.", "default": "2G", "enum": ["1G", "2G", "4G", "8G"]},
    {"name": "mem_guarantee", "description": "Memory request.", "default": "1G", "enum": ["512M", "1G", "2G"]},
]


@pytest.fixture
def z2jh_template() -> dict:
    """crds/examples/z2jh-default-template.yaml, a second image and the CHOICES declared."""
    template = example("z2jh-default-template.yaml")
    image = next(v for v in template["spec"]["variables"] if v["name"] == "image")
    image["enum"].append("quay.io/jupyter/scipy-notebook:2025-03-14")
    template["spec"]["variables"] += copy.deepcopy(CHOICES)
    return template


@pytest.fixture
async def fake(z2jh_template):
    kube = FakeKube()
    await kube.put(TEMPLATES, copy.deepcopy(z2jh_template))
    server = TestServer(kube.app())
    await server.start_server()
    kube.url = str(server.make_url("")).rstrip("/")
    yield kube
    await server.close()


@pytest.fixture
async def api(fake):
    api = KubeApi(ApiClient(Configuration(host=fake.url)), watch_timeout_seconds=5)
    yield api
    await api.close()


def make_user(name: str = "ada.lovelace@example.org", id: int = 42):
    return SimpleNamespace(name=name, id=id, url=f"/user/{name}/", escaped_name=name.replace("@", "%40"))


@pytest.fixture
def spawner_factory(api):
    """make(username=..., servername=..., **config) -> a NotebookInstanceSpawner talking to the fake API."""

    def make(
        username: str = "ada.lovelace@example.org", servername: str = "", user_id: int = 42, **config
    ) -> NotebookInstanceSpawner:
        user = make_user(username, user_id)
        prefix = f"/user/{username}/" + (f"{servername}/" if servername else "")
        orm_spawner = SimpleNamespace(
            name=servername,
            display_name=servername,
            state=None,
            user_options={},
            server=orm.Server(base_url=prefix, proto="http", ip="", port=0, cookie_name="c"),
        )
        config.setdefault("namespace", NAMESPACE)
        config.setdefault("template_name", "z2jh-default")
        config.setdefault("api_token", "secret-token-123")
        config.setdefault("progress_tail_seconds", 1)
        spawner = NotebookInstanceSpawner(
            user=user,
            hub=Hub(),
            orm_spawner=orm_spawner,
            oauth_client_id=f"jupyterhub-user-{user.escaped_name}",
            **config,
        )
        spawner._kube = api
        return spawner

    return make


async def wait_for(predicate, timeout: float = 20.0):
    """Waits (test harness only) until predicate() returns something truthy, and returns it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


class StandInOperator:
    """Plays the operator for one instance: Events and status changes, as the real one reports them."""

    def __init__(self, fake: FakeKube, name: str, namespace: str = NAMESPACE):
        self.fake, self.name, self.namespace = fake, name, namespace

    async def created(self) -> dict:
        return await wait_for(lambda: self.fake.get(INSTANCES, self.namespace, self.name))

    async def provision(self) -> None:
        await self.created()
        await self.fake.add_event(
            self.namespace, self.name, "TemplateResolved", "Using template jupyterhub/z2jh-default (generation 1)"
        )
        await self.fake.set_status(
            self.namespace, self.name, phase="Provisioning", message="Waiting for pod jupyter-x to be ready"
        )

    async def ready(self, url: str = "http://127.8.0.5:8888") -> None:
        await self.fake.add_event(self.namespace, self.name, "Ready", "Pod is ready")
        await self.fake.set_status(
            self.namespace,
            self.name,
            phase="Ready",
            message="Ready",
            url=url,
            podIP=url.split("//")[1].split(":")[0],
            port=8888,
        )

    async def fail(self, message: str) -> None:
        await self.created()
        await self.fake.add_event(self.namespace, self.name, "ImageNotAllowed", message, type="Warning")
        await self.fake.set_status(self.namespace, self.name, phase="Failed", message=message)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test item (rep_setup, rep_call), so fixtures can tell a failed test."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
