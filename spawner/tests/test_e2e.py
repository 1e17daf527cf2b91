"""End to end: a real JupyterHub (from PyPI) with NotebookInstanceSpawner, the real operator, the real local
control plane (e2e/cluster), and a real jupyterhub-singleuser per server.

kwok's pods run nothing, so e2e/kubelet_standin.py starts each notebook pod's command locally, with the
environment the operator rendered, on the loopback IP kwok gave the pod; the hub then reaches the server at the
URL the instance reports, exactly as in a cluster. The hub uses a ServiceAccount token with only the Role the
chart grants it (no rights on pods). Skipped, with the reason, when the cluster or the operator's jar is missing
(bin/test provides both); JNO_SPAWNER_REQUIRE_E2E=true turns those skips into failures.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import yaml

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
OPERATOR_JAR = REPO / "operator" / "target" / "jupyter-notebook-operator.jar"
PORT = 18888  # the notebook port of the test templates (every pod has its own IP)


# ------------------------------------------------------------------------------------------------ environment


def cluster_info() -> dict[str, str] | None:
    script = REPO / "e2e" / "cluster"
    if not script.exists():
        return None
    if subprocess.run([script, "status"], capture_output=True, stdin=subprocess.DEVNULL).returncode != 0:
        return None
    out = subprocess.run([script, "info"], capture_output=True, text=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what: str, check, timeout: float = 60, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class Kubectl:
    def __init__(self, binary: str, kubeconfig: str, namespace: str):
        self.binary, self.kubeconfig, self.namespace = binary, kubeconfig, namespace

    def __call__(self, *args: str, input: str | None = None, check: bool = True) -> str:
        result = subprocess.run(
            [self.binary, "--kubeconfig", self.kubeconfig, *args],
            input=input,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed: {result.stderr}")
        return result.stdout

    def apply(self, objects: list[dict]) -> None:
        self("apply", "-f", "-", input="\n---\n".join(yaml.safe_dump(o) for o in objects))

    def get(self, kind: str, name: str) -> dict | None:
        out = self("get", kind, name, "-n", self.namespace, "-o", "json", "--ignore-not-found")
        return json.loads(out) if out.strip() else None


def template(name: str, image: str, namespace: str) -> dict:
    slug = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
    return {
        "apiVersion": "kubespawner.jupyterhub.org/v1",
        "kind": "JupyterNotebookInstanceTemplate",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "displayName": f"E2E {name}",
            "variables": [
                {"name": "username", "required": True, "pattern": slug, "maxLength": 63},
                {"name": "unescaped_username", "required": True, "maxLength": 255},
                {"name": "servername", "default": "", "pattern": f"({slug})?", "maxLength": 63},
                {"name": "user_server", "required": True, "pattern": slug, "maxLength": 63},
                {"name": "userid", "required": True, "pattern": "[0-9]+"},
                {"name": "cpu_limit", "default": "1", "enum": ["1", "2"]},
            ],
            "pods": [
                {
                    "name": "jupyter-{user_server}",
                    "notebook": True,
                    "notebookContainer": "notebook",
                    "notebookPort": PORT,
                    "labels": {
                        "component": "singleuser-server",
                        "hub.jupyter.org/username": "{username}",
                        "hub.jupyter.org/servername": "{servername}",
                    },
                    "annotations": {"hub.jupyter.org/username": "{unescaped_username}"},
                    "spec": {
                        "automountServiceAccountToken": False,
                        "containers": [
                            {
                                "name": "notebook",
                                "image": image,
                                "args": ["jupyterhub-singleuser"],
                                "ports": [{"name": "notebook-port", "containerPort": PORT}],
                                "env": [{"name": "CPU_LIMIT", "value": "{cpu_limit}"}],
                            }
                        ],
                    },
                }
            ],
            "policy": {"allowedImages": ["quay.io/jupyterhub/k8s-singleuser-sample:*"], "allowArgs": True},
        },
    }


def physics_template(namespace: str) -> dict:
    """A template only members of JupyterHub group physics may use (policy.access)."""
    restricted = template("e2e-physics", "quay.io/jupyterhub/k8s-singleuser-sample:4.2.0", namespace)
    restricted["spec"]["policy"]["access"] = {"groups": ["physics"]}
    return restricted


def hub_rbac(namespace: str) -> list[dict]:
    """The hub's Role, as the chart grants it: no pods, Secrets without update, templates read-only."""
    rules = [
        {
            "apiGroups": ["kubespawner.jupyterhub.org"],
            "resources": ["jupyternotebookinstances"],
            "verbs": ["create", "get", "list", "watch", "delete"],
        },
        {
            "apiGroups": ["kubespawner.jupyterhub.org"],
            "resources": ["jupyternotebookinstancetemplates"],
            "verbs": ["get", "list", "watch"],
        },
        {"apiGroups": ["events.k8s.io"], "resources": ["events"], "verbs": ["list", "watch"]},
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["create", "get", "delete"]},
    ]
    meta = {"name": "hub", "namespace": namespace}
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta, "rules": rules},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": meta,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "hub"},
            "subjects": [{"kind": "ServiceAccount", "name": "hub", "namespace": namespace}],
        },
    ]


