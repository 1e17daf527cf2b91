"""Scenario `hub`: a real JupyterHub spawning N users through its REST API (20 at a time), side by side with each
spawner on the same cluster and the same notebook pod: KubeSpawner 7.1.0, this project's NotebookInstanceSpawner
with the operator, and FloorSpawner (the hub alone, no Kubernetes).

What the hub waits for, per spawn: its spawner's start() to return a URL, then an HTTP answer from that URL (any
status below 500; jupyterhub.utils.wait_for_http_server). The fake notebook server (fakeserver.py) answers on every
pod IP of the cluster at once, so the second part is one local HTTP round trip for every spawner and what differs
is start():
- KubeSpawner: creates the pod, then polls its pod reflector (one list+watch of the namespace's pods, plus one of
  its Events, shared by all spawners of the hub) with exponential back-off (0.2 s doubling to 5 s) until the pod is
  Running with an IP and every container ready; returns http://<pod IP>:8888.
- NotebookInstanceSpawner: reads the template, checks for a leftover instance, creates the token Secret and the
  JupyterNotebookInstance, then watches that one instance (field selector) until status.phase is Ready; returns
  status.url (http://<pod IP>:8888, written by the operator once the pod is Ready). It also watches the instance's
  Events for the progress page, until 10 s after Ready.
- FloorSpawner: returns at once.
"""

import os
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from . import hub as h
from . import workload as w
from .audit import read_audit, requests_by_client, writes_total
from .cluster import HUB_USER, process_cpu_seconds
from .hubsteps import spawn_steps
from .log import CheckFailed, say

PORT = 8888
WARMUP_USERS = 3
TEMPLATE = "bench-hub"


def hub_template():
    """The operator's template for the hub comparison: the pod KubeSpawner 7.1.0 makes with the configuration in
    hub.spawner_config (same name, image, command, port, labels that matter, no service account token); the hub's
    environment arrives as the instance's env and its token Secret (envFrom) instead of plain env values."""
    slug = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
    return {
        "apiVersion": w.API_VERSION,
        "kind": "JupyterNotebookInstanceTemplate",
        "metadata": {"name": TEMPLATE},
        "spec": {
            "displayName": "Benchmark notebook (hub comparison)",
            "variables": [
                {"name": "username", "required": True, "pattern": slug, "maxLength": 63},
                {"name": "user_server", "required": True, "pattern": slug, "maxLength": 63},
            ],
            "pods": [
                {
                    "name": "jupyter-{user_server}",
                    "notebook": True,
                    "notebookContainer": "notebook",
                    "notebookPort": PORT,
                    "labels": {
                        "app": "jupyterhub",
                        "component": "singleuser-server",
                        "hub.jupyter.org/username": "{username}",
                        w.INSTANCE_LABEL: "{instance_name}",
                    },
                    "spec": {
                        "automountServiceAccountToken": False,
                        "restartPolicy": "OnFailure",
                        "containers": [
                            {
                                "name": "notebook",
                                "image": w.IMAGE,
                                "args": ["jupyterhub-singleuser"],
                                "ports": [{"name": "notebook-port", "containerPort": PORT}],
                                "securityContext": {"allowPrivilegeEscalation": False},
                            }
                        ],
                    },
                }
            ],
            "policy": {"allowedImages": ["quay.io/jupyter/*"], "allowArgs": True},
        },
    }


class FakeServers:
    """fakeserver.py as a child process, answering on every pod IP of the cluster's nodes and on the floor's
    address."""

    def __init__(self, cluster, log_dir, floor_cidr):
        nodes, _ = cluster.kube.list("nodes")
        cidrs = sorted({c for n in nodes for c in (n.get("spec") or {}).get("podCIDRs") or []})
        self.stats = os.path.join(log_dir, "fakeserver-stats.json")
        self.log = os.path.join(log_dir, "fakeserver.log")
        args = ["python3", os.path.join(os.path.dirname(os.path.abspath(__file__)), "fakeserver.py")]
        args += ["--port", str(PORT), "--stats", self.stats]
        for c in [*cidrs, floor_cidr]:
            args += ["--cidr", c]
        import subprocess

        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with open(self.log) as f:
                if "listening on" in f.read():
                    say(f"fake notebook servers: {len(cidrs) + 1} CIDRs on port {PORT} (pid {self.proc.pid})")
                    return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"fakeserver.py did not start; see {self.log}")

    def cpu_seconds(self):
        return process_cpu_seconds(self.proc.pid)

    def stop(self):
        import json
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)
        try:
            with open(self.stats) as f:
                return json.load(f)
        except OSError:
            return {}


