"""End to end across two clusters: one real JupyterHub, two real local control planes, an operator in each.

Cluster "a" is the one e2e/cluster runs for the other end-to-end tests (the hub's own cluster); cluster "b" is a
second control plane on other ports and another loopback pod range, started here when it is not running (and then
stopped again at the end). Each cluster gets the CRDs, the hub's Role (a ServiceAccount token is all the hub holds
there), a template, its own operator and its own kubelet stand-in running a real jupyterhub-singleuser per pod on the
pod's loopback IP. The hub places servers by profile: "a" (default) or "b" (NotebookInstanceSpawner.clusters).

Off by default (it starts a second control plane: about a minute and a half more): JNO_MULTICLUSTER_E2E=true runs it.
Cluster b's settings: JNO_MC_CLUSTER_DIR (default <cache>/cluster-mc), JNO_MC_PORTS ("etcd etcd-peer apiserver
controller-manager scheduler", default "22379 22380 26443 26257 26259"), JNO_MC_POD_CIDR_PREFIX (default 127.9).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from test_e2e import (
    HERE,
    OPERATOR_JAR,
    REPO,
    Hub,
    Kubectl,
    Process,
    hub_rbac,
    install_crds,
    template,
    unavailable,
    wait_until,
    write_hub_kubeconfig,
)

pytestmark = pytest.mark.e2e

CACHE = Path(os.environ.get("JNO_CACHE_DIR", Path.home() / ".cache" / "jupyter-notebook-operator"))
IMAGE = "quay.io/jupyterhub/k8s-singleuser-sample:4.2.0"


class ControlPlane:
    """One local control plane run by e2e/cluster, with the environment that selects it."""

    def __init__(self, env: dict[str, str]):
        self.env = {**os.environ, **env}

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(REPO / "e2e" / "cluster"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            check=check,
        )

    def running(self) -> bool:
        return self.run("status", check=False).returncode == 0

    def info(self) -> dict[str, str]:
        return dict(line.split("=", 1) for line in self.run("info").stdout.splitlines() if "=" in line)

    # The API server alone goes away and comes back (etcd keeps the data): the cluster is unreachable meanwhile.
    def _apiserver_pid_file(self) -> Path:
        return Path(self.env["JNO_CLUSTER_DIR"]) / "pids" / "kube-apiserver.pid"

    def stop_apiserver(self) -> list[str]:
        pid = int(self._apiserver_pid_file().read_text())
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[:-1]
        assert any(self.env["JNO_CLUSTER_DIR"].encode() in part for part in command), "not this cluster's API server"
        os.kill(pid, signal.SIGTERM)
        # it stops listening at once but waits up to a minute for its watches to end: not worth waiting for
        try:
            wait_until("the API server to exit", lambda: not Path(f"/proc/{pid}").exists(), 10)
        except AssertionError:
            os.kill(pid, signal.SIGKILL)
            wait_until("the API server to be killed", lambda: not Path(f"/proc/{pid}").exists(), 30)
        return [part.decode() for part in command]

    def start_apiserver(self, command: list[str]) -> None:
        log = Path(self.env["JNO_CLUSTER_DIR"]) / "logs" / "kube-apiserver.log"
        with open(log, "ab") as out:
            process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        self._apiserver_pid_file().write_text(f"{process.pid}\n")  # so that `e2e/cluster down` stops it


class PatientHub(Hub):
    """The e2e Hub, given more time to come up: here it shares the machine with two control planes."""

    start_wait = 300


def second_cluster_env() -> dict[str, str]:
    ports = os.environ.get("JNO_MC_PORTS", "22379 22380 26443 26257 26259").split()
    names = ["JNO_ETCD_PORT", "JNO_ETCD_PEER_PORT", "JNO_APISERVER_PORT", "JNO_CONTROLLER_MANAGER_PORT"]
    names.append("JNO_SCHEDULER_PORT")
    return {
        "JNO_CLUSTER_DIR": os.environ.get("JNO_MC_CLUSTER_DIR", str(CACHE / "cluster-mc")),
        "JNO_POD_CIDR_PREFIX": os.environ.get("JNO_MC_POD_CIDR_PREFIX", "127.9"),
        **dict(zip(names, ports, strict=True)),
    }


def prepare(plane: ControlPlane, name: str, namespace: str, workdir: Path, processes: list[Process]) -> dict:
    """CRDs, namespace, the hub's Role and a template; the operator and the kubelet stand-in; the hub's kubeconfig."""
    info = plane.info()
    admin = Kubectl(info["kubectl"], info["kubeconfig"], namespace)
    install_crds(admin)
    admin("create", "namespace", namespace)
    admin.apply(hub_rbac(namespace) + [template("e2e-notebook", IMAGE, namespace)])
    kubeconfig = write_hub_kubeconfig(admin, info, namespace, workdir / f"hub-{name}.kubeconfig")
    env = {**os.environ, "KUBECONFIG": info["kubeconfig"]}
    jar = workdir / "operator.jar"
    processes.append(
        Process(
            f"operator-{name}",
            [shutil.which("java"), "-jar", str(jar), f"--watch-namespaces={namespace}", "--http-port=-1"],
            workdir / f"operator-{name}.log",
            env,
        )
    )
    processes.append(
        Process(
            f"kubelet-standin-{name}",
            [sys.executable, str(HERE / "e2e" / "kubelet_standin.py"), namespace, str(workdir / f"servers-{name}")],
            workdir / f"kubelet-standin-{name}.log",
            env,
        )
    )
    return {"kubectl": admin, "kubeconfig": kubeconfig, "namespace": namespace}


@pytest.fixture(scope="module")
def clusters(tmp_path_factory):
    if os.environ.get("JNO_MULTICLUSTER_E2E") != "true":
        pytest.skip(
            "the multi-cluster end-to-end test starts a second control plane: JNO_MULTICLUSTER_E2E=true runs it"
        )
    home = ControlPlane({})
    if not home.running():
        unavailable("the local control plane is not running (start it with: e2e/cluster up)")
    if not OPERATOR_JAR.exists():
        unavailable(f"{OPERATOR_JAR.relative_to(REPO)} is missing (build it: mvn -B -pl operator -am package)")
    if shutil.which("java") is None:
        unavailable("java is not on PATH (the operator needs Java 17+)")
    far = ControlPlane(second_cluster_env())
    started_far = not far.running()
    if started_far:
        result = far.run("up", check=False)
        assert result.returncode == 0, f"cannot start the second control plane:\n{result.stderr[-3000:]}"

    workdir = tmp_path_factory.mktemp("e2e-multicluster")
    shutil.copy(OPERATOR_JAR, workdir / "operator.jar")  # other builds may rewrite operator/target meanwhile
    suffix = secrets.token_hex(3)
    processes: list[Process] = []
    hub = None
    sides = {}
    try:
        sides["a"] = prepare(home, "a", f"spawner-mc-{suffix}", workdir, processes)
        sides["b"] = prepare(far, "b", f"spawner-mc-{suffix}-b", workdir, processes)  # another namespace there
        hub = PatientHub(workdir, sides["a"]["namespace"], sides["a"]["kubeconfig"])
        with open(hub.config, "a") as config:
            config.write(f"""