def install_crds(admin: Kubectl) -> None:
    """Applies the CRDs of crds/ and waits until each is Established (polled: `kubectl wait
    --for=condition=Established` fails at once on a CRD whose status has no conditions yet)."""
    admin("apply", "--server-side", "--force-conflicts", "--field-manager=spawner-e2e", "-f", str(REPO / "crds"))
    for path in sorted((REPO / "crds").glob("*.yaml")):
        name = yaml.safe_load(path.read_text())["metadata"]["name"]
        wait_until(
            f"CRD {name} Established",
            lambda name=name: (
                admin(
                    "get",
                    "crd",
                    name,
                    "-o",
                    'jsonpath={.status.conditions[?(@.type=="Established")].status}',
                    check=False,
                )
                == "True"
            ),
            60,
            0.5,
        )


def write_hub_kubeconfig(admin: Kubectl, info: dict[str, str], namespace: str, path: Path) -> Path:
    """The hub's kubeconfig at path: a token of the namespace's ServiceAccount `hub`, the cluster's CA, nothing else."""
    token = admin("create", "token", "hub", "-n", namespace, "--duration=2h").strip()
    cluster = yaml.safe_load(Path(info["kubeconfig"]).read_text())["clusters"][0]["cluster"]
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "hub",
                "clusters": [{"name": "local", "cluster": cluster}],
                "users": [{"name": "hub", "user": {"token": token}}],
                "contexts": [{"name": "hub", "context": {"cluster": "local", "user": "hub", "namespace": namespace}}],
            }
        )
    )
    return path


