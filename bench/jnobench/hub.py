"""A real JupyterHub (PyPI, pinned in bench/hub-requirements.txt) as a child process, driven through its REST API.

One HubProcess is one hub with one spawner: KubeSpawner, this project's NotebookInstanceSpawner, or FloorSpawner
(hubplugins/jno_bench_hub.py: no Kubernetes at all, the hub's own cost). Each gets a fresh database. The hub talks
to the API server as user jno-bench-hub (a client certificate of its own, so the audit log names its requests).
Its cost comes from /proc (CPU ticks, RSS, peak RSS); per-spawn latency from its own log line
"User <name> took <s> seconds to start", which JupyterHub writes when start() has returned and the server answered
its HTTP check.
"""

import hashlib
import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import time
import urllib.parse

from .cluster import REPO, process_cpu_seconds
from .log import say

VENV = os.path.join(REPO, "bench", ".venv")
REQUIREMENTS = os.path.join(REPO, "bench", "hub-requirements.txt")
PLUGINS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hubplugins")
SPAWNERS = ("floor", "kubespawner", "operator")
LOCAL_PACKAGES = ("python-models", "spawner")  # installed from this tree (the spawner needs the models)
TOOK = re.compile(r"User (\S+) took ([0-9.]+) seconds to start")


def ensure_venv():
    """bench/.venv with the pinned hub, KubeSpawner and this project's spawner and models (editable), made or
    refreshed when the pins change. Returns its python."""
    python = os.path.join(VENV, "bin", "python")
    stamp = os.path.join(VENV, ".installed")
    pins = [REQUIREMENTS] + [os.path.join(REPO, d, "pyproject.toml") for d in LOCAL_PACKAGES]
    want = hashlib.sha256(b"".join(open(p, "rb").read() for p in pins)).hexdigest()
    if os.path.exists(stamp) and open(stamp).read() == want and os.path.exists(python):
        return python
    say(f"installing {os.path.relpath(REQUIREMENTS, REPO)} and spawner/ into {os.path.relpath(VENV, REPO)}")
    if not os.path.exists(python):
        subprocess.run(["python3", "-m", "venv", VENV], check=True)
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", REQUIREMENTS], check=True)
    subprocess.run([*pip, "--no-deps", *[x for d in LOCAL_PACKAGES for x in ("-e", os.path.join(REPO, d))]], check=True)
    with open(stamp, "w") as f:
        f.write(want)
    return python


