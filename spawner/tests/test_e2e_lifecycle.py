"""End to end, the lifecycle: a real JupyterHub with suspend_on_stop, the real operator enforcing a template's idle
limit with its activity probe against the real jupyterhub-singleuser's /api/status, on the local control plane.

The same stack as test_e2e.py (kubelet stand-in, restricted hub credentials), with the chart's hub Role (patch of
instances: spec.suspended) and an admin-named Secret holding the probe's token: a JupyterHub service token with
access:servers, which is what jupyterhub-singleuser asks of any request (never the user's token). Activity is made by
calling the server's API; /api/status itself does not count as activity (jupyter-server), so probing never keeps a
server alive.
"""

from __future__ import annotations

import json
import secrets
import threading
import time

import pytest
import requests
from test_e2e import (
    Hub,
    create_user,
    hub_rbac,
    operator_stack,
    template,
    wait_until,
)

pytestmark = pytest.mark.e2e

IMAGE = "quay.io/jupyterhub/k8s-singleuser-sample:4.2.0"
IDLE_LIMIT = 60  # the CRD's minimum
PROBE_INTERVAL = 10  # the CRD's minimum


def lifecycle_template(namespace: str) -> dict:
    t = template("e2e-idle", IMAGE, namespace)
    t["spec"]["policy"]["lifecycle"] = {
        "idleLimitSeconds": IDLE_LIMIT,
        "maxAgeSeconds": 3600,
        "activityProbe": {"intervalSeconds": PROBE_INTERVAL, "tokenSecretRef": {"name": "activity-probe"}},
    }
    t["spec"]["deprecatedValues"] = [
        {"variable": "cpu_limit", "value": "1", "message": "1 CPU is too small for the new kernels", "replacement": "2"}
    ]
    return t


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    probe_token = secrets.token_hex(16)

    def objects(namespace: str) -> list[dict]:
        rbac = hub_rbac(namespace)
        role = next(o for o in rbac if o["kind"] == "Role")
        role["rules"][0]["verbs"].append("patch")  # as the chart grants it: suspend and resume
        probe_secret = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "activity-probe", "namespace": namespace},
            "stringData": {"token": probe_token},
        }
        return rbac + [lifecycle_template(namespace), probe_secret]

    with operator_stack(tmp_path_factory.mktemp("e2e-lifecycle"), "spawner-lc", objects) as s:
        hub = Hub(s.workdir, s.namespace, s.hub_kubeconfig)
        with open(hub.config, "a") as config:
            config.write(f"""
c.NotebookInstanceSpawner.profile_list = []
c.NotebookInstanceSpawner.template_name = "e2e-idle"
c.NotebookInstanceSpawner.suspend_on_stop = True
c.Spawner.poll_interval = 5
c.JupyterHub.services.append({{"name": "activity-probe", "api_token": "{probe_token}"}})
c.JupyterHub.load_roles.append(
    {{"name": "activity-probe", "scopes": ["access:servers"], "services": ["activity-probe"]}}
)
""")
        try:
            hub.start()
            yield {"hub": hub, "kubectl": s.admin, "probe_token": probe_token, "workdir": s.workdir}
        finally:
            hub.stop()


def follow_progress(hub: Hub, user: str) -> threading.Thread:
    """Reads the spawn page's progress stream of the next spawn in a thread (the stream exists only while the spawn
    is pending); the thread's `events` holds what it saw."""
    thread = threading.Thread(daemon=True)
    thread.events = []

    def follow():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            response = hub.api("GET", f"/users/{user}/server/progress", stream=True)
            if response.status_code == 200:
                for line in response.iter_lines(decode_unicode=True):
                    if line and line.startswith("data:"):
                        thread.events.append(json.loads(line[5:]))
                return
            time.sleep(0.05)

    thread.run = follow
    thread.start()
    time.sleep(0.2)
    return thread


def condition(instance: dict, kind: str) -> str | None:
    found = next((c for c in (instance.get("status") or {}).get("conditions") or [] if c["type"] == kind), None)
    return f"{found['status']}/{found['reason']}" if found else None