class Process:
    """A background process with its log, stopped by its own PID."""

    def __init__(self, name: str, command: list[str], log: Path, env: dict | None = None, cwd: Path | None = None):
        self.name, self.log = name, log
        self.handle = subprocess.Popen(
            command, stdout=open(log, "ab"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=cwd
        )

    def alive(self) -> bool:
        return self.handle.poll() is None

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.alive():
            self.handle.send_signal(signal.SIGTERM)
            try:
                self.handle.wait(20)
            except subprocess.TimeoutExpired:
                self.handle.kill()
                self.handle.wait()


class Hub:
    """A real JupyterHub process configured with NotebookInstanceSpawner; restartable on the same database."""

    start_wait: float = 60  # seconds the hub may take to answer after start()

    def __init__(self, workdir: Path, namespace: str, kubeconfig: Path):
        self.workdir, self.port, self.hub_port = workdir, free_port(), free_port()
        self.token = secrets.token_hex(16)
        # no proxy runs (MemoryProxy): talk to the hub API directly
        self.url = f"http://127.0.0.1:{self.hub_port}/hub/api"
        self.config = workdir / "jupyterhub_config.py"
        self.config.write_text(f"""
c.JupyterHub.bind_url = "http://127.0.0.1:{self.port}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{self.hub_port}"
c.JupyterHub.proxy_class = "memory_proxy.MemoryProxy"
c.JupyterHub.db_url = "sqlite:///{workdir}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{workdir}/cookie_secret"
c.JupyterHub.cleanup_servers = False  # servers outlive the hub: the restart test depends on it
c.JupyterHub.allow_named_servers = True
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.services = [{{"name": "e2e", "api_token": "{self.token}"}}]
c.JupyterHub.load_roles = [{{"name": "e2e", "scopes": ["admin:users", "admin:servers"], "services": ["e2e"]}}]
c.JupyterHub.spawner_class = "notebookinstance"
c.Spawner.start_timeout = 90
c.Spawner.http_timeout = 60
c.NotebookInstanceSpawner.namespace = "{namespace}"
c.NotebookInstanceSpawner.kubeconfig = "{kubeconfig}"
c.NotebookInstanceSpawner.port = {PORT}
c.NotebookInstanceSpawner.profile_list = [
    {{"display_name": "Notebook", "slug": "notebook", "template": "e2e-notebook", "default": True}},
    {{"display_name": "Forbidden image", "slug": "forbidden", "template": "e2e-forbidden"}},
    {{"display_name": "Physics lab", "slug": "physics", "template": "e2e-physics"}},
]
# access rules (issue 19): e2e-physics grants group physics only
c.JupyterHub.load_groups = {{"physics": {{"users": ["curie"]}}}}
""")
        self.process: Process | None = None
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {self.token}"

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(HERE / "e2e")}
        env.pop("KUBECONFIG", None)  # the spawner must use only its own, restricted, credentials
        self.process = Process(
            "jupyterhub",
            [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(self.config)],
            self.workdir / "jupyterhub.log",
            env,
            self.workdir,
        )

        def up():
            assert self.process.alive(), f"jupyterhub exited:\n{self.process.tail()}"
            try:
                return self.session.get(self.url + "/", timeout=2).ok
            except requests.ConnectionError:
                return False

        wait_until("the hub to answer", up, self.start_wait)

    def stop(self) -> None:
        if self.process:
            self.process.stop()

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.session.request(method, self.url + path, timeout=30, **kwargs)

    def user(self, name: str) -> dict:
        response = self.api("GET", f"/users/{name}")
        response.raise_for_status()
        return response.json()

    def server(self, user: str, server: str = "") -> dict | None:
        return self.user(user)["servers"].get(server)

    def wait_ready(self, user: str, server: str = "", timeout: float = 120) -> dict:
        def ready():
            assert self.process.alive(), f"jupyterhub exited:\n{self.process.tail()}"
            found = self.server(user, server)
            return found if found and found.get("ready") else None

        return wait_until(f"{user}'s server {server!r} to be ready", ready, timeout, 0.5)

    def wait_stopped(self, user: str, server: str = "", timeout: float = 120) -> None:
        wait_until(f"{user}'s server {server!r} to stop", lambda: self.server(user, server) is None, timeout, 0.5)

    def progress(self, user: str, server: str = "") -> list[dict]:
        path = f"/users/{user}/servers/{server}/progress" if server else f"/users/{user}/server/progress"
        response = self.api("GET", path, stream=True)
        events = []
        for line in response.iter_lines(decode_unicode=True):
            if line and line.startswith("data:"):
                events.append(json.loads(line[5:]))
        return events


# -------------------------------------------------------------------------------------------------- fixtures


def unavailable(reason: str):
    """Skips, or fails when JNO_SPAWNER_REQUIRE_E2E=true (for a CI that is meant to provide everything)."""
    if os.environ.get("JNO_SPAWNER_REQUIRE_E2E") == "true":
        pytest.fail(f"end-to-end tests required but {reason}")
    pytest.skip(reason)


