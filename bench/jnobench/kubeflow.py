"""Scenario `kubeflow`: Kubeflow's notebook controller (release 1.10.0) on the same cluster, with the same pod.

The peer users know from Kubeflow: a `Notebook` (kubeflow.org/v1) holds a pod template; its controller makes a
StatefulSet (one replica) and a Service per Notebook, kube-controller-manager's StatefulSet controller makes the
pod, and the controller mirrors the pod into the Notebook's status. A Notebook counts as Ready here when
status.readyReplicas is 1 (what Kubeflow's own web app shows as running).

Built from the copy of its source in ../shared/third-party (the Go module proxy does not serve
github.com/kubeflow/kubeflow; README there), cached under $JNO_CACHE_DIR/bin, and run outside the cluster with a
client certificate of its own (user jno-bench-kubeflow, so the audit log names its requests). It is never part of
the product: this module only builds and runs it.
"""

import fcntl
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request

from . import workload as w
from .audit import read_audit, requests_by_client, settle, write_requests, writes_total
from .cluster import KUBEFLOW_USER, REPO, process_cpu_seconds
from .log import CheckFailed, say

VERSION = "1.10.0"
SOURCE = os.environ.get(
    "JNO_KUBEFLOW_SRC",
    os.path.join(os.path.dirname(REPO), "shared", "third-party", f"kubeflow-notebook-controller-{VERSION}"),
)
CRD = os.path.join("components", "notebook-controller", "config", "crd", "bases", "kubeflow.org_notebooks.yaml")
CACHE = os.environ.get("JNO_CACHE_DIR", os.path.join(os.path.expanduser("~"), ".cache", "jupyter-notebook-operator"))
BINARY = os.path.join(CACHE, "bin", f"kubeflow-notebook-controller-{VERSION}", "notebook-controller")


