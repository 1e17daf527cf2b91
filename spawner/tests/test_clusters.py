"""Several clusters: placement by profile, state naming the cluster, an unreachable cluster, remembered stops.

Two fake API servers stand for the hub's cluster and a workload cluster ("far"); an address nothing listens on
stands for a cluster that is down.
"""

import asyncio
import copy
import socket

import pytest
from aiohttp.test_utils import TestServer
from conftest import INSTANCES, NAMESPACE, TEMPLATES, StandInOperator
from fake_kube import FakeKube
from kubernetes_asyncio.client import ApiClient, Configuration

from notebookinstance_spawner import SpawnError
from notebookinstance_spawner.clusters import PendingDeletion, clusters_from_config, is_unreachable
from notebookinstance_spawner.kube import KubeApi

NAME = "jupyter-ada-lovelace-example-org---7799473f"
FAR_NAMESPACE = "notebooks"
PROFILES = [
    {"display_name": "Here", "slug": "here", "template": "z2jh-default", "default": True},
    {"display_name": "Far away", "slug": "far", "template": "z2jh-default", "cluster": "far"},
]
CLUSTERS = {"far": {"kubeconfig": "/etc/jupyterhub/clusters/far/kubeconfig", "namespace": FAR_NAMESPACE}}


@pytest.fixture
async def far(z2jh_template):
    kube = FakeKube()
    template = copy.deepcopy(z2jh_template)
    template["metadata"]["namespace"] = FAR_NAMESPACE
    await kube.put(TEMPLATES, template)
    server = TestServer(kube.app())
    await server.start_server()
    kube.url = str(server.make_url("")).rstrip("/")
    api_client = ApiClient(Configuration(host=kube.url))
    kube.api = KubeApi(api_client, watch_timeout_seconds=5)
    yield kube
    await api_client.close()
    await server.close()