@dataclass(frozen=True)
class OperatorStack:
    """A namespace of the local control plane with the CRDs and its objects, the operator and the kubelet stand-in
    watching it, and the hub's kubeconfig (a token of the hub's ServiceAccount there, nothing else)."""

    admin: Kubectl
    namespace: str
    workdir: Path
    hub_kubeconfig: Path
    operator: Process


@contextlib.contextmanager
def operator_stack(
    workdir: Path, prefix: str, objects: Callable[[str], list[dict]], operator_args: tuple[str, ...] = ()
) -> Iterator[OperatorStack]:
    """The stack every end-to-end suite runs its hub against: a new namespace `<prefix>-<random>` holding
    objects(namespace) (the hub's Role among them), the operator (extra operator_args) and the kubelet stand-in. Skips
    (or fails, see unavailable) when the cluster, the operator's jar or java is missing. Stop the hub before leaving:
    the instances are deleted while the operator still runs (its finalizer must be released), then the namespace."""
    info = cluster_info()
    if info is None:
        unavailable("the local control plane is not running (start it with: e2e/cluster up)")
    if not OPERATOR_JAR.exists():
        unavailable(f"{OPERATOR_JAR.relative_to(REPO)} is missing (build it: mvn -B -pl operator -am package)")
    java = shutil.which("java")
    if java is None:
        unavailable("java is not on PATH (the operator needs Java 17+)")
    namespace = f"{prefix}-{secrets.token_hex(3)}"
    admin = Kubectl(info["kubectl"], info["kubeconfig"], namespace)
    install_crds(admin)
    admin("create", "namespace", namespace)
    processes: list[Process] = []
    try:
        admin.apply(objects(namespace))
        hub_kubeconfig = write_hub_kubeconfig(admin, info, namespace, workdir / "hub.kubeconfig")
        # a copy of the jar: other builds may rewrite operator/target while the tests run
        jar = workdir / "operator.jar"
        shutil.copy(OPERATOR_JAR, jar)
        admin_env = {**os.environ, "KUBECONFIG": info["kubeconfig"]}
        operator = Process(
            "operator",
            [java, "-jar", str(jar), f"--watch-namespaces={namespace}", "--http-port=-1", *operator_args],
            workdir / "operator.log",
            admin_env,
        )
        processes.append(operator)
        processes.append(
            Process(
                "kubelet-standin",
                [sys.executable, str(HERE / "e2e" / "kubelet_standin.py"), namespace, str(workdir / "servers")],
                workdir / "kubelet-standin.log",
                admin_env,
            )
        )
        yield OperatorStack(admin, namespace, workdir, hub_kubeconfig, operator)
    finally:
        admin("delete", "jni", "--all", "-n", namespace, "--wait=true", "--timeout=60s", check=False)
        for process in reversed(processes):
            process.stop()
        print(f"logs in {workdir}")
        admin("delete", "namespace", namespace, "--wait=false", check=False)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    def objects(namespace: str) -> list[dict]:
        return hub_rbac(namespace) + [
            template("e2e-notebook", "quay.io/jupyterhub/k8s-singleuser-sample:4.2.0", namespace),
            template("e2e-forbidden", "docker.io/example/miner:latest", namespace),
            physics_template(namespace),
        ]

    with operator_stack(tmp_path_factory.mktemp("e2e"), "spawner-e2e", objects) as s:
        hub = Hub(s.workdir, s.namespace, s.hub_kubeconfig)
        try:
            hub.start()
            yield {
                "hub": hub,
                "kubectl": s.admin,
                "namespace": s.namespace,
                "workdir": s.workdir,
                "operator": s.operator,
            }
        finally:
            hub.stop()


@pytest.fixture
def hub(stack) -> Hub:
    return stack["hub"]


@pytest.fixture
def kubectl(stack) -> Kubectl:
    return stack["kubectl"]


def create_user(hub: Hub, name: str) -> None:
    response = hub.api("POST", f"/users/{name}")
    assert response.status_code in (201, 409), response.text