def build():
    """The controller's binary, built once (about a minute with a warm Go module cache) and cached."""
    if os.path.exists(BINARY):
        return BINARY
    if not os.path.isdir(SOURCE):
        raise CheckFailed(f"kubeflow: no source at {SOURCE} (set JNO_KUBEFLOW_SRC)")
    os.makedirs(os.path.dirname(BINARY), exist_ok=True)
    with open(BINARY + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(BINARY):
            return BINARY
        with tempfile.TemporaryDirectory(prefix="kubeflow-build-") as tmp:
            shutil.copytree(os.path.join(SOURCE, "components"), os.path.join(tmp, "components"))
            for root, dirs, files in os.walk(tmp):  # the shared copy is read-only
                for x in dirs + files:
                    os.chmod(os.path.join(root, x), 0o755 if x in dirs else 0o644)
            src = os.path.join(tmp, "components", "notebook-controller")
            env = {**os.environ, "GOFLAGS": "-mod=mod", "GOSUMDB": "off", "CGO_ENABLED": "0"}
            say(f"kubeflow: building the notebook controller {VERSION} from {SOURCE}")
            t0 = time.monotonic()
            for cmd in (
                ["go", "mod", "edit", "-replace", "github.com/kubeflow/kubeflow/components/common=../common"],
                ["go", "build", "-trimpath", "-o", BINARY + ".tmp", "."],
            ):
                r = subprocess.run(cmd, cwd=src, env=env, capture_output=True, text=True)
                if r.returncode != 0:
                    raise CheckFailed(f"kubeflow: `{' '.join(cmd)}` failed:\n{r.stderr[-2000:]}")
            os.replace(BINARY + ".tmp", BINARY)
            say(f"kubeflow: built in {time.monotonic() - t0:.0f} s: {BINARY}")
    return BINARY


def notebook(name, run):
    """A Notebook with the benchmark's notebook pod (workload.pod_spec); its container is named after the
    Notebook, as Kubeflow expects (its status mirrors the container of that name)."""
    spec = w.pod_spec(name, False)
    spec["containers"][0]["name"] = name
    return {
        "apiVersion": "kubeflow.org/v1",
        "kind": "Notebook",
        "metadata": {"name": name, "labels": {w.RUN_LABEL: run, w.INSTANCE_LABEL: name}},
        "spec": {"template": {"spec": spec}},
    }


def notebook_ready(nb):
    return ((nb.get("status") or {}).get("readyReplicas") or 0) >= 1


class Controller:
    def __init__(self, binary, kubeconfig, log_dir):
        self.port = _free_port()
        self.log_path = os.path.join(log_dir, "kubeflow-notebook-controller.log")
        env = {**os.environ, "KUBECONFIG": kubeconfig, "USE_ISTIO": "false"}
        args = [binary, f"-metrics-addr=127.0.0.1:{self.port}", "-probe-addr=0"]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                args, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
            )
        self.started_at = time.monotonic()
        say(f"kubeflow: controller started (pid {self.proc.pid}), metrics on 127.0.0.1:{self.port}")

    def alive(self):
        return self.proc.poll() is None

    def cpu_seconds(self):
        return process_cpu_seconds(self.proc.pid)

    def rss_mib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return None

    def go_memory(self):
        """Go's own view: heap in use and total obtained from the OS (MiB), from its metrics endpoint."""
        try:
            text = urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=30).read().decode()
        except OSError as e:
            return {"error": str(e)}
        out = {}
        for metric in ("go_memstats_heap_inuse_bytes", "go_memstats_sys_bytes", "go_goroutines"):
            m = re.search(rf"^{metric} (\S+)$", text, re.M)
            if m:
                v = float(m.group(1))
                out[metric] = round(v / 2**20, 1) if metric.endswith("bytes") else int(v)
        return out

    def stop(self):
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def burst(b, controller, ns, names):
    """Creates the Notebooks (--concurrency at a time) and waits until all are Ready; the burst's figures."""
    from .scenarios import cpu_snapshot, cpu_used

    b.cluster.ensure_pod_capacity(len(names) + 50)
    tracker = w.ReadyTracker(b.kube, "notebooks", ns, notebook_ready)
    offset = b.cluster.audit_log_end()
    cpu0 = {**cpu_snapshot(b), "kubeflow-controller": controller.cpu_seconds()}
    created = {}
    t0 = time.monotonic()
    w.create_all(b.kube, "notebooks", ns, [notebook(n, b.run_id) for n in names], b.opts.concurrency, created)
    missing = tracker.wait(
        names, max(b.opts.timeout, len(names) * 0.5), progress=lambda r, t: say(f"  {r}/{t} Notebooks Ready")
    )
    tracker.stop()
    if missing:
        raise CheckFailed(
            f"kubeflow: {len(missing)}/{len(names)} Notebooks not Ready; e.g. "
            f"{str((tracker.latest.get(missing[0]) or {}).get('status'))[:600]}"
        )
    wall = max(tracker.ready_at[n] for n in names) - t0
    cpu = cpu_used(b, cpu0, wall)
    cpu["kubeflow-controller"] = round(controller.cpu_seconds() - cpu0["kubeflow-controller"], 1)
    events, _ = read_audit(b.cluster.audit_log, offset)
    in_ns = requests_by_client(events, ns)
    return {
        "count": len(names),
        "concurrency": b.opts.concurrency,
        "all_ready_s": round(wall, 2),
        "latency": w.stats_ms([tracker.ready_at[n] - created[n] for n in names]),
        "ready_s": sorted(round(tracker.ready_at[n] - t0, 3) for n in names),  # for plots: Ready over time
        "cpu_s": cpu,
        "requests_in_namespace_by_client": in_ns,
        "writes_per_notebook_by_client": {c: round(writes_total(r) / len(names), 2) for c, r in in_ns.items()},
    }


def verify(b, ns, count):
    counts = {}
    for resource in ("notebooks", "statefulsets", "services", "pods"):
        items, _ = b.kube.list(resource, ns)
        counts[resource] = len(items)
        if resource == "pods":
            counts["pods_ready"] = sum(1 for p in items if w.pod_ready(p))
    bad = {k: v for k, v in counts.items() if v != count}
    if bad:
        raise CheckFailed(f"kubeflow: expected {count} of each in {ns}, found {counts}")
    return counts


