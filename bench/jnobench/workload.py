"""What the benchmark creates: a small notebook template (optionally with a home-directory claim), instances of it,
the equivalent direct Pods, and a tracker that records when each object first became Ready."""

import math
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from .kube import Watcher

INSTANCE_LABEL = "jno-bench/instance"  # set by the template itself, so counting never depends on operator labels
RUN_LABEL = "jno-bench/run"
IMAGE = "quay.io/jupyter/base-notebook:2025-03-14"
API_VERSION = "kubespawner.jupyterhub.org/v1"


def pod_spec(user, with_pvc):
    spec = {
        "automountServiceAccountToken": False,
        "containers": [
            {
                "name": "notebook",
                "image": IMAGE,
                "args": ["jupyterhub-singleuser"],
                "ports": [{"name": "notebook-port", "containerPort": 8888, "protocol": "TCP"}],
                "env": [{"name": "JUPYTER_IMAGE_SPEC", "value": IMAGE}],
            }
        ],
    }
    if with_pvc:
        spec["containers"][0]["volumeMounts"] = [{"name": "home", "mountPath": "/home/jovyan"}]
        spec["volumes"] = [{"name": "home", "persistentVolumeClaim": {"claimName": f"claim-{user}"}}]
    return spec


def pod_labels(user, instance):
    return {"component": "singleuser-server", "hub.jupyter.org/username": user, INSTANCE_LABEL: instance}


def template(name, with_pvc):
    """The template: pod jupyter-{user} (and claim claim-{user}, retained), labelled with the instance's name."""
    spec = {
        "displayName": "Benchmark notebook",
        "variables": [{"name": "user", "required": True, "pattern": "[a-z0-9]([-a-z0-9]*[a-z0-9])?", "maxLength": 40}],
        "pods": [
            {
                "name": "jupyter-{user}",
                "notebook": True,
                "notebookPort": 8888,
                "labels": pod_labels("{user}", "{instance_name}"),
                "spec": pod_spec("{user}", with_pvc),
            }
        ],
        "policy": {"allowedImages": ["quay.io/jupyter/*"], "allowArgs": True},
    }
    if with_pvc:
        spec["persistentVolumeClaims"] = [
            {
                "name": "claim-{user}",
                "whenDeleted": "Retain",
                "labels": {INSTANCE_LABEL: "{instance_name}", "component": "singleuser-storage"},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "storageClassName": "",
                    "resources": {"requests": {"storage": "1Gi"}},
                },
            }
        ]
    return {
        "apiVersion": API_VERSION,
        "kind": "JupyterNotebookInstanceTemplate",
        "metadata": {"name": name},
        "spec": spec,
    }


def instance(name, template_name, user, run, variables=None, extra_spec=None):
    spec = {
        "template": {"name": template_name},
        "variables": variables if variables is not None else {"user": user},
        "env": {"JUPYTERHUB_USER": user, "JUPYTERHUB_SERVICE_PREFIX": f"/user/{user}/"},
    }
    spec.update(extra_spec or {})
    return {
        "apiVersion": API_VERSION,
        "kind": "JupyterNotebookInstance",
        "metadata": {"name": name, "labels": {RUN_LABEL: run}},
        "spec": spec,
    }


def instance_status(ready, message):
    """A status like the operator's (4 conditions, a resource, the URL once Ready): Ready or still Provisioning."""
    return {
        "phase": "Ready" if ready else "Provisioning",
        "message": message,
        "observedGeneration": 1,
        "podName": "jupyter-x",
        "port": 8888,
        "templateGeneration": 1,
        "url": "http://10.0.0.1:8888" if ready else None,
        "podIP": "10.0.0.1" if ready else None,
        "resources": [{"kind": "Pod", "name": "jupyter-x", "state": "Created", "message": "created Pod"}],
        "conditions": [
            {
                "type": t,
                "status": "True" if ready or t != "Ready" else "False",
                "reason": "R",
                "message": message,
                "lastTransitionTime": "2026-01-01T00:00:00Z",
                "observedGeneration": 1,
            }
            for t in ("TemplateResolved", "ResourcesCreated", "Ready", "UpToDate")
        ],
    }


def direct_pod(user, run, with_pvc=False):
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": f"jupyter-{user}", "labels": {**pod_labels(user, f"direct-{user}"), RUN_LABEL: run}},
        "spec": {"restartPolicy": "OnFailure", **pod_spec(user, with_pvc)},
    }


def persistent_volumes(kube, count, prefix):
    """Pre-made volumes (hostPath, no class) the PV controller binds claims to: under kwok nothing provisions
    storage, and the scheduler keeps a pod whose claim is unbound Pending."""

    def make(i):
        kube.create(
            "persistentvolumes",
            None,
            {
                "apiVersion": "v1",
                "kind": "PersistentVolume",
                "metadata": {"name": f"{prefix}-{i:05d}", "labels": {"jno-bench/pv": prefix}},
                "spec": {
                    "capacity": {"storage": "1Gi"},
                    "accessModes": ["ReadWriteOnce"],
                    "storageClassName": "",
                    "persistentVolumeReclaimPolicy": "Retain",
                    "hostPath": {"path": f"/tmp/{prefix}-{i}"},
                },
            },
        )

    with ThreadPoolExecutor(16) as ex:
        list(ex.map(make, range(count)))


def pod_ready(pod):
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions") or []
    )


def pod_scheduled(pod):
    return bool((pod.get("spec") or {}).get("nodeName"))