# ----------------------------------------------------------------------------------------------------- tests


def test_start_and_stop_a_users_server(hub, kubectl):
    create_user(hub, "ada")
    response = hub.api("POST", "/users/ada/server", json={})
    assert response.status_code in (201, 202), response.text
    server = hub.wait_ready("ada")

    instance = kubectl.get("jni", "jupyter-ada")
    assert instance["status"]["phase"] == "Ready"
    assert server["url"] == "/user/ada/"
    # the hub reaches the real jupyterhub-singleuser at the URL the operator reported
    status = requests.get(instance["status"]["url"] + "/user/ada/api", timeout=10)
    assert status.ok and "version" in status.json()
    # the API token travels in the Secret only
    secret = kubectl.get("secret", "jupyter-ada")
    token = base64.b64decode(secret["data"]["JUPYTERHUB_API_TOKEN"]).decode()
    assert token and token not in json.dumps(instance)
    assert instance["spec"]["envSecretRef"] == {"name": "jupyter-ada"}
    # the operator passed the hub's environment on verbatim (JSON values included) and the token by reference
    pod = kubectl.get("pod", "jupyter-ada")
    container = next(c for c in pod["spec"]["containers"] if c["name"] == "notebook")
    pod_env = {e["name"]: e.get("value", "") for e in container["env"]}  # the API omits empty values
    for key, value in instance["spec"]["env"].items():
        assert pod_env[key] == value, key
    assert json.loads(pod_env["JUPYTERHUB_OAUTH_ACCESS_SCOPES"])
    assert "JUPYTERHUB_API_TOKEN" not in pod_env
    assert {"secretRef": {"name": "jupyter-ada", "optional": False}} in container["envFrom"] or {
        "secretRef": {"name": "jupyter-ada"}
    } in container["envFrom"]
    messages = [e.get("message", "") for e in hub.progress("ada")]
    assert any("ready" in m.lower() for m in messages), messages

    assert hub.api("DELETE", "/users/ada/server").status_code in (202, 204)
    hub.wait_stopped("ada")
    wait_until("the instance to be gone", lambda: kubectl.get("jni", "jupyter-ada") is None, 60)
    assert kubectl.get("secret", "jupyter-ada") is None
    wait_until("the pod to be gone", lambda: kubectl.get("pod", "jupyter-ada") is None, 60)


def test_named_server_beside_the_default_one(hub, kubectl):
    create_user(hub, "grace")
    assert hub.api("POST", "/users/grace/server", json={}).status_code in (201, 202)
    assert hub.api("POST", "/users/grace/servers/gpu", json={"cpu_limit": "2"}).status_code in (201, 202)
    hub.wait_ready("grace")
    hub.wait_ready("grace", "gpu")
    named = kubectl.get("jni", "jupyter-grace--gpu")
    assert named["spec"]["variables"]["servername"] == "gpu"
    assert named["spec"]["variables"]["cpu_limit"] == "2"
    assert named["status"]["url"] != kubectl.get("jni", "jupyter-grace")["status"]["url"]

    assert hub.api("DELETE", "/users/grace/servers/gpu").status_code in (202, 204)
    hub.wait_stopped("grace", "gpu")
    assert kubectl.get("jni", "jupyter-grace--gpu") is None
    assert hub.server("grace")["ready"] and kubectl.get("jni", "jupyter-grace") is not None
    assert hub.api("DELETE", "/users/grace/server").status_code in (202, 204)
    hub.wait_stopped("grace")


