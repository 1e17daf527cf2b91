"""Switching from KubeSpawner: its names and saved states read as KubeSpawner 7.1.0 reads them (checked against the
real package), the claim name reaching the instance, its settings becoming defaults, its running servers kept and
stopped, never forgotten."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from conftest import INSTANCES, NAMESPACE, StandInOperator
from jupyterhub.objects import Hub
from kubespawner import KubeSpawner
from kubespawner.slugs import escape_slug as kubespawner_escape_slug
from traitlets.config import Config

from notebookinstance_spawner import NotebookInstanceSpawner, SpawnError, migration
from notebookinstance_spawner.kubespawner_compat import KubeSpawnerState, escape_slug, expand

NAMES = [
    ("ada", ""),
    ("ada.lovelace@example.org", ""),
    ("Grace.Hopper@example.org", "GPU Server"),
    ("Émile_Zola", "x"),
    ("a" * 60, "b" * 30),
]
TEMPLATES = [
    "claim-{user_server}",
    "claim-{username}{servername}",
    "claim-{username}-{servername}",
    "home-{escaped_username}--{escaped_servername}-{userid}",
    "{safe_user_server}-{unescaped_username}-{hubnamespace}",
]


def kubespawner(username: str, servername: str, **config) -> KubeSpawner:
    import kubespawner.spawner

    kubespawner.spawner.load_config = lambda **kwargs: None  # no API server here
    user = SimpleNamespace(name=username, id=7, url="/", escaped_name=username)
    orm_spawner = SimpleNamespace(name=servername, state=None, user_options={}, server=None)
    return KubeSpawner(user=user, hub=Hub(), orm_spawner=orm_spawner, namespace="jhub", _mock=True, **config)


@pytest.mark.parametrize(("username", "servername"), NAMES)
def test_escape_slug_is_kubespawners(username, servername):
    assert escape_slug(username) == kubespawner_escape_slug(username)
    assert escape_slug(servername) == kubespawner_escape_slug(servername)


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize(("username", "servername"), NAMES)
@pytest.mark.parametrize("scheme", ["safe", "escape"])
async def test_expand_is_kubespawners(template, username, servername, scheme):
    spawner = kubespawner(username, servername)
    expected = spawner._expand_user_properties(template, slug_scheme=scheme)
    # outside a pod KubeSpawner's {hubnamespace} is "default", which it writes as "user"
    assert expand(template, username, servername, userid=7, scheme=scheme, hub_namespace="default") == expected


@pytest.mark.parametrize(("username", "servername"), NAMES[1:3])
async def test_claim_names_from_kubespawners_states(username, servername):
    spawner = kubespawner(username, servername)
    # KubeSpawner 7 remembers the claim once it exists: its own state
    spawner.pvc_name, spawner._pvc_exists = "claim-remembered-by-7", True
    state = KubeSpawnerState.of(spawner.get_state())
    assert state.pod_name == spawner.pod_name and state.version == "7.1.0"
    assert state.claim_name("claim-{user_server}", username, servername) == "claim-remembered-by-7"
    # a KubeSpawner 6 state (pod_name only): KubeSpawner 7's legacy name, the one KubeSpawner 6 created
    legacy = KubeSpawnerState.of({"pod_name": "jupyter-old"})
    assert legacy.version == "unknown"
    assert legacy.claim_name("claim-{user_server}", username, servername, userid=7) == (
        spawner._expand_user_properties("claim-{user_server}", slug_scheme="escape")
    )
    # KubeSpawner 7 without a remembered claim (none was made): the safe name
    fresh = KubeSpawnerState.of({"pod_name": "p", "kubespawner_version": "7.1.0"})
    assert fresh.claim_name("claim-{user_server}", username, servername) == spawner.pvc_name.replace(
        "claim-remembered-by-7", spawner._expand_user_properties("claim-{user_server}")
    )
    assert KubeSpawnerState.of({"instance_name": "jupyter-x", "pod_name": "x"}) is None
    assert KubeSpawnerState.of({}) is None


@pytest.fixture
async def claim_template(fake, z2jh_template):
    """The example template with the spawner-filled pvc_name and hub_namespace declared."""
    z2jh_template["metadata"]["name"] = "with-claim"
    declared = {v["name"] for v in z2jh_template["spec"]["variables"]}
    for name in ("pvc_name", "hub_namespace"):
        if name not in declared:
            z2jh_template["spec"]["variables"].append({"name": name, "required": True})
    await fake.put(INSTANCES.replace("instances", "instancetemplates"), z2jh_template)
    return z2jh_template


async def start_and_stop(spawner, fake) -> dict:
    operator = StandInOperator(fake, spawner._instance_name())
    import asyncio

    start = asyncio.ensure_future(spawner.start())
    await operator.provision()
    await operator.ready()
    await start
    instance = fake.get(INSTANCES, NAMESPACE, spawner.instance_name)
    stop = asyncio.ensure_future(spawner.stop())
    await stop
    spawner.clear_state()
    return instance


async def test_the_claim_name_kubespawner_used_reaches_the_instance_and_is_remembered(
    spawner_factory, fake, claim_template, monkeypatch
):
    monkeypatch.setenv("POD_NAMESPACE", "hubs")
    # a user KubeSpawner 6 knew: its claim has the old "escape" name
    spawner = spawner_factory(username="Ada.Lovelace", template_name="with-claim")
    spawner.load_state({"pod_name": "jupyter-ada-2elovelace"})
    instance = await start_and_stop(spawner, fake)
    assert instance["spec"]["variables"]["pvc_name"] == "claim--41da-2e-4covelace"
    assert instance["spec"]["variables"]["hub_namespace"] == "hubs"
    state = spawner.get_state()
    assert state == {"pvc_name": "claim--41da-2e-4covelace"}  # the server is gone, its claim's name is not
    # a later start, from the state the hub saved: the same claim, even after pvc_name_template changed
    again = spawner_factory(username="Ada.Lovelace", template_name="with-claim", pvc_name_template="home-{username}")
    again.load_state(state)
    instance = await start_and_stop(again, fake)
    assert instance["spec"]["variables"]["pvc_name"] == "claim--41da-2e-4covelace"
    # a new user: pvc_name_template with KubeSpawner 7's safe names
    new = spawner_factory(username="Grace.Hopper", template_name="with-claim", pvc_name_template="home-{username}")
    instance = await start_and_stop(new, fake)
    assert (
        instance["spec"]["variables"]["pvc_name"]
        == "home-grace-hopper---" + instance["spec"]["variables"]["username"].split("---")[1]
    )


async def test_templates_without_the_variable_do_not_get_it(spawner_factory, fake, z2jh_template):
    z2jh_template["metadata"]["name"] = "no-claim-variable"
    z2jh_template["spec"]["variables"] = [
        v for v in z2jh_template["spec"]["variables"] if v["name"] not in ("pvc_name", "hub_namespace")
    ]
    await fake.put("jupyternotebookinstancetemplates", z2jh_template)
    spawner = spawner_factory(template_name="no-claim-variable")
    spawner.load_state({"pod_name": "jupyter-x", "pvc_name": "claim-x", "kubespawner_version": "7.1.0"})
    instance = await start_and_stop(spawner, fake)
    assert "pvc_name" not in instance["spec"]["variables"] and "hub_namespace" not in instance["spec"]["variables"]
    assert spawner.get_state()["pvc_name"] == "claim-x"  # still remembered for a template that asks


def test_kubespawner_settings_become_defaults_unless_configured_here(spawner_factory, caplog, monkeypatch):
    monkeypatch.setattr(migration, "_warned", False)
    config = Config()
    config.KubeSpawner.start_timeout = 300
    config.KubeSpawner.http_timeout = 45
    config.KubeSpawner.pvc_name_template = "home-{username}"
    config.KubeSpawner.image = "quay.io/jupyter/base-notebook:latest"
    config.KubeSpawner.events_enabled = True
    config.KubeSpawner.no_such_setting = 1
    config.Spawner.http_timeout = 20
    with caplog.at_level(logging.WARNING):
        spawner = spawner_factory(config=config)
        spawner_factory(config=config)
    assert spawner.start_timeout == 300  # Zero-to-JupyterHub's singleuser.startTimeout, not JupyterHub's 60
    assert spawner.http_timeout == 20  # configured for every spawner: wins
    assert spawner.pvc_name_template == "home-{username}"
    warnings = [r.getMessage() for r in caplog.records if "KubeSpawner settings" in r.getMessage()]
    assert len(warnings) == 1, warnings  # one warning per hub, not one per spawner
    assert "Used as this spawner's defaults: http_timeout, pvc_name_template, start_timeout." in warnings[0]
    assert "the JupyterNotebookInstanceTemplates decide these now" in warnings[0] and "image" in warnings[0]
    assert "events_enabled (the operator's Events about the instance are always relayed)" in warnings[0]
    assert "Unknown (not KubeSpawner settings; ignored): no_such_setting." in warnings[0]


def test_every_kubespawner_setting_is_classified():
    from jupyterhub.spawner import Spawner

    from notebookinstance_spawner import kubespawner_traits

    ours = set(NotebookInstanceSpawner.class_trait_names(config=True)) - set(Spawner.class_trait_names(config=True))
    groups = kubespawner_traits.classify(KubeSpawner.class_trait_names(config=True))
    unknown = set(groups.unknown) - set(Spawner.class_trait_names(config=True)) - ours
    assert not unknown, f"KubeSpawner settings nobody decided about: {sorted(unknown)}"


@pytest.fixture
async def jupyter_server():
    """Stands in for a running jupyterhub-singleuser: GET <prefix>api answers with a version."""
    app = web.Application()

    async def status(request):
        return web.json_response({"version": "2.21.1"})

    app.router.add_get("/{tail:.*}/api", status)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


def as_running(spawner, server: TestServer, state: dict) -> None:
    spawner.load_state(state)
    spawner.server.ip, spawner.server.port = "127.0.0.1", server.port  # where the hub recorded the server


async def test_a_running_kubespawner_server_is_kept_then_stopped_by_deleting_its_pod(
    spawner_factory, fake, jupyter_server
):
    await fake.put("pods", {"metadata": {"name": "jupyter-ada", "namespace": NAMESPACE}})
    spawner = spawner_factory(username="ada")
    as_running(
        spawner,
        jupyter_server,
        {"pod_name": "jupyter-ada", "namespace": NAMESPACE, "pvc_name": "claim-ada", "kubespawner_version": "7.1.0"},
    )
    assert await spawner.poll() is None  # it answers: the hub keeps it (and keeps routing to it)
    assert spawner.get_state() == {"pod_name": "jupyter-ada", "namespace": NAMESPACE, "pvc_name": "claim-ada"}
    await spawner.stop()
    assert fake.get("pods", NAMESPACE, "jupyter-ada") is None
    assert ("DELETE", f"/api/v1/namespaces/{NAMESPACE}/pods/jupyter-ada", {}) in fake.requests
    spawner.clear_state()
    assert spawner.get_state() == {"pvc_name": "claim-ada"}


async def test_a_kubespawner_server_that_no_longer_answers_is_stopped(spawner_factory, fake):
    spawner = spawner_factory(username="ada")
    spawner.load_state({"pod_name": "jupyter-ada", "kubespawner_version": "7.1.0"})
    spawner.server.ip, spawner.server.port = "127.0.0.1", 9  # nothing listens there
    assert await spawner.poll() == 0


async def test_without_pod_rights_stop_says_what_to_do(spawner_factory, fake, jupyter_server):
    fake.forbidden.add("pods")
    spawner = spawner_factory(username="ada")
    as_running(spawner, jupyter_server, {"pod_name": "jupyter-ada", "namespace": "users", "kubespawner_version": "7"})
    with pytest.raises(SpawnError, match=r"kubectl delete pod -n users jupyter-ada") as raised:
        await spawner.stop()
    assert "hub.kubeSpawnerPods.stop" in str(raised.value)
    assert spawner.legacy_pod == "jupyter-ada"  # not forgotten: still the hub's running server


def test_z2jh_configure_switches_the_hub_and_names_it_for_other_namespaces(monkeypatch):
    from notebookinstance_spawner import z2jh

    monkeypatch.setattr(migration, "_warned", False)
    c = Config()
    c.JupyterHub.spawner_class = "kubespawner.KubeSpawner"
    c.JupyterHub.hub_connect_url = "http://hub:8081"  # what Z2JH's jupyterhub_config.py writes
    c.KubeSpawner.start_timeout = 300
    c.KubeSpawner.image = "quay.io/jupyterhub/k8s-singleuser-sample:4.4.0"
    warning = z2jh.configure(c, namespace="jhub")
    assert c.JupyterHub.spawner_class == "notebookinstance_spawner.NotebookInstanceSpawner"
    assert c.JupyterHub.hub_connect_url == "http://hub.jhub.svc:8081"
    assert "Used as this spawner's defaults: start_timeout." in warning and "image" in warning
    assert z2jh.qualified("http://10.0.0.7:8081", "jhub") == "http://10.0.0.7:8081"
    assert z2jh.qualified("http://hub.jhub.svc.cluster.local:8081/", "x") == "http://hub.jhub.svc.cluster.local:8081/"
