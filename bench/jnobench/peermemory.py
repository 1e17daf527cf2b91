"""Scenario `peer-memory`: memory only, this operator and Kubeflow's notebook controller one after the other on the
same cluster, at the same count.

A burst waits for Ready at every step, and Kubeflow's controller never stops rewriting its Ready Notebooks (its
write loop, kubeflow.py's idle figures), which starves its own creates of the client rate limit: stepping it to
5,000 Ready did not fit a session. So this step measures what a count costs to hold, not how fast it gets there:
--peer-memory-count objects are created at a steady --peer-memory-rate a second (no burst), the controller's RSS is
sampled every 15 s, and the figure is its RSS --peer-memory-settle seconds after the last create, together with how
many of the objects (and of their pods) existed and were Ready at that moment. If all get Ready within
--peer-memory-wait seconds more, RSS is read again then. The operator's namespace is deleted (and gone) before
Kubeflow's controller starts, so neither sees the other's objects.
"""

import os
import threading
import time

from . import kubeflow as kf
from . import workload as w
from .cluster import KUBEFLOW_USER
from .log import CheckFailed, say

SAMPLE_SECONDS = 15


def peer_memory(b):
    res = {
        "count": b.opts.peer_memory_count,
        "rate_per_s": b.opts.peer_memory_rate,
        "settle_s": b.opts.peer_memory_settle,
        "wait_s": b.opts.peer_memory_wait,
    }
    b.cluster.ensure_pod_capacity(b.opts.peer_memory_count + 50)
    res["operator"] = _operator(b)
    res["kubeflow"] = _kubeflow(b)
    return res


def _operator(b):
    b.ensure_operator()
    op = b.operator
    ns = b.namespace("memory", template="bench")
    objs = [w.instance(f"pm-{i:05d}", "bench", f"pm-{i:05d}", b.run_id) for i in range(b.opts.peer_memory_count)]
    try:
        return _measure(
            b,
            "operator",
            "jupyternotebookinstances",
            ns,
            objs,
            w.instance_ready,
            op.rss_mib,
            op.alive,
            extra=lambda: {"heap": op.heap(), "heap_live_after_full_gc": op.heap(gc_first=True)},
        )
    finally:
        b.stop_operators()
        say(f"peer-memory: deleting {ns} before Kubeflow's turn")
        b.kube.delete_namespace(ns, wait_seconds=1200)
        b.namespaces.remove(ns)


def _kubeflow(b):
    binary = kf.build()
    b.cluster.kubectl_run(
        "apply",
        "--server-side",
        "--force-conflicts",
        "--field-manager",
        "jno-bench",
        "-f",
        os.path.join(kf.SOURCE, kf.CRD),
    )
    ns = b.namespace("kubeflow")
    controller = kf.Controller(binary, b.cluster.user_kubeconfig(KUBEFLOW_USER), b.log_dir)
    b.kubeflow_controller = controller
    try:
        time.sleep(5)  # caches synced (it has no readiness signal of its own here)
        objs = [kf.notebook(f"pm-{i:05d}", b.run_id) for i in range(b.opts.peer_memory_count)]
        return _measure(
            b,
            "kubeflow",
            "notebooks",
            ns,
            objs,
            kf.notebook_ready,
            controller.rss_mib,
            controller.alive,
            extra=lambda: {"go": controller.go_memory()},
        )
    finally:
        controller.stop()


def _measure(b, who, resource, ns, objs, is_ready, rss, alive, extra):
    count, rate = len(objs), b.opts.peer_memory_rate
    tracker = w.ReadyTracker(b.kube, resource, ns, is_ready)
    samples, stop = [], threading.Event()
    t0 = time.monotonic()
    rss0 = rss()

    def sample():
        while not stop.wait(SAMPLE_SECONDS):
            if alive():
                samples.append([round(time.monotonic() - t0, 1), round(rss(), 1), len(tracker.ready_at)])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    row = {"rss_before_mib": round(rss0, 1), "rss_samples": samples}  # samples: [s since first create, MiB, Ready]
    try:
        say(f"peer-memory {who}: RSS {rss0:.0f} MiB; creating {count} {resource} at {rate}/s")
        for i, obj in enumerate(objs):  # a steady rate: object i goes at t0 + i / rate
            delay = t0 + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            b.kube.create(resource, ns, obj, retry_seconds=300)
        row["created_in_s"] = round(time.monotonic() - t0, 1)
        say(f"peer-memory {who}: {count} created in {row['created_in_s']} s; settling {b.opts.peer_memory_settle} s")
        time.sleep(b.opts.peer_memory_settle)
        if not alive():
            raise CheckFailed(f"peer-memory: {who} exited during the step")
        row["at_settle"] = _reading(b, ns, t0, rss, tracker, extra)
        say(f"peer-memory {who}: {row['at_settle']}")
        missing = tracker.wait([o["metadata"]["name"] for o in objs], b.opts.peer_memory_wait)
        if not missing:
            row["all_ready_after_s"] = round(max(tracker.ready_at.values()) - t0, 1)
            row["at_all_ready"] = _reading(b, ns, t0, rss, tracker, extra)
            say(f"peer-memory {who}: all Ready: {row['at_all_ready']}")
        else:
            row["at_wait_end"] = _reading(b, ns, t0, rss, tracker, extra)
            say(f"peer-memory {who}: {len(missing)} not Ready after the wait: {row['at_wait_end']}")
        return row
    finally:
        stop.set()
        sampler.join()
        tracker.stop()


def _reading(b, ns, t0, rss, tracker, extra):
    pods, _ = b.kube.list("pods", ns)
    return {
        "after_s": round(time.monotonic() - t0, 1),
        "rss_mib": round(rss(), 1),
        "objects_ready": len(tracker.ready_at),
        "pods": len(pods),
        "pods_ready": sum(1 for p in pods if w.pod_ready(p)),
        **extra(),
    }