c.NotebookInstanceSpawner.clusters = {{
    "b": {{"kubeconfig": "{sides["b"]["kubeconfig"]}", "namespace": "{sides["b"]["namespace"]}"}},
}}
c.NotebookInstanceSpawner.profile_list = [
    {{"display_name": "Cluster a", "slug": "a", "template": "e2e-notebook", "default": True}},
    {{"display_name": "Cluster b", "slug": "b", "template": "e2e-notebook", "cluster": "b"}},
]
c.NotebookInstanceSpawner.cluster_timeout = 10
# a jupyterhub-singleuser takes a minute to import on a loaded 2-core machine, and several start at once here
c.Spawner.start_timeout = 240
c.Spawner.http_timeout = 240
c.NotebookInstanceSpawner.deletion_retry_seconds = 3
""")
        hub.start()
        yield {"hub": hub, "a": sides["a"], "b": sides["b"], "far": far, "workdir": workdir}
    finally:
        if hub:
            hub.stop()
        for side in sides.values():
            side["kubectl"](
                "delete", "jni", "--all", "-n", side["namespace"], "--wait=true", "--timeout=60s", check=False
            )
        for process in reversed(processes):
            process.stop()
        for side in sides.values():
            side["kubectl"]("delete", "namespace", side["namespace"], "--wait=false", check=False)
        if started_far:
            far.run("down", check=False)
        print(f"multi-cluster e2e logs in {workdir}")


def spawn(hub: Hub, user: str, server: str = "", profile: str = "a") -> requests.Response:
    assert hub.api("POST", f"/users/{user}").status_code in (201, 409)
    path = f"/users/{user}/servers/{server}" if server else f"/users/{user}/server"
    return hub.api("POST", path, json={"profile": profile})


def stop(hub: Hub, user: str, server: str = "") -> None:
    path = f"/users/{user}/servers/{server}" if server else f"/users/{user}/server"
    assert hub.api("DELETE", path).status_code in (202, 204)
    hub.wait_stopped(user, server)


def reached(side: dict, instance: str, user_prefix: str, pod_prefix: str) -> dict:
    """The instance on that side is Ready at a URL on that cluster's pod range, and the real server answers there."""
    found = side["kubectl"].get("jni", instance)
    assert found is not None, f"{instance} is not on this cluster"
    # after an outage the pod is Ready again only once its node (kwok) has reported in and the kubelet stand-in
    # has reported it ready: until then the operator says Provisioning, without a url
    found = wait_until(
        f"{instance} to be Ready",
        lambda: (i := side["kubectl"].get("jni", instance)) and "url" in i.get("status", {}) and i,
        120,
        1,
    )
    url = found["status"]["url"]
    assert url.startswith(f"http://{pod_prefix}."), url
    answer = requests.get(f"{url}{user_prefix}api", timeout=30)
    assert answer.ok and "version" in answer.json(), answer.text
    return found