def spawn_all(hub, names, concurrency):
    """POSTs /users/<name>/server for every name, `concurrency` at a time (each answers when its spawn is over).
    Returns ({name: (start, end)} in time.monotonic(), [failures])."""
    times, failures = {}, []
    local = threading.local()

    def one(name):
        conn = getattr(local, "conn", None) or hub.connection()
        local.conn = conn
        t0 = time.monotonic()
        try:
            status, body = hub.api("POST", f"/users/{name}/server", {}, conn=conn)
        except OSError as e:
            local.conn = None
            failures.append(f"{name}: {e!r}")
            return
        if status == 202:  # not over yet after slow_spawn_timeout: wait for ready (should not happen)
            while not (hub.api("GET", f"/users/{name}")[1].get("servers") or {}).get("", {}).get("ready"):
                time.sleep(0.5)
        elif status != 201:
            failures.append(f"{name}: HTTP {status} {str(body)[:300]}")
            return
        times[name] = (t0, time.monotonic())

    with ThreadPoolExecutor(concurrency) as ex:
        list(ex.map(one, names))
    return times, failures


def seconds_stats(values):
    v = sorted(values)
    if not v:
        return {}
    return {
        "n": len(v),
        "median_s": round(statistics.median(v), 3),
        "p90_s": round(w.nearest_rank(v, 90), 3),
        "p99_s": round(w.nearest_rank(v, 99), 3),
        "max_s": round(v[-1], 3),
        "all_s": [round(x, 3) for x in v],
    }