POD_STAGES = {"seen": lambda pod: True, "scheduled": pod_scheduled}


def ready_times(t0, tracker, names=None):
    """Each tracked object's Ready time, seconds after t0, sorted (for Ready-over-time plots: bench/plot)."""
    at = tracker.ready_at if names is None else {n: tracker.ready_at[n] for n in names if n in tracker.ready_at}
    return sorted(round(x - t0, 3) for x in at.values())


def stage_times(t0, tracker):
    """When (seconds after t0) the tracked objects reached each stage and became ready: median, p90 and last."""

    def summary(times):
        v = sorted(x - t0 for x in times)
        if not v:
            return {}
        return {
            "n": len(v),
            "median_s": round(statistics.median(v), 2),
            "p90_s": round(nearest_rank(v, 90), 2),
            "last_s": round(v[-1], 2),
        }

    out = {stage: summary(at.values()) for stage, at in tracker.stage_at.items()}
    out["ready"] = summary(tracker.ready_at.values())
    return out


def instance_phase(inst):
    return (inst.get("status") or {}).get("phase")


def instance_ready(inst):
    return instance_phase(inst) == "Ready"


class ReadyTracker:
    """Watches one resource in a namespace and records, per name, the first moment (time.monotonic) the object was
    seen ready, plus the latest version of each object. `stages` ({stage: predicate}) records more first moments in
    stage_at[stage][name], e.g. when a pod was first seen and first seen scheduled."""

    def __init__(self, kube, resource, namespace, is_ready, label_selector=None, stages=None):
        self.is_ready = is_ready
        self.ready_at = {}
        self.stages = stages or {}
        self.stage_at = {stage: {} for stage in self.stages}
        self.latest = {}
        self.deleted = set()
        self._cond = threading.Condition()
        self.watcher = Watcher(kube, resource, namespace, self._on, self._on_delete, label_selector)
        self.watcher.start()
        if not self.watcher.synced.wait(120):
            raise RuntimeError(f"could not list {resource} in {namespace}")

    def _on(self, obj, t):
        name = obj["metadata"]["name"]
        with self._cond:
            self.latest[name] = obj
            for stage, reached in self.stages.items():
                if name not in self.stage_at[stage] and reached(obj):
                    self.stage_at[stage][name] = t
            if name not in self.ready_at and self.is_ready(obj):
                self.ready_at[name] = t
                self._cond.notify_all()

    def _on_delete(self, obj, t):
        with self._cond:
            self.latest.pop(obj["metadata"]["name"], None)
            self.deleted.add(obj["metadata"]["name"])

    def wait(self, names, timeout, progress=None):
        """Waits until every name is ready; returns the names still not ready when the timeout passed."""
        deadline = time.monotonic() + timeout
        names = list(names)
        last_report = time.monotonic()
        with self._cond:
            while True:
                missing = [n for n in names if n not in self.ready_at]
                if not missing or time.monotonic() >= deadline:
                    return missing
                if progress and time.monotonic() - last_report >= 10:
                    progress(len(names) - len(missing), len(names))
                    last_report = time.monotonic()
                self._cond.wait(min(1.0, max(0.01, deadline - time.monotonic())))

    def stop(self):
        self.watcher.stop()


class EventTracker:
    """Watches the events.k8s.io Events of a namespace and records, per regarding object's name, the reasons
    seen, so a benchmark can wait until an object's Events have been written."""

    def __init__(self, kube, namespace):
        self.reasons = {}
        self._cond = threading.Condition()
        self.watcher = Watcher(kube, "events", namespace, self._on)
        self.watcher.start()
        if not self.watcher.synced.wait(120):
            raise RuntimeError(f"could not list events in {namespace}")

    def _on(self, event, t):
        name = (event.get("regarding") or {}).get("name")
        with self._cond:
            self.reasons.setdefault(name, set()).add(event.get("reason"))
            self._cond.notify_all()

    def wait_for(self, name, reason, timeout):
        """Whether an Event about `name` with that reason was seen within `timeout` seconds."""
        with self._cond:
            return self._cond.wait_for(lambda: reason in self.reasons.get(name, ()), timeout)

    def stop(self):
        self.watcher.stop()


def create_all(kube, resource, namespace, objects, concurrency, created_at):
    """Creates the objects `concurrency` at a time, recording time.monotonic() just before each POST."""

    def one(obj):
        created_at[obj["metadata"]["name"]] = time.monotonic()
        kube.create(resource, namespace, obj, retry_seconds=300)

    with ThreadPoolExecutor(concurrency) as ex:
        list(ex.map(one, objects))


def nearest_rank(v, p):
    """The p-th percentile of the sorted values v by nearest rank: the smallest value with at least p % of the
    values at or below it."""
    return v[max(0, min(len(v) - 1, math.ceil(p / 100 * len(v)) - 1))]


def stats_ms(values_s):
    """median, p90, p99, max, mean in milliseconds (nearest-rank percentiles)."""
    v = sorted(values_s)
    if not v:
        return {}
    return {
        "n": len(v),
        "median_ms": round(statistics.median(v) * 1000, 1),
        "p90_ms": round(nearest_rank(v, 90) * 1000, 1),
        "p99_ms": round(nearest_rank(v, 99) * 1000, 1),
        "max_ms": round(v[-1] * 1000, 1),
        "mean_ms": round(statistics.mean(v) * 1000, 1),
        "all_ms": [round(x * 1000, 1) for x in v],
    }  # sorted, so any other statistic can be computed later
