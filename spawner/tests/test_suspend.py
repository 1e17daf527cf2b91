"""suspend_on_stop: stop() suspends the instance, poll() reports it stopped, start() resumes it; the time left."""

import asyncio
import datetime

import pytest
from conftest import INSTANCES, NAMESPACE, TEMPLATES, StandInOperator, wait_for
from fake_kube import secret_env

from notebookinstance_spawner import SpawnError
from notebookinstance_spawner.progress import time_left

NAME = "jupyter-ada-lovelace-example-org---7799473f"


async def started(spawner, fake):
    operator = StandInOperator(fake, NAME)
    start = asyncio.create_task(spawner.start())
    await operator.provision()
    await operator.ready()
    return await asyncio.wait_for(start, 20), operator


async def suspended_by_operator(fake, reason="SuspendRequested"):
    """What the operator does once spec.suspended is true (or a limit is reached): pods gone, phase Suspended."""
    await fake.set_status(
        NAMESPACE, NAME, phase="Suspended", message="suspended", url=None, suspension={"reason": reason}
    )


def patched(fake) -> list:
    return [body["spec"]["suspended"] for name, _, body in fake.patches if name == NAME]


async def test_stop_suspends_keeps_the_instance_deletes_the_secret_and_waits_for_suspended(spawner_factory, fake):
    spawner = spawner_factory(suspend_on_stop=True)
    await started(spawner, fake)
    uid = fake.get(INSTANCES, NAMESPACE, NAME)["metadata"]["uid"]
    stop = asyncio.create_task(spawner.stop())
    await wait_for(lambda: fake.get(INSTANCES, NAMESPACE, NAME)["spec"].get("suspended"))
    await asyncio.sleep(0.2)
    assert not stop.done(), "stop() waits until the operator reports the server suspended"
    assert fake.get("secrets", NAMESPACE, NAME) is None, "the stopped server's token is not kept"
    await suspended_by_operator(fake)
    await asyncio.wait_for(stop, 20)
    assert fake.get(INSTANCES, NAMESPACE, NAME)["metadata"]["uid"] == uid
    assert [c for _, c, _ in fake.patches] == ["application/merge-patch+json"]
    assert not [r for r in fake.requests if r[0] == "DELETE" and INSTANCES in r[1]]
    spawner.clear_state()
    assert await spawner.poll() == 0  # stopped and forgotten, as the hub sees it


async def test_poll_reports_a_suspended_server_as_stopped_and_keeps_it(spawner_factory, fake):
    spawner = spawner_factory()  # without suspend_on_stop too: the operator may suspend on its own
    await started(spawner, fake)
    await suspended_by_operator(fake, "IdleLimitExceeded")
    # poll() reads the hub's shared instance cache, which follows the API server's watch a moment later
    for _ in range(100):
        if await spawner.poll() == 1:
            break
        await asyncio.sleep(0.1)
    assert await spawner.poll() == 1
    assert fake.get(INSTANCES, NAMESPACE, NAME) is not None, "poll() does not delete a suspended server"
    assert fake.get("secrets", NAMESPACE, NAME) is None, "the hub revokes the token of a stopped server"

    fake.get(INSTANCES, NAMESPACE, NAME)["spec"]["suspended"] = True
    await fake.set_status(NAMESPACE, NAME, phase="Ready")  # pods still going: spec says stopped already
    assert await spawner.poll() == 1


async def test_start_resumes_the_suspended_instance_with_a_new_token(spawner_factory, fake):
    spawner = spawner_factory(suspend_on_stop=True)
    await started(spawner, fake)
    uid = fake.get(INSTANCES, NAMESPACE, NAME)["metadata"]["uid"]
    stop = asyncio.create_task(spawner.stop())
    await wait_for(lambda: fake.get(INSTANCES, NAMESPACE, NAME)["spec"].get("suspended"))
    await suspended_by_operator(fake)
    await stop
    spawner.clear_state()

    spawner.api_token = "the-next-token"
    operator = StandInOperator(fake, NAME)
    start = asyncio.create_task(spawner.start())
    await wait_for(lambda: fake.get(INSTANCES, NAMESPACE, NAME)["spec"].get("suspended") is False)
    await operator.ready("http://127.8.0.6:8888")
    assert await asyncio.wait_for(start, 20) == "http://127.8.0.6:8888"
    assert fake.get(INSTANCES, NAMESPACE, NAME)["metadata"]["uid"] == uid, "the same instance, resumed"
    assert secret_env(fake.get("secrets", NAMESPACE, NAME))["JUPYTERHUB_API_TOKEN"] == "the-next-token"
    assert patched(fake) == [True, False]
    assert [m for m, path, _ in fake.requests if m == "POST" and INSTANCES in path] == ["POST"]  # created once
    messages = [i["message"] for i in spawner._progress_log.items]
    assert any(m.startswith(f"Resuming the suspended instance {NAME}") for m in messages), messages


async def test_a_server_the_operator_suspended_is_suspended_by_spec_then_resumed(spawner_factory, fake):
    spawner = spawner_factory(suspend_on_stop=True)
    await started(spawner, fake)
    await suspended_by_operator(fake, "MaxAgeExceeded")  # spec.suspended still false
    operator = StandInOperator(fake, NAME)
    start = asyncio.create_task(spawner.start())
    await wait_for(lambda: len(patched(fake)) == 2)
    await operator.ready()
    await asyncio.wait_for(start, 20)
    # an operator's suspension holds until spec changes: true, then false
    assert patched(fake) == [True, False]