def hub_state(workdir: Path, user: str, server: str = "") -> dict:
    """The spawner's state as the hub saved it in its database."""
    import json
    import sqlite3

    with sqlite3.connect(workdir / "jupyterhub.sqlite") as db:
        row = db.execute(
            "SELECT spawners.state FROM spawners JOIN users ON spawners.user_id = users.id"
            " WHERE users.name = ? AND spawners.name = ?",
            (user, server),
        ).fetchone()
    return json.loads(row[0]) if row and row[0] else {}


def pod_prefix(side: str) -> str:
    return (
        os.environ.get("JNO_POD_CIDR_PREFIX", "127.8") if side == "a" else second_cluster_env()["JNO_POD_CIDR_PREFIX"]
    )


def test_users_and_named_servers_on_both_clusters_a_cluster_outage_and_a_hub_restart(clusters):
    hub, a, b = clusters["hub"], clusters["a"], clusters["b"]
    figures: dict[str, float] = {}  # printed at the end (docs/multi-cluster.md quotes a run); never asserted
    began = time.monotonic()

    # users on both clusters; one user with a default server on a and a named one on b
    assert spawn(hub, "ada").status_code in (201, 202)
    assert spawn(hub, "bob", profile="b").status_code in (201, 202)
    assert spawn(hub, "grace").status_code in (201, 202)
    assert spawn(hub, "grace", "far", profile="b").status_code in (201, 202)
    for user, server in (("ada", ""), ("bob", ""), ("grace", ""), ("grace", "far")):
        hub.wait_ready(user, server, timeout=300)
    figures["4 servers (2 per cluster) requested together, all ready"] = time.monotonic() - began
    reached(a, "jupyter-ada", "/user/ada/", pod_prefix("a"))
    reached(b, "jupyter-bob", "/user/bob/", pod_prefix("b"))
    reached(a, "jupyter-grace", "/user/grace/", pod_prefix("a"))
    grace_far = reached(b, "jupyter-grace--far", "/user/grace/far/", pod_prefix("b"))
    assert a["kubectl"].get("jni", "jupyter-bob") is None and b["kubectl"].get("jni", "jupyter-ada") is None
    assert b["kubectl"].get("jni", "jupyter-grace") is None and a["kubectl"].get("jni", "jupyter-grace--far") is None

    # cluster b goes away
    far: ControlPlane = clusters["far"]
    apiserver = far.stop_apiserver()
    try:
        # spawning there: a clear error naming the cluster, at once (checked before start) or through progress
        began = time.monotonic()
        response = spawn(hub, "carol", profile="b")
        figures["spawn on the unreachable cluster answered"] = time.monotonic() - began
        if response.status_code in (201, 202):
            wait_until("carol's spawn to fail", lambda: not hub.user("carol")["pending"], 60)
            text = " ".join(e.get("message", "") for e in hub.progress("carol"))
        else:
            assert response.status_code == 503, response.text
            text = response.json()["message"]
        assert "cluster 'b' is unreachable" in text and "Servers on other clusters are not affected" in text, text
        assert hub.server("carol") is None

        # cluster a keeps working: a new server starts and is reached
        assert spawn(hub, "dave").status_code in (201, 202)
        hub.wait_ready("dave", timeout=300)
        reached(a, "jupyter-dave", "/user/dave/", pod_prefix("a"))
        # the servers on b still count as running for the hub
        assert hub.server("bob")["ready"] and hub.server("grace", "far")["ready"]

        # a stop while b is unreachable: the hub lets go of the server, the deletion is remembered (in its state)
        stop(hub, "bob")
        assert "pending_deletions" in hub_state(clusters["workdir"], "bob")

        # the hub restarts while b is still away: it keeps the servers on a, and b's (unknown is not stopped)
        hub.stop()
        began = time.monotonic()
        hub.start()
        for user, server in (("ada", ""), ("grace", ""), ("dave", ""), ("grace", "far")):
            assert hub.wait_ready(user, server, timeout=300)["ready"]
        figures["hub restart with cluster b down, 4 servers found"] = time.monotonic() - began
        assert hub.server("bob") is None
    finally:
        far.start_apiserver(apiserver)
        back = time.monotonic()

    # b is back: the deletion the restarted hub found in bob's state happens; nothing is orphaned there (instance,
    # Secret, pod and the server's process)
    wait_until("b's API server to answer", lambda: b["kubectl"]("get", "--raw", "/readyz", check=False) == "ok", 90)
    wait_until("bob's instance on b to be deleted", lambda: b["kubectl"].get("jni", "jupyter-bob") is None, 90, 1)
    figures["API server of b restarted -> remembered deletion done"] = time.monotonic() - back
    wait_until("bob's Secret on b to be deleted", lambda: b["kubectl"].get("secret", "jupyter-bob") is None, 30, 1)
    wait_until("bob's pod on b to be deleted", lambda: b["kubectl"].get("pod", "jupyter-bob") is None, 60, 1)
    wait_until(
        "bob's state to forget the deletion",
        lambda: "pending_deletions" not in hub_state(clusters["workdir"], "bob"),
        30,
        1,
    )
    # grace's server on b survived the outage and is still reached
    assert (
        reached(b, "jupyter-grace--far", "/user/grace/far/", pod_prefix("b"))["metadata"]["uid"]
        == (grace_far["metadata"]["uid"])
    )
    # and b takes new servers again
    assert spawn(hub, "carol", profile="b").status_code in (201, 202)
    hub.wait_ready("carol", timeout=300)
    reached(b, "jupyter-carol", "/user/carol/", pod_prefix("b"))

    # a restarted hub finds every server on both clusters (the state names the cluster), both reachable now
    uids = {
        (side, name): clusters[side]["kubectl"].get("jni", name)["metadata"]["uid"]
        for side, name in (
            ("a", "jupyter-ada"),
            ("a", "jupyter-grace"),
            ("b", "jupyter-grace--far"),
            ("b", "jupyter-carol"),
        )
    }
    hub.stop()
    began = time.monotonic()
    hub.start()
    for user, server in (("ada", ""), ("grace", ""), ("grace", "far"), ("carol", ""), ("dave", "")):
        assert hub.wait_ready(user, server, timeout=300)["ready"]
    figures["hub restart, 5 servers on 2 clusters found"] = time.monotonic() - began
    for (side, name), uid in uids.items():
        assert clusters[side]["kubectl"].get("jni", name)["metadata"]["uid"] == uid, name  # the same servers

    # stops reach each server's own cluster
    for user, server in (("ada", ""), ("grace", ""), ("grace", "far"), ("carol", ""), ("dave", "")):
        stop(hub, user, server)
    for side, name in (*uids, ("a", "jupyter-dave")):
        wait_until(
            f"{name} to be gone from {side}", lambda s=side, n=name: clusters[s]["kubectl"].get("jni", n) is None, 60
        )
    print("multi-cluster figures (seconds):", *(f"{k}: {v:.1f}" for k, v in figures.items()), sep="\n  ")