def test_a_failing_template_reaches_the_user_as_a_clear_error(hub, kubectl):
    create_user(hub, "bob")
    response = hub.api("POST", "/users/bob/server", json={"profile": "forbidden"})
    # a fast failure comes back at once; a slower one through the progress stream
    if response.status_code in (201, 202):
        wait_until("the spawn to fail", lambda: hub.server("bob") is None or not hub.user("bob")["pending"], 90)
        messages = [e.get("message", "") for e in hub.progress("bob")]
        text = " ".join(messages)
    else:
        text = response.json().get("message", response.text)
    assert "The server could not be started" in text, text
    assert "docker.io/example/miner:latest" in text, text
    assert hub.server("bob") is None
    # nothing is left behind
    wait_until("the failed instance to be removed", lambda: kubectl.get("jni", "jupyter-bob") is None, 30)
    assert kubectl.get("secret", "jupyter-bob") is None


def test_invalid_options_are_refused_with_the_reason(hub, kubectl):
    create_user(hub, "eve")
    response = hub.api("POST", "/users/eve/server", json={"cpu_limit": "64"})
    assert response.status_code == 400, response.text  # checked by apply_user_options, before start()
    assert "variable 'cpu_limit' is '64'; allowed values: '1', '2'" in response.json()["message"]
    assert kubectl.get("jni", "jupyter-eve") is None


def test_a_restarted_hub_finds_the_running_server(hub, kubectl):
    create_user(hub, "carol")
    assert hub.api("POST", "/users/carol/server", json={}).status_code in (201, 202)
    hub.wait_ready("carol")
    before = kubectl.get("jni", "jupyter-carol")

    hub.stop()
    hub.start()
    server = hub.wait_ready("carol", timeout=30)
    assert server["ready"]
    after = kubectl.get("jni", "jupyter-carol")
    assert after["metadata"]["uid"] == before["metadata"]["uid"]  # the same server, not a new one

    assert hub.api("DELETE", "/users/carol/server").status_code in (202, 204)
    hub.wait_stopped("carol")
    assert kubectl.get("jni", "jupyter-carol") is None


def test_the_spawn_page_sees_status_changes_and_the_operators_events(hub):
    """What the spawn page shows: the hub's progress stream, fed by progress() while the server starts."""
    create_user(hub, "dave")
    seen: list[dict] = []

    def follow():
        # the stream exists only while the spawn is pending: ask until it does, then read it to its end
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            response = hub.api("GET", "/users/dave/server/progress", stream=True)
            if response.status_code == 200:
                for line in response.iter_lines(decode_unicode=True):
                    if line and line.startswith("data:"):
                        seen.append(json.loads(line[5:]))
                return
            time.sleep(0.05)

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    time.sleep(0.2)
    assert hub.api("POST", "/users/dave/server", json={}).status_code in (201, 202)
    hub.wait_ready("dave")
    follower.join(60)
    messages = [e.get("message", "") for e in seen]
    print("progress seen by the spawn page:", *messages, sep="\n  ")
    assert any(m.startswith("Requested instance jupyter-dave") for m in messages), messages
    assert any(m.startswith(("TemplateFound:", "ResourceCreated:")) for m in messages), messages
    assert any(m.startswith(("Provisioning:", "Ready:")) for m in messages), messages
    assert seen[-1].get("ready") and seen[-1]["progress"] == 100
    assert hub.api("DELETE", "/users/dave/server").status_code in (202, 204)
    hub.wait_stopped("dave")


def test_the_options_form_in_the_hubs_spawn_page(hub, kubectl):
    """A user logs in, gets the form built from the templates' variables, and spawns with a choice from it."""
    import re

    browser = requests.Session()
    base = hub.url[: -len("/api")]
    login_page = browser.get(base + "/login", timeout=30).text
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', login_page).group(1)
    response = browser.post(
        base + "/login", data={"username": "frank", "password": "x", "_xsrf": xsrf}, timeout=30, allow_redirects=False
    )
    assert response.status_code == 302, response.text
    response = browser.get(base + "/spawn", timeout=30)
    form = response.text
    assert response.status_code == 200 and "spawn_form" in form, (response.status_code, response.url, form[:500])
    # one radio per profile; the free variable cpu_limit offered as a select of its enum; filled ones not offered
    assert 'name="profile"' in form and 'value="notebook"' in form and 'value="forbidden"' in form
    assert re.search(r'<select[^>]*name="var\.notebook\.cpu_limit"', form)
    assert "var.notebook.username" not in form and "var.notebook.user_server" not in form
    xsrf = re.search(r'xsrf_token: "([^"]+)"', form).group(1)  # the page's own token (its script sends it)
    response = browser.post(
        base + "/spawn",
        data={"profile": "notebook", "var.notebook.cpu_limit": "2", "var.forbidden.cpu_limit": "1", "_xsrf": xsrf},
        timeout=60,
    )
    assert response.status_code < 400, response.text[:2000]
    hub.wait_ready("frank")
    assert kubectl.get("jni", "jupyter-frank")["spec"]["variables"]["cpu_limit"] == "2"
    assert hub.api("DELETE", "/users/frank/server").status_code in (202, 204)
    hub.wait_stopped("frank")