async def test_a_start_with_other_options_replaces_the_suspended_instance(spawner_factory, fake):
    spawner = spawner_factory(suspend_on_stop=True)
    await started(spawner, fake)
    uid = fake.get(INSTANCES, NAMESPACE, NAME)["metadata"]["uid"]
    fake.get(INSTANCES, NAMESPACE, NAME)["spec"]["suspended"] = True
    await suspended_by_operator(fake)
    spawner.user_options = {"variables": {"cpu_limit": "4"}}
    operator = StandInOperator(fake, NAME)
    start = asyncio.create_task(spawner.start())
    await wait_for(
        lambda: (fake.get(INSTANCES, NAMESPACE, NAME) or {}).get("metadata", {}).get("uid") not in (None, uid)
    )
    await operator.provision()
    await operator.ready()
    await asyncio.wait_for(start, 20)
    assert fake.get(INSTANCES, NAMESPACE, NAME)["spec"]["variables"]["cpu_limit"] == "4"
    assert patched(fake) == []


async def test_a_running_leftover_is_never_resumed(spawner_factory, fake):
    spawner = spawner_factory(suspend_on_stop=True)
    await started(spawner, fake)
    uid = fake.get(INSTANCES, NAMESPACE, NAME)["metadata"]["uid"]
    spawner.clear_state()  # the hub lost track of it: its pod holds an outdated token
    operator = StandInOperator(fake, NAME)
    start = asyncio.create_task(spawner.start())
    await wait_for(
        lambda: (fake.get(INSTANCES, NAMESPACE, NAME) or {}).get("metadata", {}).get("uid") not in (None, uid)
    )
    await operator.ready()
    await asyncio.wait_for(start, 20)
    assert patched(fake) == []


async def test_stop_falls_back_to_deletion_when_there_is_nothing_to_suspend(spawner_factory, fake):
    spawner = spawner_factory(suspend_on_stop=True)
    await started(spawner, fake)
    await fake.remove(INSTANCES, NAMESPACE, NAME)
    await spawner.stop()
    assert fake.get("secrets", NAMESPACE, NAME) is None
    assert patched(fake) == []


async def test_stop_gives_up_when_the_operator_does_not_suspend(spawner_factory, fake):
    spawner = spawner_factory(suspend_on_stop=True, stop_timeout=1)
    await started(spawner, fake)
    with pytest.raises(SpawnError, match="was not suspended 1 seconds after"):
        await spawner.stop()


def test_time_left_names_the_rule_and_the_minutes():
    now = datetime.datetime(2026, 12, 6, 12, 0, tzinfo=datetime.UTC)
    age = time_left({"stopAt": "2026-12-06T12:45:00Z", "stopReason": "MaxAgeExceeded"}, now)
    assert age == (
        "This server will be stopped at 2026-12-06 12:45 UTC (about 45 minutes from now), "
        "when it reaches its maximum age"
    )
    idle = time_left({"stopAt": "2026-12-06T16:00:00Z", "stopReason": "IdleLimitExceeded"}, now)
    assert "about 4 hours from now" in idle and "if it stays idle" in idle
    assert time_left({"phase": "Ready"}, now) is None
    assert time_left({"stopAt": "soon"}, now) is None  # never a crash on a bad value


async def test_the_spawn_page_shows_the_time_left(spawner_factory, fake):
    spawner = spawner_factory()
    operator = StandInOperator(fake, NAME)
    start = asyncio.create_task(spawner.start())
    await operator.provision()
    stop_at = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    await fake.set_status(NAMESPACE, NAME, stopAt=stop_at, stopReason="MaxAgeExceeded")
    await operator.ready()
    await asyncio.wait_for(start, 20)
    messages = [i["message"] for i in spawner._progress_log.items]
    assert any("will be stopped at" in m and "maximum age" in m for m in messages), messages


async def test_a_deprecated_choice_shows_its_message_and_a_refused_one_is_refused(spawner_factory, fake):
    template = fake.get(TEMPLATES, "jupyterhub", "z2jh-default")
    template["spec"]["deprecatedValues"] = [
        {"variable": "cpu_limit", "value": "1", "message": "too small for the new kernels", "replacement": "2"},
        {"variable": "mem_limit", "value": "8G", "message": "the large nodes are gone", "action": "Refuse"},
    ]
    template["spec"]["deprecation"] = {"message": "Python 3.9 ends in March", "replacement": "data-science-2025"}
    spawner = spawner_factory(template_cache_seconds=0)  # the test changes the template between reads
    form = await spawner._default_options_form()(spawner)
    assert "Python 3.9 ends in March (use data-science-2025 instead)" in form
    assert '<option value="1">1 (deprecated: too small for the new kernels (use 2 instead))</option>' in form
    assert '<option value="8G" disabled>8G (deprecated: the large nodes are gone)</option>' in form

    spawner.user_options = {"variables": {"mem_limit": "8G"}}
    with pytest.raises(SpawnError, match="mem_limit '8G' is deprecated and no longer available") as refused:
        await spawner.plan()
    assert refused.value.status_code == 400
    spawner.user_options = {"variables": {"cpu_limit": "1"}}
    assert (await spawner.plan())[2]["cpu_limit"] == "1"  # deprecated with Warn: still allowed

    template["spec"]["deprecation"]["action"] = "Refuse"
    with pytest.raises(SpawnError, match="is deprecated and no longer starts new servers: Python 3\\.9"):
        await spawner.plan()
