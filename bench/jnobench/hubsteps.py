"""Where a spawn through the hub spends its time, from the API server's side: for each user, the audit log's
timestamps of the writes along its path (the hub's, the operator's, the scheduler's, kwok's) between the client's
POST and the hub's answer. Medians and p90s of each step, in ms, per spawner:

- both: POST sent -> the hub's first write arrives (the hub's own work before start() reaches the API: its
  database, the server's API token, for this spawner the template read and the Secret), the pod's create -> its
  binding (the scheduler), binding -> kwok's Ready status, and the last step to the hub's answer;
- KubeSpawner: kwok's Ready -> the POST is answered (its reflector's watch, its back-off poll of the reflector, the
  hub's HTTP check of the server, the hub's bookkeeping);
- this operator: the hub's Secret create -> its instance create arrives, the instance created -> the operator's pod
  create arrives (instance watch, queue, reconcile), kwok's Ready -> the operator's Ready status write arrives (pod
  watch, queue, reconcile), that write -> the POST is answered (the spawner's instance watch, the HTTP check, the
  hub's bookkeeping).

The client's clock (time.monotonic) is mapped to wall time with one offset taken at the start of the case.
"""

import re
import statistics

from .cluster import HUB_USER, OPERATOR_USER
from .steps import writes_by_object
from .workload import nearest_rank

USER = re.compile(r"(u\d{5})")


def _stats(gaps):
    gaps = sorted(g * 1000 for g in gaps if g is not None)
    if not gaps:
        return None
    return {"n": len(gaps), "median_ms": round(statistics.median(gaps), 1), "p90_ms": round(nearest_rank(gaps, 90), 1)}


def spawn_steps(events, namespace, times, wall_offset, kind):
    """{step: {n, median_ms, p90_ms}} for the users in `times` ({user: (POST sent, answered)}, monotonic)."""
    by_user = {}
    for name, writes in writes_by_object(events, namespace).items():
        m = USER.search(name or "")
        if m:
            by_user.setdefault(m.group(1), []).extend(writes)
    steps, status_writes = {}, []

    def add(step, a, b):
        if a is not None and b is not None:
            steps.setdefault(step, []).append(b - a)

    for user, (t0, t1) in times.items():
        writes = sorted(by_user.get(user, []))
        sent, answered = t0 + wall_offset, t1 + wall_offset
        hub = [x for x in writes if x[2] == HUB_USER]
        pod_create = next((x for x in writes if x[3] == "create" and x[4] == "pods"), None)
        bind = next((x for x in writes if x[4] == "pods/binding"), None)
        ready = next((x for x in writes if x[4] == "pods/status" and x[2] == "kwok"), None)
        add("post_to_first_hub_write", sent, hub[0][0] if hub else None)
        add("pod_create_to_bound", pod_create and pod_create[1], bind and bind[1])
        add("bound_to_ready_written", bind and bind[1], ready and ready[1])
        if kind == "kubespawner":
            add("ready_written_to_answer", ready and ready[1], answered)
        else:
            secret = next((x for x in hub if x[4] == "secrets"), None)
            inst = next((x for x in hub if x[4] == "jupyternotebookinstances"), None)
            status = [x for x in writes if x[2] == OPERATOR_USER and x[4] == "jupyternotebookinstances/status"]
            final = status[-1] if status else None
            add("secret_create_to_instance_create", secret and secret[0], inst and inst[0])
            add("instance_created_to_pod_create", inst and inst[1], pod_create and pod_create[0])
            add("ready_written_to_status_write", ready and ready[1], final and final[0])
            add("status_written_to_answer", final and final[1], answered)
            status_writes.append(len(status))
        add("post_total", sent, answered)
    out = {k: _stats(v) for k, v in steps.items()}
    if status_writes:
        out["operator_status_writes_per_spawn"] = round(sum(status_writes) / len(status_writes), 2)
    return out