def spawner_config(kind, namespace, port, image, run_id, template=None, floor_url=None):
    """The spawner part of jupyterhub_config.py: the same server (image, command, port, labels, no service account
    token) for KubeSpawner and for the operator's template."""
    if kind == "kubespawner":
        return f"""
c.JupyterHub.spawner_class = "kubespawner.KubeSpawner"
c.KubeSpawner.namespace = {namespace!r}
c.KubeSpawner.image = {image!r}
c.KubeSpawner.cmd = ["jupyterhub-singleuser"]
c.KubeSpawner.port = {port}
c.KubeSpawner.automount_service_account_token = False
c.KubeSpawner.extra_labels = {{"jno-bench/run": {run_id!r}}}
"""
    if kind == "operator":
        return f"""
c.JupyterHub.spawner_class = "notebookinstance"
c.NotebookInstanceSpawner.namespace = {namespace!r}
c.NotebookInstanceSpawner.kubeconfig = os.environ["KUBECONFIG"]
c.NotebookInstanceSpawner.template_name = {template!r}
c.NotebookInstanceSpawner.cmd = ["jupyterhub-singleuser"]
c.NotebookInstanceSpawner.port = {port}
c.NotebookInstanceSpawner.extra_labels = {{"jno-bench/run": {run_id!r}}}
"""
    if kind == "floor":
        return f"""
c.JupyterHub.spawner_class = "jno_bench_hub.FloorSpawner"
c.FloorSpawner.server_url = {floor_url!r}
"""
    raise ValueError(f"unknown spawner {kind!r}: one of {', '.join(SPAWNERS)}")


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HubProcess:
    def __init__(self, kind, workdir, kubeconfig, spawner_conf):
        self.kind, self.workdir, self.kubeconfig = kind, workdir, kubeconfig
        os.makedirs(workdir, exist_ok=True)
        self.port, self.hub_port = free_port(), free_port()
        self.token = secrets.token_hex(16)
        self.log_path = os.path.join(workdir, "jupyterhub.log")
        self.config = os.path.join(workdir, "jupyterhub_config.py")
        with open(self.config, "w") as f:
            f.write(f"""import os
c.JupyterHub.bind_url = "http://127.0.0.1:{self.port}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{self.hub_port}"
c.JupyterHub.proxy_class = "jno_bench_hub.MemoryProxy"
c.JupyterHub.db_url = "sqlite:///{workdir}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{workdir}/cookie_secret"
c.JupyterHub.cleanup_servers = False  # the benchmark deletes the namespace; stopping 500 servers is not measured
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.services = [{{"name": "bench", "api_token": "{self.token}"}}]
c.JupyterHub.load_roles = [{{"name": "bench", "scopes": ["admin:users", "admin:servers"], "services": ["bench"]}}]
# POST /users/<name>/server answers when the spawn is over (not 202 after 10 s): the client needs no polling.
c.JupyterHub.tornado_settings = {{"slow_spawn_timeout": 600}}
c.Spawner.start_timeout = 600
c.Spawner.http_timeout = 60
c.JupyterHub.log_level = os.environ.get("JNO_BENCH_HUB_LOG_LEVEL", "INFO")
""")
            f.write(spawner_conf)
        self.proc = None

    def start(self, python):
        env = dict(os.environ)
        env["KUBECONFIG"] = self.kubeconfig
        env["PYTHONPATH"] = PLUGINS
        env.pop("KUBERNETES_SERVICE_HOST", None)
        jupyterhub = os.path.join(os.path.dirname(python), "jupyterhub")
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [jupyterhub, "-f", self.config],
                cwd=self.workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyterhub ({self.kind}) exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if self.api("GET", "/")[0] == 200:
                    say(f"hub ({self.kind}) up, pid {self.proc.pid}, API on port {self.hub_port}")
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"jupyterhub ({self.kind}) did not answer within 120 s:\n{self.log_tail()}")

    # ------------------------------------------------------------------------------------------------ REST API

    def api(self, method, path, body=None, timeout=60, conn=None):
        """One request to /hub/api<path>; returns (status, parsed body). `conn` reuses a keep-alive connection."""
        own = conn is None
        conn = conn or self.connection(timeout)
        try:
            conn.request(
                method,
                "/hub/api" + path,
                body=None if body is None else json.dumps(body),
                headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
            )
            resp = conn.getresponse()
            raw = resp.read()
            return resp.status, (json.loads(raw) if raw else None)
        finally:
            if own:
                conn.close()

    def connection(self, timeout=660):
        return http.client.HTTPConnection("127.0.0.1", self.hub_port, timeout=timeout)

    def create_users(self, names):
        for i in range(0, len(names), 200):
            status, body = self.api("POST", "/users", {"usernames": names[i : i + 200]})
            if status not in (200, 201):
                raise RuntimeError(f"creating users failed: HTTP {status} {body}")

    def ready_users(self):
        """Names of the users whose default server the hub says is ready (paged: the API returns 200 at most)."""
        ready, offset = [], 0
        while True:
            q = urllib.parse.urlencode({"state": "ready", "offset": offset, "limit": 200})
            status, body = self.api("GET", f"/users?{q}")
            if status != 200:
                raise RuntimeError(f"listing ready users failed: HTTP {status} {body}")
            items = body if isinstance(body, list) else body.get("items", [])
            ready += [u["name"] for u in items if (u.get("servers") or {}).get("", {}).get("ready")]
            if len(items) < 200:
                return ready
            offset += 200

    # ------------------------------------------------------------------------------------------------ cost

    def spawn_seconds(self):
        """{user: seconds} from the hub's "took ... seconds to start" lines."""
        with open(self.log_path, errors="replace") as f:
            return {m.group(1): float(m.group(2)) for m in TOOK.finditer(f.read())}

    def cpu_seconds(self):
        return process_cpu_seconds(self.proc.pid)

    def memory_mib(self):
        """(RSS, peak RSS) in MiB from /proc/<pid>/status."""
        rss = hwm = None
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) / 1024
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1]) / 1024
        return rss, hwm

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, "rb") as f:
                return b"".join(f.readlines()[-lines:]).decode(errors="replace")
        except OSError:
            return ""

    def stop(self):
        if self.alive():
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