@pytest.fixture
async def down():
    """A KubeApi for a cluster whose API server does not answer (nothing listens on the port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    api_client = ApiClient(Configuration(host=f"http://127.0.0.1:{port}"))
    yield KubeApi(api_client, watch_timeout_seconds=5)
    await api_client.close()


def multi(spawner_factory, far_api, **config):
    spawner = spawner_factory(profile_list=PROFILES, clusters=CLUSTERS, cluster_timeout=5, **config)
    spawner._cluster_kubes = {"far": far_api}
    return spawner


async def start_on(spawner, fake, namespace):
    operator = StandInOperator(fake, NAME, namespace)
    start = asyncio.create_task(spawner.start())
    await operator.provision()
    await operator.ready("http://127.45.0.7:8888")
    return await asyncio.wait_for(start, 20)


def test_cluster_settings_are_checked_with_a_clear_message():
    found = clusters_from_config({"b": {"kubeconfig_secret": "cluster-b", "allowed_groups": ["gpu"]}})
    assert found["b"].kubeconfig_secret == {"name": "cluster-b"}
    assert found["b"].admits("x", ["gpu"]) and not found["b"].admits("x", ["cpu"])
    assert clusters_from_config({"c": {"kubeconfig": "/k"}})["c"].admits("anyone", [])
    with pytest.raises(ValueError, match=r"clusters\['b'\]: set exactly one of 'kubeconfig'"):
        clusters_from_config({"b": {"namespace": "x"}})
    with pytest.raises(ValueError, match=r"clusters\['b'\]: unknown field\(s\) \['kubeconfg'\]"):
        clusters_from_config({"b": {"kubeconfg": "/k"}})
    with pytest.raises(ValueError, match="'allowed_groups' must be a list of names"):
        clusters_from_config({"b": {"kubeconfig": "/k", "allowed_groups": "gpu"}})


async def test_a_profile_places_the_server_on_its_cluster_and_the_state_says_where(spawner_factory, fake, far):
    spawner = multi(spawner_factory, far.api)
    spawner.user_options = {"profile": "far"}
    url = await start_on(spawner, far, FAR_NAMESPACE)
    assert url == "http://127.45.0.7:8888"  # the operator's status.url there
    assert far.get(INSTANCES, FAR_NAMESPACE, NAME) is not None
    assert far.get("secrets", FAR_NAMESPACE, NAME) is not None
    assert fake.get(INSTANCES, NAMESPACE, NAME) is None and fake.get("secrets", NAMESPACE, NAME) is None
    state = spawner.get_state()
    assert state["cluster"] == "far" and state["namespace"] == FAR_NAMESPACE
    assert state["instance_uid"] == far.get(INSTANCES, FAR_NAMESPACE, NAME)["metadata"]["uid"]

    # a restarted hub: a new spawner from the saved state finds the server on that cluster
    again = multi(spawner_factory, far.api)
    again.load_state(state)
    assert await again.poll() is None
    await again.stop(now=True)
    assert far.get(INSTANCES, FAR_NAMESPACE, NAME) is None and far.get("secrets", FAR_NAMESPACE, NAME) is None


async def test_the_home_cluster_still_serves_profiles_without_a_cluster(spawner_factory, fake, far):
    spawner = multi(spawner_factory, far.api)
    spawner.user_options = {"profile": "here"}
    await start_on(spawner, fake, NAMESPACE)
    assert fake.get(INSTANCES, NAMESPACE, NAME) is not None and far.get(INSTANCES, FAR_NAMESPACE, NAME) is None
    assert "cluster" not in spawner.get_state()


async def test_an_unreachable_cluster_is_a_clear_error_and_others_keep_working(spawner_factory, fake, down):
    spawner = multi(spawner_factory, down)
    spawner.user_options = {"profile": "far"}
    with pytest.raises(SpawnError) as error:
        await spawner.start()
    assert error.value.status_code == 503
    assert "cluster 'far' is unreachable" in error.value.message
    assert "Servers on other clusters are not affected" in error.value.message
    assert any("cluster 'far' is unreachable" in i["message"] for i in spawner._progress_log.items)

    other = multi(spawner_factory, down, username="grace")
    other.user_options = {"profile": "here"}
    operator = StandInOperator(fake, "jupyter-grace", NAMESPACE)
    start = asyncio.create_task(other.start())
    await operator.provision()
    await operator.ready()
    assert await asyncio.wait_for(start, 20)


async def test_a_user_outside_the_clusters_groups_is_refused(spawner_factory, far):
    spawner = multi(spawner_factory, far.api)
    spawner.clusters = {"far": {**CLUSTERS["far"], "allowed_groups": ["gpu-users"]}}
    spawner.user_options = {"profile": "far"}
    with pytest.raises(SpawnError, match="you may not place servers on cluster 'far'") as error:
        await spawner.start()
    assert error.value.status_code == 403
    assert far.get(INSTANCES, FAR_NAMESPACE, NAME) is None


async def test_an_unknown_cluster_in_a_profile_names_the_configured_ones(spawner_factory, far):
    spawner = multi(spawner_factory, far.api, default_cluster="nowhere")
    spawner.profile_list = [{"template": "z2jh-default"}]
    with pytest.raises(
        SpawnError, match=r"cluster 'nowhere': it is not in NotebookInstanceSpawner.clusters \(configured: far\)"
    ):
        await spawner.start()


async def test_poll_counts_a_server_on_an_unreachable_cluster_as_running(spawner_factory, far, down):
    spawner = multi(spawner_factory, far.api)
    spawner.user_options = {"profile": "far"}
    await start_on(spawner, far, FAR_NAMESPACE)
    spawner._cluster_kubes["far"] = down  # the cluster goes away
    assert await spawner.poll() is None  # unknown is not stopped: the hub must not forget the server


async def test_a_stop_that_cannot_reach_the_cluster_is_remembered_and_finished_later(spawner_factory, far, down):
    spawner = multi(spawner_factory, far.api, deletion_retry_seconds=3600)
    spawner.user_options = {"profile": "far"}
    await start_on(spawner, far, FAR_NAMESPACE)
    spawner._cluster_kubes["far"] = down
    await spawner.stop()  # returns: the hub may go on; the deletion is remembered
    spawner.clear_state()  # as the hub does after every stop
    state = spawner.get_state()
    assert [PendingDeletion.from_state(p).instance for p in state["pending_deletions"]] == [NAME]
    assert far.get(INSTANCES, FAR_NAMESPACE, NAME) is not None  # nothing could be deleted yet

    # a restarted hub loads the state and retries once the cluster is back
    again = multi(spawner_factory, far.api, deletion_retry_seconds=3600)
    again.load_state(state)
    await again._retry_pending_deletions()
    assert far.get(INSTANCES, FAR_NAMESPACE, NAME) is None and far.get("secrets", FAR_NAMESPACE, NAME) is None
    assert "pending_deletions" not in again.get_state()
    if again._retry_task:
        again._retry_task.cancel()
    spawner._retry_task.cancel()


async def test_a_remembered_stop_never_deletes_a_newer_server_of_the_same_name(spawner_factory, far, down):
    spawner = multi(spawner_factory, far.api, deletion_retry_seconds=3600)
    spawner.user_options = {"profile": "far"}
    await start_on(spawner, far, FAR_NAMESPACE)
    spawner._cluster_kubes["far"] = down
    await spawner.stop()
    spawner.clear_state()
    # meanwhile (the cluster was only cut off from the hub) the old server went and a new one of that name started
    await far.remove(INSTANCES, FAR_NAMESPACE, NAME)
    newer = {"apiVersion": "kubespawner.jupyterhub.org/v1", "kind": "JupyterNotebookInstance"}
    newer["metadata"] = {"name": NAME, "namespace": FAR_NAMESPACE}
    await far.put(INSTANCES, newer)
    spawner._cluster_kubes["far"] = far.api
    await spawner._retry_pending_deletions()
    assert far.get(INSTANCES, FAR_NAMESPACE, NAME) is not None  # uid precondition: not the remembered one
    assert spawner.pending_deletions == []
    spawner._retry_task.cancel()


def test_connection_failures_count_as_unreachable():
    from kubernetes_asyncio.client.exceptions import ApiException

    assert is_unreachable(ConnectionRefusedError()) and is_unreachable(TimeoutError())
    assert is_unreachable(ApiException(status=503)) and not is_unreachable(ApiException(status=403))
    assert not is_unreachable(ValueError("bad"))


async def test_a_clusters_kubeconfig_comes_from_a_secret_in_the_hubs_namespace(spawner_factory, fake, far):
    import base64

    import yaml

    from notebookinstance_spawner import NotebookInstanceSpawner

    kubeconfig = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "far",
        "clusters": [{"name": "far", "cluster": {"server": far.url}}],
        "users": [{"name": "hub", "user": {"token": "far-token"}}],
        "contexts": [{"name": "far", "context": {"cluster": "far", "user": "hub"}}],
    }
    data = {"kubeconfig": base64.b64encode(yaml.safe_dump(kubeconfig).encode()).decode()}
    await fake.put(
        "secrets",
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "cluster-far", "namespace": NAMESPACE},
            "data": data,
        },
    )
    spawner = spawner_factory(
        profile_list=PROFILES, clusters={"far": {"kubeconfig_secret": "cluster-far", "namespace": FAR_NAMESPACE}}
    )
    spawner.user_options = {"profile": "far"}
    NotebookInstanceSpawner._clients.clear()  # one client per configuration per process: none from other tests
    try:
        assert await start_on(spawner, far, FAR_NAMESPACE)
        assert far.get(INSTANCES, FAR_NAMESPACE, NAME) is not None
        assert ("GET", f"/api/v1/namespaces/{NAMESPACE}/secrets/cluster-far") in [r[:2] for r in fake.requests]
    finally:
        for api in NotebookInstanceSpawner._clients.values():
            await api.api_client.close()
        NotebookInstanceSpawner._clients.clear()


async def test_a_missing_kubeconfig_secret_is_named_in_the_error(spawner_factory, far):
    from notebookinstance_spawner import NotebookInstanceSpawner

    spawner = spawner_factory(profile_list=PROFILES, clusters={"far": {"kubeconfig_secret": "nope"}})
    spawner.user_options = {"profile": "far"}
    NotebookInstanceSpawner._clients.clear()
    with pytest.raises(SpawnError, match="Cannot read the kubeconfig of cluster 'far': Secret nope"):
        await spawner.start()
