"""start/progress/poll/stop/state against the fake API server, with a stand-in operator."""

import asyncio

import pytest
from conftest import INSTANCES, NAMESPACE, StandInOperator, wait_for
from fake_kube import secret_env

from notebookinstance_spawner import SpawnError

NAME = "jupyter-ada-lovelace-example-org---7799473f"


async def started(spawner, fake, name=NAME):
    operator = StandInOperator(fake, name)
    start = asyncio.create_task(spawner.start())
    await operator.provision()
    await operator.ready()
    return await asyncio.wait_for(start, 20), operator


async def polled(spawner, expected, timeout: float = 20):
    """poll() reads the hub's shared instance cache, which follows the API server by a watch, a moment behind:
    poll until it says `expected` (or time is up) and return the last answer."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        answer = await spawner.poll()
        if answer == expected or loop.time() > deadline:
            return answer
        await asyncio.sleep(0.05)


async def test_start_creates_secret_then_instance_and_returns_the_url(spawner_factory, fake):
    spawner = spawner_factory()
    url, _ = await started(spawner, fake)
    assert url == "http://127.8.0.5:8888"

    creates = [path for method, path, _ in fake.requests if method == "POST"]
    assert creates == [
        f"/api/v1/namespaces/{NAMESPACE}/secrets",
        f"/apis/kubespawner.jupyterhub.org/v1/namespaces/{NAMESPACE}/{INSTANCES}",
    ]
    secret = fake.get("secrets", NAMESPACE, NAME)
    assert secret_env(secret)["JUPYTERHUB_API_TOKEN"] == "secret-token-123"
    assert fake.get(INSTANCES, NAMESPACE, NAME)["spec"]["envSecretRef"] == {"name": NAME}
    assert not [r for r in fake.requests if "/pods" in r[1]], "the hub must never touch pods"


async def test_start_waits_by_watch_not_by_polling(spawner_factory, fake):
    spawner = spawner_factory()
    operator = StandInOperator(fake, NAME)
    start = asyncio.create_task(spawner.start())
    await operator.provision()
    await wait_for(lambda: fake.watching(INSTANCES))
    # the shared list may predate the create: the start then reads the instance once, and must have done so (and
    # reported what it read) before the changes below, or it would read the last of them and report only that
    await wait_for(lambda: any(i["message"].startswith("Provisioning") for i in spawner._progress_log.items))
    for n in range(10):
        await fake.set_status(NAMESPACE, NAME, message=f"still waiting ({n})")
    await operator.ready()
    assert await asyncio.wait_for(start, 20)
    instance_requests = [r for r in fake.requests if r[0] == "GET" and r[1].endswith(INSTANCES)]
    watches = [r for r in instance_requests if r[2].get("watch") in ("true", "True")]
    # the hub's shared list and watch of its instances, however many status changes happened meanwhile (and at most
    # one read of this instance, when the shared list raced its create)
    assert len(instance_requests) == 2 and len(watches) == 1
    assert len([r for r in fake.requests if r[0] == "GET" and r[1].endswith(NAME)]) <= 1
    assert [r[2]["labelSelector"] for r in instance_requests] == [
        "app.kubernetes.io/managed-by=notebookinstance-spawner"
    ] * 2
    assert "Provisioning: still waiting (9)" in [i["message"] for i in spawner._progress_log.items]


async def test_progress_streams_status_changes_and_events(spawner_factory, fake):
    spawner = spawner_factory()
    operator = StandInOperator(fake, NAME)
    start = asyncio.create_task(spawner.start())
    await operator.provision()
    await wait_for(lambda: spawner._progress_log and len(spawner._progress_log.items) >= 3)

    seen = []

    async def follow():
        async for item in spawner.progress():
            seen.append(item)

    follower = asyncio.create_task(follow())
    await fake.add_event(NAMESPACE, NAME, "PodScheduled", "Pod jupyter-x is on kwok-node-1", count=1, name="sched")
    await fake.add_event(NAMESPACE, NAME, "PodScheduled", "Pod jupyter-x is on kwok-node-1", count=3, name="sched")
    await wait_for(lambda: any("(x3)" in item["message"] for item in seen))
    await operator.ready()
    assert await asyncio.wait_for(start, 20)
    await asyncio.wait_for(follower, 20)  # progress ends when the start does

    messages = [item["message"] for item in seen]
    assert messages[0].startswith("Requested instance " + NAME)
    assert "TemplateResolved: Using template jupyterhub/z2jh-default (generation 1)" in messages
    assert "Provisioning: Waiting for pod jupyter-x to be ready" in messages
    assert "PodScheduled: Pod jupyter-x is on kwok-node-1 (x3)" in messages
    assert messages[-1] == "Ready: Ready" or "Ready: Ready" in messages
    progress = [item["progress"] for item in seen]
    assert progress == sorted(progress) and progress[-1] == 100


async def test_failed_instance_ends_the_spawn_with_the_operators_message(spawner_factory, fake):
    spawner = spawner_factory()
    operator = StandInOperator(fake, NAME)
    start = asyncio.create_task(spawner.start())
    await operator.fail("image evil.example/miner:latest is not allowed by policy.allowedImages")
    with pytest.raises(SpawnError) as caught:
        await asyncio.wait_for(start, 20)
    assert str(caught.value) == (
        "The server could not be started: image evil.example/miner:latest is not allowed by policy.allowedImages"
    )
    assert caught.value.jupyterhub_message == str(caught.value) and caught.value.status_code == 500
    # the hub will not call stop() for a server poll() calls dead: start() cleaned up itself
    assert fake.get(INSTANCES, NAMESPACE, NAME) is None
    assert fake.get("secrets", NAMESPACE, NAME) is None
    assert any("Warning: ImageNotAllowed" in i["message"] for i in spawner._progress_log.items)


async def test_start_times_out_with_the_last_known_state(spawner_factory, fake):
    spawner = spawner_factory(start_timeout=8)
    operator = StandInOperator(fake, NAME)
    start = asyncio.create_task(spawner.start())
    await operator.provision()
    with pytest.raises(SpawnError, match=r"did not become ready within 8 seconds \(last: Provisioning: Waiting"):
        await asyncio.wait_for(start, 30)
    assert fake.get(INSTANCES, NAMESPACE, NAME) is None and fake.get("secrets", NAMESPACE, NAME) is None


async def test_instance_deleted_during_start(spawner_factory, fake):
    spawner = spawner_factory()
    operator = StandInOperator(fake, NAME)
    start = asyncio.create_task(spawner.start())
    await operator.created()
    await fake.remove(INSTANCES, NAMESPACE, NAME)
    with pytest.raises(SpawnError, match="was deleted while the server was starting"):
        await asyncio.wait_for(start, 20)


async def test_a_leftover_instance_and_secret_are_replaced(spawner_factory, fake):
    first = spawner_factory()
    await started(first, fake)
    old_uid = fake.get(INSTANCES, NAMESPACE, NAME)["metadata"]["uid"]
    fake.hold_deletion.add((INSTANCES, NAMESPACE, NAME))  # like foreground deletion waiting for the pod

    second = spawner_factory(api_token="new-token")  # the hub lost track (e.g. its database was restored)
    start = asyncio.create_task(second.start())
    await wait_for(lambda: fake.get(INSTANCES, NAMESPACE, NAME)["metadata"].get("deletionTimestamp"))
    assert not start.done()  # waits until the old instance is really gone
    await fake.finish_deletion(INSTANCES, NAMESPACE, NAME)
    operator = StandInOperator(fake, NAME)
    await wait_for(
        lambda: (fake.get(INSTANCES, NAMESPACE, NAME) or {}).get("metadata", {}).get("uid") not in (None, old_uid)
    )
    await operator.provision()
    await operator.ready("http://127.8.1.9:8888")
    assert await asyncio.wait_for(start, 20) == "http://127.8.1.9:8888"
    assert secret_env(fake.get("secrets", NAMESPACE, NAME))["JUPYTERHUB_API_TOKEN"] == "new-token"
    secret_writes = [m for m, path, _ in fake.requests if "/secrets" in path and m in ("POST", "PUT", "DELETE")]
    assert secret_writes[-3:] == ["POST", "DELETE", "POST"]  # RBAC has no update on Secrets: delete, create
    assert "PUT" not in secret_writes


async def test_poll(spawner_factory, fake):
    spawner = spawner_factory()
    assert await spawner.poll() == 0  # never started
    operator = StandInOperator(fake, NAME)
    start = asyncio.create_task(spawner.start())
    await operator.provision()
    await wait_for(lambda: spawner.instance_name)
    assert await spawner.poll() is None  # provisioning counts as running
    await operator.ready()
    await start
    assert await spawner.poll() is None

    await fake.set_status(NAMESPACE, NAME, phase="Failed", message="pod jupyter-x failed: OOMKilled")
    assert await polled(spawner, 1) == 1
    # poll() cleans up a failed server: the hub calls stop() only for servers poll() calls running
    assert fake.get(INSTANCES, NAMESPACE, NAME) is None and fake.get("secrets", NAMESPACE, NAME) is None
    assert await spawner.poll() == 1


async def test_poll_when_the_instance_vanished(spawner_factory, fake):
    spawner = spawner_factory()
    await started(spawner, fake)
    await fake.remove(INSTANCES, NAMESPACE, NAME)
    assert await polled(spawner, 1) == 1
    assert fake.get("secrets", NAMESPACE, NAME) is None


async def test_stop_deletes_instance_and_secret_and_waits_until_gone(spawner_factory, fake):
    spawner = spawner_factory()
    await started(spawner, fake)
    fake.hold_deletion.add((INSTANCES, NAMESPACE, NAME))
    stop = asyncio.create_task(spawner.stop())
    await wait_for(lambda: fake.get(INSTANCES, NAMESPACE, NAME)["metadata"].get("deletionTimestamp"))
    await asyncio.sleep(0.2)
    assert not stop.done()
    assert fake.get("secrets", NAMESPACE, NAME) is None
    await fake.finish_deletion(INSTANCES, NAMESPACE, NAME)
    await asyncio.wait_for(stop, 20)
    deletes = [(path, query) for method, path, query in fake.requests if method == "DELETE"]
    assert deletes[0][0].endswith(f"/{INSTANCES}/{NAME}")
    # no request ever names a claim: the user's storage stays
    assert not [r for r in fake.requests if "persistentvolumeclaims" in r[1]]


async def test_stop_gives_up_after_stop_timeout(spawner_factory, fake):
    spawner = spawner_factory(stop_timeout=1)
    await started(spawner, fake)
    fake.hold_deletion.add((INSTANCES, NAMESPACE, NAME))
    with pytest.raises(SpawnError, match="was not gone 1 seconds after its deletion"):
        await spawner.stop()


async def test_stop_of_a_server_that_is_already_gone(spawner_factory, fake):
    spawner = spawner_factory()
    await spawner.stop()  # nothing there: no error
    assert fake.get(INSTANCES, NAMESPACE, NAME) is None


async def test_state_round_trip_lets_a_restarted_hub_find_the_server(spawner_factory, fake):
    spawner = spawner_factory(instance_name_template="nb-{user_server}")
    await started(spawner, fake, "nb-ada-lovelace-example-org---7799473f")
    state = spawner.get_state()
    assert state == {
        "instance_name": "nb-ada-lovelace-example-org---7799473f",
        "secret_name": "nb-ada-lovelace-example-org---7799473f",
        "namespace": NAMESPACE,
        "pvc_name": "claim-ada-lovelace-example-org---7799473f",  # remembered, as KubeSpawner 7 does
        # which objects these are, for a stop that must be retried (docs/multi-cluster.md)
        "instance_uid": fake.get(INSTANCES, NAMESPACE, "nb-ada-lovelace-example-org---7799473f")["metadata"]["uid"],
        "secret_uid": fake.get("secrets", NAMESPACE, "nb-ada-lovelace-example-org---7799473f")["metadata"]["uid"],
    }

    # the admin changed the name template since: the restarted hub still finds the running server
    restarted = spawner_factory(instance_name_template="other-{user_server}", namespace="elsewhere")
    restarted.load_state(state)
    assert restarted.namespace == NAMESPACE
    assert await restarted.poll() is None
    await restarted.stop()
    assert fake.get(INSTANCES, NAMESPACE, "nb-ada-lovelace-example-org---7799473f") is None
    assert fake.get("secrets", NAMESPACE, "nb-ada-lovelace-example-org---7799473f") is None
    restarted.clear_state()
    assert restarted.get_state() == {"pvc_name": "claim-ada-lovelace-example-org---7799473f"}


async def test_named_servers_run_side_by_side(spawner_factory, fake):
    default = spawner_factory(username="bob")
    named = spawner_factory(username="bob", servername="gpu")
    await started(default, fake, "jupyter-bob")
    await started(named, fake, "jupyter-bob--gpu")
    assert await default.poll() is None and await named.poll() is None
    await named.stop()
    assert fake.get(INSTANCES, NAMESPACE, "jupyter-bob--gpu") is None
    assert fake.get(INSTANCES, NAMESPACE, "jupyter-bob") is not None
    assert await default.poll() is None


async def test_watches_resume_after_the_version_expired(spawner_factory, fake):
    spawner = spawner_factory()
    operator = StandInOperator(fake, NAME)
    start = asyncio.create_task(spawner.start())
    await operator.provision()
    await wait_for(lambda: fake.watching(INSTANCES))
    fake.expire_before = 10**9  # every watch from now on is told 410 Gone and must list again
    await operator.ready()
    # the open watch still delivers; a later one would relist. Either way start ends Ready.
    assert await asyncio.wait_for(start, 20) == "http://127.8.0.5:8888"


async def test_relist_after_410(api, fake):
    await fake.put(INSTANCES, {"metadata": {"name": "x", "namespace": NAMESPACE}, "spec": {}})
    fake.expire_before = 10**9
    seen = []

    async def consume():
        async for current in api.watch_instance(NAMESPACE, "x"):
            seen.append(current)
            if len(seen) == 3:
                return

    # every watch fails with 410, so each turn is a fresh list that yields the current object again
    await asyncio.wait_for(consume(), 20)
    assert [s["metadata"]["name"] for s in seen] == ["x", "x", "x"]
    lists = [r for r in fake.requests if r[0] == "GET" and "watch" not in r[2]]
    assert len(lists) == 3


async def test_events_about_an_earlier_instance_of_the_same_name_are_not_shown(spawner_factory, fake):
    await fake.add_event(NAMESPACE, NAME, "Deleted", "from yesterday's server", name="old")  # no such instance now
    fake.get("events", NAMESPACE, "old")["regarding"]["uid"] = "uid-of-an-earlier-instance"
    spawner = spawner_factory()
    operator = StandInOperator(fake, NAME)
    start = asyncio.create_task(spawner.start())
    await operator.provision()
    await wait_for(lambda: any("TemplateResolved" in i["message"] for i in spawner._progress_log.items))
    await operator.ready()
    await asyncio.wait_for(start, 20)
    assert not [i for i in spawner._progress_log.items if "yesterday" in i["message"]]


async def test_progress_of_a_new_spawn_does_not_replay_the_previous_one(spawner_factory, fake):
    spawner = spawner_factory()
    await started(spawner, fake)
    await spawner.stop()
    assert [item async for item in spawner.progress()] == []


async def test_poll_of_an_instance_being_deleted(spawner_factory, fake, api):
    spawner = spawner_factory()
    await started(spawner, fake)
    fake.hold_deletion.add((INSTANCES, NAMESPACE, NAME))
    await api.delete_instance(NAMESPACE, NAME)
    deletes = len([r for r in fake.requests if r[0] == "DELETE"])
    assert await polled(spawner, 1) == 1
    assert len([r for r in fake.requests if r[0] == "DELETE"]) == deletes  # already on its way: no more requests


async def test_events_arriving_just_after_ready_still_reach_the_spawn_page(spawner_factory, fake):
    spawner = spawner_factory(progress_tail_seconds=30)
    await started(spawner, fake)
    log = spawner._progress_log
    assert not log.closed  # the hub is still waiting for the server to answer
    await fake.add_event(NAMESPACE, NAME, "ResourceCreated", "created Pod jupyter-x (recorded late)")
    await wait_for(lambda: any("recorded late" in i["message"] for i in log.items))
    await spawner.stop()
    assert log.closed  # stopping ends the tail at once


async def test_a_burst_of_starts_reads_the_template_once_while_it_is_fresh(spawner_factory, fake):
    api = await spawner_factory().kube()

    def reads():
        return len([r for r in fake.requests if r[0] == "GET" and "jupyternotebookinstancetemplates" in r[1]])

    before = reads()
    found = await asyncio.gather(*(api.get_template(NAMESPACE, "z2jh-default", 10) for _ in range(5)))
    assert [t["metadata"]["name"] for t in found] == ["z2jh-default"] * 5
    assert reads() == before + 1  # five readers at once, one request
    await api.get_template(NAMESPACE, "z2jh-default", 10)
    assert reads() == before + 1  # still fresh
    await api.get_template(NAMESPACE, "z2jh-default")
    assert reads() == before + 2  # max_age 0: read every time
    await asyncio.sleep(0.1)
    assert await api.get_template(NAMESPACE, "z2jh-default", 0.05) is not None
    assert reads() == before + 3  # the last read is too old now: read again
    assert await api.get_template(NAMESPACE, "no-such-template", 10) is None


async def test_starting_watches_from_the_created_version_without_lists(spawner_factory, fake):
    spawner = spawner_factory()
    await started(spawner, fake)
    lists = [r for r in fake.requests if r[0] == "GET" and r[2].get("watch") not in ("true", "True")]
    # the template and the first lists of the hub's shared watches (its instances, every instance's Events), no
    # existence check before the create; one read of the instance at most, when the shared cache's first list
    # raced the create and did not show it yet
    read = sorted(path.rsplit("/", 1)[-1] for _, path, _ in lists)
    assert read in (["events", INSTANCES, "z2jh-default"], ["events", NAME, INSTANCES, "z2jh-default"])
    assert [q.get("fieldSelector") for _, p, q in lists if p.endswith("/events")] == [
        "regarding.kind=JupyterNotebookInstance"
    ]


async def test_starts_and_polls_share_one_watch_of_instances_and_one_of_events(spawner_factory, fake):
    first, second = spawner_factory(), spawner_factory(username="grace")
    await started(first, fake)
    await started(second, fake, name="jupyter-grace")
    assert await first.poll() is None and await second.poll() is None
    watches = [r[1].rsplit("/", 1)[-1] for r in fake.requests if r[0] == "GET" and r[2].get("watch")]
    assert sorted(watches) == ["events", INSTANCES]
    assert len([r for r in fake.requests if r[0] == "GET" and r[1].endswith(("/jupyter-grace", NAME))]) <= 1
    await wait_for(lambda: any("TemplateResolved" in i["message"] for i in second._progress_log.items))


async def test_a_full_quota_is_told_to_the_user_and_leaves_nothing_behind(spawner_factory, fake):
    fake.refuse_create[INSTANCES] = (
        403,
        "Forbidden",
        f'jupyternotebookinstances.kubespawner.jupyterhub.org "{NAME}" is forbidden: exceeded quota: '
        "jno-instances, requested: count/jupyternotebookinstances.kubespawner.jupyterhub.org=1, used: "
        "count/jupyternotebookinstances.kubespawner.jupyterhub.org=1000, limited: "
        "count/jupyternotebookinstances.kubespawner.jupyterhub.org=1000",
    )
    spawner = spawner_factory()
    with pytest.raises(SpawnError) as refused:
        await asyncio.wait_for(spawner.start(), 20)
    assert refused.value.status_code == 429
    assert "the limit on servers in namespace" in refused.value.message
    assert "used: count/jupyternotebookinstances.kubespawner.jupyterhub.org=1000" in refused.value.message
    assert "Stop a server you no longer use" in refused.value.message
    assert fake.get("secrets", NAMESPACE, NAME) is None, "the token Secret is not left behind"


async def test_a_quota_not_counted_yet_is_waited_for(spawner_factory, fake):
    fake.refuse_create[INSTANCES] = (
        403,
        "Forbidden",
        f'jupyternotebookinstances.kubespawner.jupyterhub.org "{NAME}" is forbidden: status unknown for quota: '
        "jno-instances, resources: count/jupyternotebookinstances.kubespawner.jupyterhub.org",
    )
    spawner = spawner_factory()
    operator = StandInOperator(fake, NAME)
    start = asyncio.create_task(spawner.start())
    await wait_for(lambda: len([r for r in fake.requests if r[0] == "POST" and r[1].endswith(INSTANCES)]) >= 2)
    assert not start.done(), "a quota the cluster has not counted yet is a moment's wait, not a refusal"
    del fake.refuse_create[INSTANCES]  # the quota controller counted it
    await operator.provision()
    await operator.ready()
    assert await asyncio.wait_for(start, 20) == "http://127.8.0.5:8888"
    messages = [i["message"] for i in spawner._progress_log.items]
    assert any("quota to be counted" in m for m in messages), messages


async def test_a_quota_never_counted_fails_the_start_with_the_clusters_sentence(spawner_factory, fake):
    fake.refuse_create[INSTANCES] = (403, "Forbidden", "status unknown for quota: jno-instances")
    spawner = spawner_factory(quota_wait_seconds=1.5)
    with pytest.raises(SpawnError) as refused:
        await asyncio.wait_for(spawner.start(), 20)
    assert "status unknown for quota" in refused.value.message
    assert fake.get("secrets", NAMESPACE, NAME) is None, "the token Secret is not left behind"


async def test_an_admission_refusal_is_shown_as_the_clusters_sentence(spawner_factory, fake):
    fake.refuse_create[INSTANCES] = (403, "Forbidden", "the hub may not set finalizers on instance")
    spawner = spawner_factory()
    with pytest.raises(SpawnError) as refused:
        await asyncio.wait_for(spawner.start(), 20)
    assert refused.value.message == (
        "Cannot start the server: the cluster refused the request (403: the hub may not set finalizers on instance)"
    )