def spawn_form(hub: Hub, user: str) -> tuple[requests.Session, str]:
    """Logs a user in (dummy authenticator) and returns the session and the spawn page's HTML."""
    import re

    browser = requests.Session()
    base = hub.url[: -len("/api")]
    login_page = browser.get(base + "/login", timeout=30).text
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', login_page).group(1)
    response = browser.post(
        base + "/login", data={"username": user, "password": "x", "_xsrf": xsrf}, timeout=30, allow_redirects=False
    )
    assert response.status_code == 302, response.text
    response = browser.get(base + "/spawn", timeout=30)
    assert response.status_code == 200 and "spawn_form" in response.text, (response.status_code, response.url)
    return browser, response.text


def test_access_rules_shape_the_form_and_a_denied_choice_gets_the_reason(hub, kubectl, stack):
    """Users in groups (the hub's load_groups): the form lists what each may use, a denied choice says why."""
    namespace = stack["namespace"]

    def published():
        template = kubectl.get("jnt", "e2e-physics") or {}
        return (template.get("status") or {}).get("access")

    assert wait_until("the operator to publish who may use e2e-physics", published, 60)["groups"] == ["physics"]

    _, member_form = spawn_form(hub, "curie")
    assert 'value="physics"' in member_form and "Physics lab" in member_form
    _, outsider_form = spawn_form(hub, "pauling")
    assert 'value="notebook"' in outsider_form
    assert 'value="physics"' not in outsider_form and "Physics lab" not in outsider_form

    # the outsider asks anyway (the REST API, or a hand-made form): refused with the reason, nothing created
    create_user(hub, "pauling")
    response = hub.api("POST", "/users/pauling/server", json={"profile": "physics"})
    if response.status_code in (201, 202):  # a JupyterHub without apply_user_options: start() refuses
        wait_until("the spawn to fail", lambda: hub.server("pauling") is None or not hub.user("pauling")["pending"], 90)
        text = " ".join(e.get("message", "") for e in hub.progress("pauling"))
    else:
        assert response.status_code == 403, response.text
        text = response.json().get("message", response.text)
    assert (
        f"you may not use template {namespace}/e2e-physics: its access rules grant neither user pauling nor any of"
        " the user's groups (no groups) now. Ask an administrator for access." in text
    ), text
    assert kubectl.get("jni", "jupyter-pauling") is None

    # the member starts it; the instance says whose it is, and the operator granted it
    create_user(hub, "curie")
    response = hub.api("POST", "/users/curie/server", json={"profile": "physics"})
    assert response.status_code in (201, 202), response.text
    hub.wait_ready("curie")
    instance = kubectl.get("jni", "jupyter-curie")
    assert instance["spec"]["user"] == {"name": "curie", "groups": ["physics"]}
    granted = [c for c in instance["status"]["conditions"] if c["type"] == "AccessGranted"]
    assert granted and granted[0]["status"] == "True" and granted[0]["reason"] == "Granted", granted
    assert hub.api("DELETE", "/users/curie/server").status_code in (202, 204)
    hub.wait_stopped("curie")