def test_idle_culling_by_the_real_servers_activity_then_resume(stack):
    hub, kubectl = stack["hub"], stack["kubectl"]
    create_user(hub, "ida")
    seen = follow_progress(hub, "ida")
    assert hub.api("POST", "/users/ida/server", json={"cpu_limit": "1"}).status_code in (201, 202)
    hub.wait_ready("ida")
    instance = kubectl.get("jni", "jupyter-ida")
    uid, url = instance["metadata"]["uid"], instance["status"]["url"]
    # a deprecated choice: allowed (Warn), with its message in a condition
    assert condition(instance, "Deprecated") == "True/ValueDeprecated", instance["status"]
    assert (
        "1 CPU is too small"
        in next(c for c in instance["status"]["conditions"] if c["type"] == "Deprecated")["message"]
    )
    # the operator's own figures: when the server will be stopped, and why
    assert instance["status"].get("stopAt") and instance["status"].get("stopReason") in (
        "IdleLimitExceeded",
        "MaxAgeExceeded",
    )
    seen.join(60)
    messages = [e.get("message", "") for e in seen.events]
    assert any("will be stopped at" in m for m in messages), messages  # the spawn page tells the time left

    # the probe reads the real server's /api/status with the admin's token
    wait_until(
        "the activity probe to read the server",
        lambda: condition(kubectl.get("jni", "jupyter-ida"), "ActivityKnown") == "True/ProbeSucceeded",
        90,
        1,
    )

    # activity, made through the server's API, for longer than the idle limit: the server keeps running
    api = requests.Session()
    api.headers["Authorization"] = f"token {stack['probe_token']}"
    busy_until = time.monotonic() + IDLE_LIMIT + 2 * PROBE_INTERVAL
    while time.monotonic() < busy_until:
        assert api.get(f"{url}/user/ida/api/contents", timeout=10).ok
        current = kubectl.get("jni", "jupyter-ida")
        assert current["status"]["phase"] == "Ready", current["status"]
        time.sleep(5)
    busy = kubectl.get("jni", "jupyter-ida")
    assert busy["status"]["phase"] == "Ready" and busy["status"].get("lastActivity"), busy["status"]
    assert hub.server("ida") is not None

    # then none: the operator suspends it (the hub did nothing), with the rule and the figures
    culled = wait_until(
        "the idle server to be suspended",
        lambda: (lambda i: i if i["status"].get("phase") == "Suspended" else None)(kubectl.get("jni", "jupyter-ida")),
        IDLE_LIMIT + 6 * PROBE_INTERVAL,
        2,
    )
    assert condition(culled, "Suspended") == "True/IdleLimitExceeded", culled["status"]
    assert culled["metadata"]["uid"] == uid
    events = kubectl("get", "events", "-n", kubectl.namespace, "--field-selector", "involvedObject.name=jupyter-ida")
    assert "IdleLimitExceeded" in events, events
    wait_until("the pod to be gone", lambda: kubectl.get("pod", "jupyter-ida") is None, 60)
    # the hub's poll() sees it stopped (JupyterHub then calls no stop()); the instance is kept, the token's Secret
    # goes
    hub.wait_stopped("ida", timeout=90)
    wait_until("the Secret to go", lambda: kubectl.get("secret", "jupyter-ida") is None, 30)
    kept = kubectl.get("jni", "jupyter-ida")
    assert kept["metadata"]["uid"] == uid and kept["status"]["phase"] == "Suspended"

    # the user starts again: the same instance is resumed
    assert hub.api("POST", "/users/ida/server", json={"cpu_limit": "1"}).status_code in (201, 202)
    hub.wait_ready("ida")
    resumed = kubectl.get("jni", "jupyter-ida")
    assert resumed["metadata"]["uid"] == uid and resumed["spec"]["suspended"] is False
    assert requests.get(resumed["status"]["url"] + "/user/ida/api", timeout=10).ok

    # and a stop by the user suspends it again, keeping the instance
    assert hub.api("DELETE", "/users/ida/server").status_code in (202, 204)
    hub.wait_stopped("ida")
    stopped = kubectl.get("jni", "jupyter-ida")
    assert stopped["metadata"]["uid"] == uid and stopped["status"]["phase"] == "Suspended"
    assert kubectl.get("secret", "jupyter-ida") is None, "the stopped server's token is not kept"