def run_case(b, kind, n, python, fake, floor_url):
    """One hub with one spawner spawning n users (after --hub-warmup-users not counted); its figures."""
    from .scenarios import cpu_snapshot, cpu_used

    ns = b.namespace(f"hub-{kind}")
    if kind == "operator":
        b.kube.create("jupyternotebookinstancetemplates", ns, hub_template())
        b.ensure_operator()
    else:
        b.stop_operators()
    conf = h.spawner_config(kind, ns, PORT, w.IMAGE, b.run_id, template=TEMPLATE, floor_url=floor_url)
    hub = h.HubProcess(kind, os.path.join(b.log_dir, f"hub-{kind}-{n}"), b.cluster.user_kubeconfig(HUB_USER), conf)
    hub.start(python)
    try:
        warm = [f"warm{i}" for i in range(b.opts.hub_warmup_users)]
        names = [f"u{i:05d}" for i in range(n)]
        hub.create_users(warm + names)
        _, failed = spawn_all(hub, warm, 1 if len(warm) <= WARMUP_USERS else b.opts.concurrency)
        if failed:
            raise CheckFailed(f"hub/{kind}: warm-up spawns failed: {failed[:3]}\n{hub.log_tail()}")
        if kind == "operator" and b.opts.hub_fresh_operator:
            # a warm hub with a cold operator: a new process, given time to list and check what the warm-up made
            b.start_operators(1)
            time.sleep(15)
        time.sleep(3)
        pods = w.ReadyTracker(b.kube, "pods", ns, w.pod_ready) if kind != "floor" else None
        offset = b.cluster.audit_log_end()
        wall_offset = time.time() - time.monotonic()
        cpu0 = {**cpu_snapshot(b), "hub": hub.cpu_seconds(), "fakeserver": fake.cpu_seconds()}
        times, failed = spawn_all(hub, names, b.opts.concurrency)
        t_first = min(t0 for t0, _ in times.values()) if times else time.monotonic()
        wall = (max(t1 for _, t1 in times.values()) - t_first) if times else 0.0
        cpu = cpu_used(b, cpu0, wall)
        cpu["hub"] = round(hub.cpu_seconds() - cpu0["hub"], 2)
        cpu["fakeserver"] = round(fake.cpu_seconds() - cpu0["fakeserver"], 2)
        events, offset = read_audit(b.cluster.audit_log, offset)
        rss, hwm = hub.memory_mib()
        op = b.operators[0] if kind == "operator" and b.operators else None
        res = {
            "spawner": kind,
            "users": n,
            "concurrency": b.opts.concurrency,
            "spawned": len(times),
            "failures": failed[:10],
            "all_ready_s": round(wall, 2),
            "ready_s": sorted(round(t1 - t_first, 3) for _, t1 in times.values()),  # for plots: Ready over time
            "hub_took": seconds_stats([s for u, s in hub.spawn_seconds().items() if u in times]),
            "client_post": seconds_stats([t1 - t0 for t0, t1 in times.values()]),
            "cpu_s": cpu,
            "hub_cpu_per_spawn_ms": round(1000 * cpu["hub"] / max(1, len(times)), 1),
            "hub_rss_mib": round(rss, 1),
            "hub_peak_rss_mib": round(hwm, 1),
            "operator_cpu_s": cpu.get("operator") if op else None,
            "operator_rss_mib": round(op.rss_mib(), 1) if op else None,
            "requests_by_client": requests_by_client(events),
        }
        res["writes_by_client"] = {c: writes_total(r) for c, r in res["requests_by_client"].items()}
        if kind != "floor":
            res["steps"] = spawn_steps(events, ns, times, wall_offset, kind)
            say(f"hub/{kind} n={n}: steps {res['steps']}")
        if pods is not None:
            pods_ready = len([x for x in names if f"jupyter-{x}" in pods.ready_at])
            pods.stop()
            res["pods_ready"] = pods_ready
        ready = set(hub.ready_users())
        res["hub_ready"] = len(ready & set(names))
        # What N running servers cost the hub afterwards: JupyterHub polls each one every 30 s (poll_interval).
        offset = b.cluster.audit_log_end()
        c0, t0 = hub.cpu_seconds(), time.monotonic()
        time.sleep(b.opts.hub_idle_seconds)
        events, _ = read_audit(b.cluster.audit_log, offset)
        res["idle"] = {
            "window_s": round(time.monotonic() - t0, 1),
            "hub_cpu_s": round(hub.cpu_seconds() - c0, 2),
            "requests_by_client": requests_by_client(events),
        }
        if not hub.alive():
            raise CheckFailed(f"hub/{kind}: jupyterhub exited:\n{hub.log_tail()}")
        if failed or res["hub_ready"] != n or res.get("pods_ready", n) != n:
            raise CheckFailed(
                f"hub/{kind} n={n}: {len(times)} spawned, {res['hub_ready']} ready in the hub, "
                f"{res.get('pods_ready', '-')} pods Ready; failures: {failed[:3]}"
            )
        say(
            f"hub/{kind} n={n}: all Ready after {res['all_ready_s']} s, hub took median "
            f"{res['hub_took'].get('median_s')} s p99 {res['hub_took'].get('p99_s')} s, hub CPU {cpu['hub']} s "
            f"({res['hub_cpu_per_spawn_ms']} ms/spawn), API server {cpu.get('kube-apiserver')} s"
        )
        return res
    finally:
        hub.stop()
        b.namespaces.remove(ns)
        if not b.kube.delete_namespace(ns, wait_seconds=900):
            say(f"namespace {ns} still being deleted after 900 s")


def hub(b):
    """Every spawner of --hub-spawners for each count of --hub-users, one after the other on one cluster."""
    python = h.ensure_venv()
    counts = [int(x) for x in b.opts.hub_users.split(",")]
    kinds = b.opts.hub_spawners.split(",")
    for k in kinds:
        if k not in h.SPAWNERS:
            raise CheckFailed(f"--hub-spawners: unknown spawner {k!r} (one of {', '.join(h.SPAWNERS)})")
    b.cluster.ensure_pod_capacity(max(counts) + b.opts.hub_warmup_users + 20)
    prefix = b.cluster.info.get("podCidrPrefix", "127.8")
    floor_cidr = f"{prefix}.96.0/30"  # below the bench nodes' .100 and up; no node uses it
    fake = FakeServers(b.cluster, b.log_dir, floor_cidr)
    floor_url = f"http://{prefix}.96.1:{PORT}"
    results = {}
    try:
        for n in counts:
            for kind in kinds:
                say(f"hub: {kind}, {n} users")
                results[f"{kind}-{n}"] = run_case(b, kind, n, python, fake, floor_url)
    finally:
        b.stop_operators()
        results["fake_server"] = fake.stop()
    return results