def kubeflow(b):
    """Burst of --burst-count Notebooks, idle for --idle-seconds, memory at --kubeflow-memory-levels."""
    binary = build()
    b.stop_operators()
    for other in list(b.namespaces):  # nothing of this run's other scenarios may load the cluster or the caches
        b.kube.delete_namespace(other, wait_seconds=900)
        b.namespaces.remove(other)
    b.cluster.kubectl_run(
        "apply", "--server-side", "--force-conflicts", "--field-manager", "jno-bench", "-f", os.path.join(SOURCE, CRD)
    )
    ns = b.namespace("kubeflow")
    controller = Controller(binary, b.cluster.user_kubeconfig(KUBEFLOW_USER), b.log_dir)
    b.kubeflow_controller = controller
    try:
        time.sleep(5)  # caches synced (it has no readiness signal of its own here)
        n = b.opts.burst_count
        res = {
            "version": VERSION,
            "binary": binary,
            "burst": burst(b, controller, ns, [f"nb-{i:05d}" for i in range(n)]),
        }
        res["burst"]["verify"] = verify(b, ns, n)
        say(
            f"kubeflow: {n} Notebooks Ready in {res['burst']['all_ready_s']} s, controller CPU "
            f"{res['burst']['cpu_s']['kubeflow-controller']} s, writes per Notebook "
            f"{res['burst']['writes_per_notebook_by_client']}"
        )
        res["idle"] = idle(b, controller, n)
        res["memory"] = memory(b, controller, ns, n)
        if not controller.alive():
            raise CheckFailed(f"kubeflow: the controller exited with {controller.proc.returncode}")
        return res
    finally:
        controller.stop()


def idle(b, controller, ready):
    """After the burst's writes stopped (or 600 s), the controller's requests and CPU over --idle-seconds."""
    settled = settle(b, user=KUBEFLOW_USER, what="Kubeflow's controller")
    offset = b.cluster.audit_log_end()
    cpu0, t0 = controller.cpu_seconds(), time.monotonic()
    time.sleep(b.opts.idle_seconds)
    secs = time.monotonic() - t0
    events, _ = read_audit(b.cluster.audit_log, offset)
    by_client = requests_by_client(events)
    mine = by_client.get("kubeflow-controller", {})
    res = {
        "ready_notebooks": ready,
        "window_s": round(secs, 1),
        "controller_cpu_s": round(controller.cpu_seconds() - cpu0, 2),
        "writes": sum(write_requests(mine).values()),
        "requests": mine,
        "other_clients_writes": {c: writes_total(r) for c, r in by_client.items() if c != "kubeflow-controller"},
        "rss_mib": round(controller.rss_mib(), 1),
        "settled": settled,
    }
    say(f"kubeflow idle: {res['writes']} writes in {res['window_s']} s, CPU {res['controller_cpu_s']} s")
    return res


def memory(b, controller, ns, have):
    levels = [int(x) for x in b.opts.kubeflow_memory_levels.split(",") if x]
    rows = []
    for level in levels:
        step = None
        if level > have:
            names = [f"nb-{i:05d}" for i in range(have, level)]
            say(f"kubeflow memory: {have} Notebooks; creating {len(names)} more to reach {level}")
            try:
                step = burst(b, controller, ns, names)
            except CheckFailed as e:  # keep what was measured: the levels before, and how far this one got
                rows.append({"ready_notebooks": None, "step_failed": str(e)[:600], "rss_mib": controller.rss_mib()})
                say(f"kubeflow memory: the step to {level} failed: {e}")
                break
            have = level
            settle(b, user=KUBEFLOW_USER, what="Kubeflow's controller")
        rows.append(
            {
                "ready_notebooks": have,
                "rss_mib": round(controller.rss_mib(), 1),
                "go": controller.go_memory(),
                "step_all_ready_s": step["all_ready_s"] if step else None,
                "step_created": step["count"] if step else 0,
                "controller_cpu_total_s": round(controller.cpu_seconds(), 1),
            }
        )
        say(f"kubeflow memory: {rows[-1]}")
    return rows
