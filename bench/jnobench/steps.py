"""Where a sequential spawn's time goes, from the API server's side: the audit log's timestamps (when each request
arrived and when its response was complete, in microseconds) of every write along the way, by whoever made it.

For an instance: the client's create -> the operator's pod create arrives (its instance watch and reconcile) ->
the pod is created -> the scheduler's binding -> kwok's Ready status -> the operator's status write arrives (its
pod watch and reconcile) -> the status is written -> the client's watch delivers it. A direct pod has the middle
steps only. The client's own clock (time.monotonic) is mapped to wall time with one offset taken at the start.
"""

import datetime
import statistics

from .audit import user_of
from .cluster import BENCHMARK_USER, OPERATOR_USER


def _wall(ts):
    return datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


def writes_by_object(events, namespace):
    """{name: [(received, completed, user, verb, resource/subresource)]} of the writes in the namespace."""
    out = {}
    for ev in events:
        ref = ev.get("objectRef") or {}
        if ref.get("namespace") != namespace or ev.get("verb") not in ("create", "patch", "update"):
            continue
        what = ref.get("resource", "") + ("/" + ref["subresource"] if ref.get("subresource") else "")
        out.setdefault(ref.get("name"), []).append(
            (_wall(ev["requestReceivedTimestamp"]), _wall(ev["stageTimestamp"]), user_of(ev), ev["verb"], what)
        )
    return out


def _first(writes, user=None, verb=None, what=None):
    for w in writes:
        if (user is None or w[2] == user) and (verb is None or w[3] == verb) and (what is None or w[4] == what):
            return w
    return None


def _median_ms(pairs):
    gaps = [b - a for a, b in pairs if a is not None and b is not None]
    return round(statistics.median(gaps) * 1000, 1) if gaps else None


def server_steps(events, namespace, pods, instances, wall_offset):
    """Medians (ms) of each step for the direct pods in `pods` ({pod name: client-seen Ready, monotonic}) and the
    instances in `instances` ({instance name: (pod name, client-seen Ready)})."""
    by = writes_by_object(events, namespace)

    def pod_path(pod):
        w = by.get(pod, [])
        create = _first(w, verb="create", what="pods")
        bind = _first(w, what="pods/binding")
        ready = [x for x in w if x[4] == "pods/status" and x[2] == "kwok"]
        return create, bind, ready[-1] if ready else None

    direct = []
    for pod, seen in pods.items():
        create, bind, ready = pod_path(pod)
        if create and bind and ready and create[2] == BENCHMARK_USER:
            direct.append((create, bind, ready, seen + wall_offset))
    inst = []
    for name, (pod, seen) in instances.items():
        w = by.get(name, [])
        icreate = _first(w, user=BENCHMARK_USER, verb="create", what="jupyternotebookinstances")
        status = _first(w, user=OPERATOR_USER, what="jupyternotebookinstances/status")
        create, bind, ready = pod_path(pod)
        if icreate and status and create and bind and ready and seen is not None:
            inst.append((icreate, create, bind, ready, status, seen + wall_offset))
    return {
        "direct_pod": {
            "n": len(direct),
            "create_server": _median_ms((c[0], c[1]) for c, _, _, _ in direct),
            "created_to_bound": _median_ms((c[1], b[1]) for c, b, _, _ in direct),
            "bound_to_ready_written": _median_ms((b[1], r[1]) for _, b, r, _ in direct),
            "ready_written_to_client": _median_ms((r[1], s) for _, _, r, s in direct),
        },
        "instance": {
            "n": len(inst),
            "create_server": _median_ms((i[0], i[1]) for i, *_ in inst),
            "created_to_pod_create_received": _median_ms((i[1], c[0]) for i, c, *_ in inst),
            "pod_create_server": _median_ms((c[0], c[1]) for _, c, *_ in inst),
            "pod_created_to_bound": _median_ms((c[1], b[1]) for _, c, b, *_ in inst),
            "bound_to_ready_written": _median_ms((b[1], r[1]) for _, _, b, r, *_ in inst),
            "ready_written_to_status_received": _median_ms((r[1], s[0]) for _, _, _, r, s, _ in inst),
            "status_server": _median_ms((s[0], s[1]) for *_, s, _ in inst),
            "status_written_to_client": _median_ms((s[1], seen) for *_, s, seen in inst),
        },
    }
