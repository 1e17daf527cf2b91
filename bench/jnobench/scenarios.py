"""The measurements and fault injections. Each scenario works in namespaces of its own (prefixed with the run id)
and returns a dict that goes into the run's JSON result; a failed correctness check raises CheckFailed."""

import json
import os
import random
import shutil
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from . import hubbench, kubeflow, peermemory
from . import workload as w
from .audit import QUIET_SECONDS, audit_requests, read_audit, settle, write_requests
from .cluster import OPERATOR_USER
from .culling import culling as _culling
from .kube import resource_path
from .log import CheckFailed, say
from .malformed import run_corpus
from .operator import OperatorProcess, find_jar
from .steps import server_steps
from .verify import verify_namespace

# Every namespace a scenario creates is <run id>-<one of these> (so a smoke run can restrict the operator to them).
NAMESPACE_SUFFIXES = (
    "latency",
    "burst-pods",
    "burst",
    "memory",
    "kill",
    "apiserver",
    "leader",
    "corpus",
    "corpus-other",
    "smoke",
    "hub-floor",
    "hub-kubespawner",
    "hub-operator",
    "kubeflow",
    "culling",
)


class Bench:
    """Shared state of one run: the cluster, the operator replica(s), options, results."""

    def __init__(self, cluster, opts, run_id, log_dir):
        self.cluster, self.kube, self.opts = cluster, cluster.kube, opts
        self.run_id, self.log_dir = run_id, log_dir
        self.rng = random.Random(opts.seed)
        self.operators = []
        self.namespaces = []
        self.operator_kubeconfig = cluster.operator_kubeconfig()
        # A private copy of the jar: a rebuild of operator/ during a long run must not change what runs.
        self.jar = None
        if not os.environ.get("JNO_BENCH_OPERATOR_CMD"):
            self.jar = os.path.join(log_dir, "jupyter-notebook-operator.jar")
            shutil.copyfile(find_jar(), self.jar)

    # ------------------------------------------------------------------------------------------------ operators

    def operator_env(self, extra=None):
        env = {}
        for kv in self.opts.operator_env:
            k, v = kv.split("=", 1)
            env[k] = v
        env.update(extra or {})
        return env

    def start_operators(self, replicas=1, extra_env=None):
        """Stops whatever runs, starts `replicas` fresh replicas (with leader election when more than one)."""
        self.stop_operators()
        self.operators = []
        for i in range(replicas):
            name = f"{self.run_id}-{chr(ord('a') + i)}"
            # Port 0: replicas (and other operators on this machine) never fight over the metrics port.
            env = {"JNO_IDENTITY": name, "JNO_HTTP_PORT": "0"}
            if self.opts.watch_own_namespaces:
                env["JNO_WATCH_NAMESPACES"] = ",".join(f"{self.run_id}-{s}" for s in NAMESPACE_SUFFIXES)
            if replicas > 1:
                env["JNO_LEADER_ELECTION"] = "true"
                for kv in self.opts.leader_env:
                    k, v = kv.split("=", 1)
                    env[k] = v
            env = {**env, **self.operator_env(extra_env)}  # --operator-env overrides the defaults above
            op = OperatorProcess(
                name,
                self.operator_kubeconfig,
                self.log_dir,
                env=env,
                jar=self.jar,
                jvm_args=self.opts.jvm_args.split(),
                args=self.opts.operator_args.split(),
            )
            op.start()
            say(f"operator {name} started (pid {op.pid}): {' '.join(op.command())}")
            self.operators.append(op)
        time.sleep(0.5)
        return self.operators

    @property
    def operator(self):
        return self.operators[0]

    def ensure_operator(self):
        if len(self.operators) != 1 or not self.operator.alive():
            self.start_operators(1)

    def stop_operators(self):
        for op in self.operators:
            op.stop()

    def check_operators_alive(self, what):
        for op in self.operators:
            if not op.alive():
                raise CheckFailed(
                    f"{what}: operator {op.name} exited with {op.exit_code()}; log tail:\n{op.log_tail()}"
                )

    # ------------------------------------------------------------------------------------------------ helpers

    def namespace(self, suffix, template=None, with_pvc=False):
        ns = f"{self.run_id}-{suffix}"
        self.kube.ensure_namespace(ns, {"jno-bench/run": self.run_id})
        self.namespaces.append(ns)
        if template:
            t = w.template(template, with_pvc)
            self.kube.create("jupyternotebookinstancetemplates", ns, t)
        return ns

    def burst(self, ns, count, prefix, template="bench", with_pvc=False, during=None, timeout=None):
        """Creates `count` instances at once (opts.concurrency in flight), runs `during(start_time)` in a thread
        alongside (fault injection), waits until all are Ready. Returns (names, created_at, tracker, seconds)."""
        tracker = w.ReadyTracker(self.kube, "jupyternotebookinstances", ns, w.instance_ready)
        self.tracker = tracker  # fault injectors look at the progress
        names = [f"{prefix}-{i:05d}" for i in range(count)]
        objs = [w.instance(n, template, n, self.run_id) for n in names]
        created = {}
        t0 = self.burst_started = time.monotonic()
        injector, injector_error = None, []

        def inject():
            try:
                during(t0)
            except Exception as e:
                injector_error.append(e)

        if during:
            injector = threading.Thread(target=inject, daemon=True)
            injector.start()
        w.create_all(self.kube, "jupyternotebookinstances", ns, objs, self.opts.concurrency, created)
        say(f"{count} instances created in {time.monotonic() - t0:.1f}s; waiting for Ready")
        if injector:
            injector.join()
            if injector_error:
                raise CheckFailed(f"fault injection failed: {injector_error[0]!r}")
        missing = tracker.wait(
            names, timeout or self.opts.timeout, progress=lambda r, n: say(f"  {r}/{n} instances Ready")
        )
        seconds = time.monotonic() - t0
        if missing:
            sample = {n: (tracker.latest.get(n) or {}).get("status") for n in missing[:3]}
            raise CheckFailed(
                f"{len(missing)}/{count} instances in {ns} not Ready after {seconds:.0f}s; e.g. "
                f"{json.dumps(sample)[:1500]}"
            )
        return names, created, tracker, seconds

    def verify(self, ns, names, with_pvc, what):
        report = verify_namespace(self.kube, ns, names, with_pvc)
        if not report["ok"]:
            raise CheckFailed(f"{what}: {'; '.join(report['problems'])}")
        say(
            f"{what}: verified {report['instances_ready']} instances Ready, {report['pods']} pods"
            + (f", {report['pvcs']} claims" if with_pvc else "")
            + ", no duplicates, nothing orphaned"
        )
        return report


# ---------------------------------------------------------------------------------------------------- performance


def latency(b):
    """Sequential spawns: each instance created and waited for, alternating with the equivalent direct Pod."""
    n = b.opts.latency_count
    b.cluster.ensure_pod_capacity(2 * n + 20)
    b.ensure_operator()
    ns = b.namespace("latency", template="bench")
    # Sees the direct pods and the operator's, stage by stage: where each spawn spends its time.
    pods = w.ReadyTracker(b.kube, "pods", ns, w.pod_ready, stages=w.POD_STAGES)
    insts = w.ReadyTracker(b.kube, "jupyternotebookinstances", ns, w.instance_ready)
    # Each spawn is measured on a quiet system: after an instance is Ready, wait (at most 5 s) until the operator
    # wrote its last Event (PodReady), so no spawn's background writes land in the next one's measurement.
    events = w.EventTracker(b.kube, ns)
    unseen = []

    def instance_spawn(name, started=None):
        took = _one(b, ns, insts, "jupyternotebookinstances", w.instance(name, "bench", name, b.run_id), started)
        if not events.wait_for(name, "PodReady", 5):
            unseen.append(name)
        return took

    audit_offset = b.cluster.audit_log_end()
    wall_offset = time.time() - time.monotonic()
    # Warm-up (first reconcile loads classes, first pod of a namespace, ...) not counted.
    for i in range(3):
        instance_spawn(f"warm-{i}")
        _one(b, ns, pods, "pods", w.direct_pod(f"warmp-{i}", b.run_id))
    pod_lat, inst_lat, started = [], [], {}
    for i in range(n):
        pod_lat.append(_one(b, ns, pods, "pods", w.direct_pod(f"p-{i:04d}", b.run_id), started))
        inst_lat.append(instance_spawn(f"i-{i:04d}", started))
        if (i + 1) % 20 == 0:
            say(f"  {i + 1}/{n} sequential spawns")
    b.check_operators_alive("latency")
    res = {"count": n, "direct_pod": w.stats_ms(pod_lat), "instance": w.stats_ms(inst_lat)}
    res["operator_adds_ms"] = {
        "median": round(res["instance"]["median_ms"] - res["direct_pod"]["median_ms"], 1),
        "p99": round(res["instance"]["p99_ms"] - res["direct_pod"]["p99_ms"], 1),
    }
    res["steps"] = _latency_steps(pods, insts, started, n)
    if b.cluster.audit_enabled():
        res["server_steps"] = server_steps(
            read_audit(b.cluster.audit_log, audit_offset)[0],
            ns,
            {f"jupyter-p-{i:04d}": pods.ready_at.get(f"jupyter-p-{i:04d}") for i in range(n)},
            {f"i-{i:04d}": (f"jupyter-i-{i:04d}", insts.ready_at.get(f"i-{i:04d}")) for i in range(n)},
            wall_offset,
        )
    res["ready_event_not_seen_within_5s"] = len(unseen)
    pods.stop()
    insts.stop()
    events.stop()
    say(f"latency: direct pod {res['direct_pod']}, instance {res['instance']}, operator adds {res['operator_adds_ms']}")
    return res


def _latency_steps(pods, insts, started, n):
    """Each sequential spawn cut into steps (medians, ms), as this benchmark's watches saw them: for a direct pod,
    create -> seen -> scheduled -> Ready; for an instance, create -> its pod seen (the operator reacted and created
    it) -> scheduled -> Ready -> the instance seen Ready (the operator's status write)."""

    def median_ms(pairs):
        gaps = [b - a for a, b in pairs if a is not None and b is not None]
        return round(statistics.median(gaps) * 1000, 1) if gaps else None

    def steps(created, pod):
        seen, scheduled = pods.stage_at["seen"].get(pod), pods.stage_at["scheduled"].get(pod)
        return created, seen, scheduled, pods.ready_at.get(pod)

    direct = [steps(started[f"jupyter-p-{i:04d}"], f"jupyter-p-{i:04d}") for i in range(n)]
    inst = [(*steps(started[f"i-{i:04d}"], f"jupyter-i-{i:04d}"), insts.ready_at.get(f"i-{i:04d}")) for i in range(n)]
    return {
        "direct_pod": {
            "create_to_seen": median_ms((x[0], x[1]) for x in direct),
            "seen_to_scheduled": median_ms((x[1], x[2]) for x in direct),
            "scheduled_to_ready": median_ms((x[2], x[3]) for x in direct),
        },
        "instance": {
            "create_to_pod_seen": median_ms((x[0], x[1]) for x in inst),
            "pod_seen_to_scheduled": median_ms((x[1], x[2]) for x in inst),
            "pod_scheduled_to_ready": median_ms((x[2], x[3]) for x in inst),
            "pod_ready_to_instance_ready": median_ms((x[3], x[4]) for x in inst),
        },
    }


def _one(b, ns, tracker, resource, obj, started=None):
    name = obj["metadata"]["name"]
    t = time.monotonic()
    if started is not None:
        started[name] = t
    b.kube.create(resource, ns, obj)
    missing = tracker.wait([name], 120)
    if missing:
        raise CheckFailed(
            f"{resource} {ns}/{name} not Ready after 120s: "
            f"{json.dumps((tracker.latest.get(name) or {}).get('status'))[:800]}"
        )
    return tracker.ready_at[name] - t


def cpu_snapshot(b):
    """CPU seconds so far of every process taking part: the control plane, the operator(s) and this benchmark."""
    snap = b.cluster.component_cpu_seconds()
    snap["operator"] = sum(o.cpu_seconds() for o in b.operators)
    t = os.times()
    snap["benchmark"] = t.user + t.system
    return snap


def cpu_used(b, before, wall_s):
    """CPU seconds used since `before` (a cpu_snapshot) by each process, their total, and how busy that kept the
    machine's cores over `wall_s` seconds."""
    after = cpu_snapshot(b)
    used = {k: round(after[k] - before[k], 1) for k in after if k in before}
    used["total"] = round(sum(used.values()), 1)
    used["machine_busy_percent"] = round(100 * used["total"] / (wall_s * (os.cpu_count() or 1)))
    return used


def burst(b):
    """N direct Pods at once, then (their namespace gone) N instances at once, each until all are Ready."""
    n = b.opts.burst_count
    b.cluster.ensure_pod_capacity(n + 50)
    b.ensure_operator()
    ns_pods = b.namespace("burst-pods")
    tracker = w.ReadyTracker(b.kube, "pods", ns_pods, w.pod_ready, stages=w.POD_STAGES)
    names = [f"jupyter-p-{i:05d}" for i in range(n)]
    created = {}
    cpu0 = cpu_snapshot(b)
    t0 = time.monotonic()
    w.create_all(
        b.kube, "pods", ns_pods, [w.direct_pod(f"p-{i:05d}", b.run_id) for i in range(n)], b.opts.concurrency, created
    )
    create_pods_s = time.monotonic() - t0
    missing = tracker.wait(names, b.opts.timeout, progress=lambda r, t: say(f"  {r}/{t} pods Ready"))
    if missing:
        raise CheckFailed(f"{len(missing)} direct pods not Ready")
    pods_s = max(tracker.ready_at.values()) - t0
    pod_lat = [tracker.ready_at[x] - created[x] for x in names]
    pod_stages = w.stage_times(t0, tracker)
    pod_cpu = cpu_used(b, cpu0, pods_s)
    pod_ready_at = w.ready_times(t0, tracker, names)
    tracker.stop()
    say(f"burst: {n} direct pods Ready in {pods_s:.1f}s; deleting their namespace before the instance burst")
    b.kube.delete_namespace(ns_pods, wait_seconds=600)
    b.namespaces.remove(ns_pods)

    ns = b.namespace("burst", template="bench")
    audit_offset = b.cluster.audit_log_end()
    cpu0 = cpu_snapshot(b)
    # The operator's pods, stage by stage, show where an instance burst spends its time.
    inst_pods = w.ReadyTracker(b.kube, "pods", ns, w.pod_ready, stages=w.POD_STAGES)
    names, created, tracker, _ = b.burst(ns, n, "b")
    inst_s = max(tracker.ready_at[x] for x in names) - min(created.values())
    inst_lat = [tracker.ready_at[x] - created[x] for x in names]
    inst_cpu = cpu_used(b, cpu0, inst_s)
    t_inst = min(created.values())
    stages = {"pods": w.stage_times(t_inst, inst_pods), "instances_ready": w.stage_times(t_inst, tracker)["ready"]}
    inst_ready_at = w.ready_times(t_inst, tracker, names)
    inst_pods.stop()
    tracker.stop()
    b.check_operators_alive("burst")
    report = b.verify(ns, names, False, "burst")
    res = {
        "count": n,
        "concurrency": b.opts.concurrency,
        "direct_pods": {
            "all_ready_s": round(pods_s, 2),
            "create_calls_s": round(create_pods_s, 2),
            "latency": w.stats_ms(pod_lat),
            "stages": {"pods": pod_stages},
            "cpu_s": pod_cpu,
            "ready_at_s": pod_ready_at,
        },
        "instances": {
            "all_ready_s": round(inst_s, 2),
            "latency": w.stats_ms(inst_lat),
            "operator_cpu_s": inst_cpu["operator"],
            "stages": stages,
            "cpu_s": inst_cpu,
            "ready_at_s": inst_ready_at,
        },
        "ratio": round(inst_s / pods_s, 2),
        "verify": report,
    }
    if b.cluster.audit_enabled():
        res["instances"]["operator_requests_in_namespace"] = audit_requests(
            b.cluster.audit_log, audit_offset, ns, user=OPERATOR_USER
        )
    say(f"burst: {n} instances Ready in {inst_s:.1f}s vs {pods_s:.1f}s for direct pods (ratio {res['ratio']})")
    b.burst_namespace = ns
    return res


def idle(b):
    """Ready instances left alone: the operator's API requests (audit log) and CPU over the window."""
    if not b.cluster.audit_enabled():
        raise CheckFailed(
            "idle needs the API server's audit log: run `bench/scale audit-on` first (restarts "
            "kube-apiserver with an audit policy that records only the operator's requests)"
        )
    b.ensure_operator()
    instances, _ = b.kube.list("jupyternotebookinstances")
    ready = sum(1 for i in instances if w.instance_ready(i))
    if ready < b.opts.burst_count:
        raise CheckFailed(f"idle wants {b.opts.burst_count} Ready instances (run burst first); found {ready}")
    say(
        f"idle: {ready} Ready instances; settling {b.opts.settle_seconds}s and until the operator has written "
        f"nothing for {QUIET_SECONDS}s, then watching for {b.opts.idle_seconds}s"
    )
    settled = settle(b)
    op = b.operator
    offset = b.cluster.audit_log_end()
    cpu0, t0 = op.cpu_seconds(), time.monotonic()
    time.sleep(b.opts.idle_seconds)
    cpu, secs = op.cpu_seconds() - cpu0, time.monotonic() - t0
    requests = audit_requests(b.cluster.audit_log, offset, user=OPERATOR_USER)
    b.check_operators_alive("idle")
    writes = write_requests(requests)
    non_lease_writes = {k: v for k, v in writes.items() if "leases" not in k}
    res = {
        "ready_instances": ready,
        "window_s": round(secs, 1),
        "operator_cpu_s": round(cpu, 2),
        "operator_cpu_percent_of_one_core": round(100 * cpu / secs, 2),
        "requests_by_verb_resource": requests,
        "writes": sum(writes.values()),
        "writes_excluding_leases": sum(non_lease_writes.values()),
        "rss_mib": round(op.rss_mib(), 1),
        "settled": settled,
    }
    say(
        f"idle: {res['writes']} writes ({res['writes_excluding_leases']} excluding leases), "
        f"CPU {res['operator_cpu_s']}s over {res['window_s']}s, requests {requests}"
    )
    return res


def memory(b):
    """Operator RSS and heap with 1,000 / 5,000 / 10,000 Ready instances (counted over the whole cluster)."""
    b.ensure_operator()
    levels = [int(x) for x in b.opts.memory_levels.split(",")]
    ns = b.namespace("memory", template="bench")
    res = []
    made = 0
    for level in levels:
        instances, _ = b.kube.list("jupyternotebookinstances")
        have = sum(1 for i in instances if w.instance_ready(i))
        todo = max(0, level - have)
        b.cluster.ensure_pod_capacity(todo + 50)
        secs = None
        if todo:
            say(f"memory: {have} Ready instances; creating {todo} more to reach {level}")
            _names, _created, tracker, secs = b.burst(ns, todo, f"m{level}", timeout=max(b.opts.timeout, todo * 0.5))
            tracker.stop()
            made += todo
        settled = settle(b)
        op = b.operator
        # CPU and API requests while nothing changes, over a short window at this size.
        offset = b.cluster.audit_log_end()
        cpu0, t0 = op.cpu_seconds(), time.monotonic()
        time.sleep(b.opts.memory_cpu_window)
        idle_cpu, window = op.cpu_seconds() - cpu0, time.monotonic() - t0
        idle_requests = (
            audit_requests(b.cluster.audit_log, offset, user=OPERATOR_USER) if b.cluster.audit_enabled() else None
        )
        rss = op.rss_mib()
        heap = op.heap()
        heap_live = op.heap(gc_first=True)
        rss_after_gc = op.rss_mib()
        row = {
            "ready_instances": level,
            "created_now": todo,
            "burst_all_ready_s": round(secs, 1) if secs else None,
            "rss_mib": round(rss, 1),
            "heap_used_mib": heap["used_mib"],
            "heap_committed_mib": heap["committed_mib"],
            "heap_live_after_full_gc_mib": heap_live["used_mib"],
            "rss_after_full_gc_mib": round(rss_after_gc, 1),
            "operator_cpu_total_s": round(op.cpu_seconds(), 1),
            "idle_window_s": round(window, 1),
            "idle_cpu_s": round(idle_cpu, 2),
            "idle_requests": idle_requests,
            "operator_started_s_ago": round(time.monotonic() - op.started_at, 1),
            "settled": settled,
        }
        say(f"memory: {row}")
        res.append(row)
        b.check_operators_alive(f"memory at {level}")
    return {"levels": res, "jvm_args": b.opts.jvm_args}


def requests(b):
    """What the API server takes for each single request a spawn is made of, one request at a time and no operator
    running: a pod create (the direct path's one write), an instance create, and a status write of an instance
    (a status like the operator's: 4 conditions, a resource, a URL) as server-side apply, as the operator sends it,
    and as JSON merge patch, the alternative. Client-side round trips on localhost, so upper bounds of server time."""
    ns = b.namespace("requests")
    n = b.opts.latency_count
    inst_path = resource_path("jupyternotebookinstances", ns)

    def timed(method, path, body, ok, **kw):
        t0 = time.monotonic()
        b.kube.call(method, path, body, ok=ok, retry_seconds=0, **kw)
        return time.monotonic() - t0

    times = {"pod_create": [], "instance_create": [], "status_server_side_apply": [], "status_json_merge_patch": []}
    for i in range(n):
        pod = w.direct_pod(f"r{i:05d}", b.run_id)
        pod["spec"]["nodeName"] = "jno-bench-nowhere"  # bound to no real node: nothing else works on it
        times["pod_create"].append(timed("POST", resource_path("pods", ns), pod, (201,)))
        times["instance_create"].append(
            timed("POST", inst_path, w.instance(f"r-{i:05d}", "bench", f"r{i:05d}", b.run_id), (201,))
        )
    one = f"{inst_path}/r-00000/status"
    for i in range(n):
        apply = {
            "apiVersion": w.API_VERSION,
            "kind": "JupyterNotebookInstance",
            "metadata": {"name": "r-00000", "namespace": ns},
            "status": {k: v for k, v in w.instance_status(i % 2 == 0, f"write {i}").items() if v is not None},
        }
        times["status_server_side_apply"].append(
            timed(
                "PATCH",
                one,
                apply,
                (200,),
                query={"fieldManager": "jupyternotebookinstance", "force": "true"},
                content_type="application/apply-patch+yaml",
            )
        )
        times["status_json_merge_patch"].append(
            timed(
                "PATCH",
                one,
                {"status": w.instance_status(i % 2 == 1, f"write {i + 1}")},
                (200,),
                query={"fieldManager": "jupyternotebookinstance"},
                content_type="application/merge-patch+json",
            )
        )
    res = {k: w.stats_ms(v) for k, v in times.items()}
    say("requests: " + ", ".join(f"{k} median {v['median_ms']} ms" for k, v in res.items()))
    return res


def floor(b):
    """The API work the protocol itself adds to a burst, whatever the operator: N instances created at once (as
    the hub does), watched until Ready (as the hub does), and each one's status written once, Ready (the least
    an operator must write), with no operator running and no pods. Its CPU, set against the direct-pod burst's,
    bounds the burst ratio on a machine that the direct pods alone keep busy."""
    b.stop_operators()
    n = b.opts.burst_count
    ns = b.namespace("floor", template="bench")
    tracker = w.ReadyTracker(b.kube, "jupyternotebookinstances", ns, w.instance_ready)
    names = [f"f-{i:05d}" for i in range(n)]
    created = {}
    cpu0 = cpu_snapshot(b)
    t0 = time.monotonic()
    w.create_all(
        b.kube,
        "jupyternotebookinstances",
        ns,
        [w.instance(x, "bench", x, b.run_id) for x in names],
        b.opts.concurrency,
        created,
    )

    def ready(name):
        b.kube.call(
            "PATCH",
            resource_path("jupyternotebookinstances", ns, name, "status"),
            {"status": w.instance_status(True, "notebook pod is ready")},
            ok=(200,),
            query={"fieldManager": "jupyternotebookinstance"},
            content_type="application/merge-patch+json",
        )

    with ThreadPoolExecutor(b.opts.concurrency) as ex:
        list(ex.map(ready, names))
    missing = tracker.wait(names, b.opts.timeout)
    if missing:
        raise CheckFailed(f"floor: {len(missing)} instances never seen Ready")
    wall = max(tracker.ready_at.values()) - t0
    ready_at = w.ready_times(t0, tracker, names)
    tracker.stop()
    res = {"count": n, "concurrency": b.opts.concurrency, "wall_s": round(wall, 2), "cpu_s": cpu_used(b, cpu0, wall)}
    res["ready_at_s"] = ready_at
    say(f"floor: {n} instances created and written Ready once in {wall:.1f}s, CPU {res['cpu_s']}")
    return res


# ---------------------------------------------------------------------------------------------------- faults


def _fault_namespace(b, suffix, count):
    ns = b.namespace(suffix, template="bench", with_pvc=True)
    w.persistent_volumes(b.kube, count, f"{b.run_id}-{suffix}")
    b.cluster.ensure_pod_capacity(count + 20)
    return ns


def kill(b):
    """SIGKILL the operator at random moments during a burst, restarting it each time."""
    n, kills = b.opts.fault_count, b.opts.kills
    ns = _fault_namespace(b, "kill", n)
    b.ensure_operator()
    injected = []

    def killer(t0):
        # Each kill lands while the operator is working: after it made at least one more instance Ready since it
        # (re)started, plus a random 0-2 s; the Ready count at the kill shows where in the burst it happened.
        for _k in range(kills):
            base = len(b.tracker.ready_at)
            deadline = time.monotonic() + 60
            while len(b.tracker.ready_at) <= base and len(b.tracker.ready_at) < n and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(b.rng.uniform(0, 2.0))
            op = b.operator
            pid, ready = op.pid, len(b.tracker.ready_at)
            op.kill()
            down = b.rng.uniform(0.2, 2.0)
            time.sleep(down)
            op.start()
            injected.append(
                {
                    "at_s": round(time.monotonic() - t0 - down, 2),
                    "killed_pid": pid,
                    "down_s": round(down, 2),
                    "ready_at_kill": ready,
                }
            )
            say(
                f"kill: SIGKILL operator pid {pid} at {injected[-1]['at_s']}s with {ready}/{n} Ready, restarted "
                f"after {down:.1f}s (pid {op.pid})"
            )

    t_start = time.monotonic()
    names, _created, tracker, secs = b.burst(ns, n, "k", with_pvc=True, during=killer)
    last_fault = max(i["at_s"] for i in injected) if injected else 0
    tracker.stop()
    b.check_operators_alive("kill")
    report = b.verify(ns, names, True, "kill")
    return {
        "instances": n,
        "faults": injected,
        "all_ready_s": round(secs, 1),
        "converged_after_last_fault_s": round(secs - last_fault, 1),
        "verify": report,
        "operator_starts": b.operator.starts,
        "wall_s": round(time.monotonic() - t_start, 1),
    }


def apiserver(b):
    """Restart kube-apiserver at random moments during a burst."""
    n, restarts = b.opts.fault_count, b.opts.apiserver_restarts
    ns = _fault_namespace(b, "apiserver", n)
    b.ensure_operator()
    injected = []

    def restarter(t0):
        for _k in range(restarts):
            base = len(b.tracker.ready_at)  # restart once the operator made progress again
            while len(b.tracker.ready_at) <= base and len(b.tracker.ready_at) < n and time.monotonic() - t0 < 120:
                time.sleep(0.05)
            time.sleep(b.rng.uniform(0, 3.0))
            at, ready = time.monotonic() - t0, len(b.tracker.ready_at)
            ready_s = b.cluster.restart_apiserver(down_seconds=b.rng.uniform(0.5, 3.0))
            injected.append({"at_s": round(at, 2), "back_ready_after_s": round(ready_s, 1), "ready_at_fault": ready})
            say(f"apiserver: restarted at {at:.1f}s, ready again after {ready_s:.1f}s")

    stand_in = KubeletReadyStandIn(b.kube, ns)
    stand_in.start()
    try:
        names, _created, tracker, secs = b.burst(ns, n, "a", with_pvc=True, during=restarter)
    finally:
        stand_in.stop()
    tracker.stop()
    last = max(i["at_s"] + i["back_ready_after_s"] for i in injected) if injected else 0
    b.check_operators_alive("apiserver")
    report = b.verify(ns, names, True, "apiserver")
    return {
        "instances": n,
        "faults": injected,
        "all_ready_s": round(secs, 1),
        "converged_after_api_back_s": round(secs - last, 1),
        "verify": report,
        "pods_made_ready_again_by_the_kubelet_stand_in": stand_in.repaired,
        "operator_starts": b.operator.starts,
    }


class KubeletReadyStandIn(threading.Thread):
    """While kube-apiserver is down, kwok's nodes miss their heartbeats; the node lifecycle controller then marks
    the nodes NotReady and every pod on them Ready=False. A real kubelet reports its pods Ready again once it
    reaches the API server; kwok does not (its pod-ready stage only handles Pending pods), so pods would stay
    not ready for ever. This thread does what the kubelet would: a Running pod whose containers are ready gets
    Ready=True back. It only touches pods the node controller marked, and counts them (reported)."""

    def __init__(self, kube, namespace):
        super().__init__(daemon=True, name="kubelet-stand-in")
        self.kube, self.namespace = kube, namespace
        self.stopped = threading.Event()
        self.repaired = 0

    def stop(self):
        self.stopped.set()
        self.join(10)

    def run(self):
        while not self.stopped.wait(2):
            try:
                pods, _ = self.kube.list("pods", self.namespace)
            except Exception:
                continue
            for p in pods:
                st = p.get("status") or {}
                conds = {c["type"]: c["status"] for c in st.get("conditions") or []}
                if (
                    st.get("phase") == "Running"
                    and conds.get("ContainersReady") == "True"
                    and conds.get("Ready") == "False"
                ):
                    try:
                        self.kube.call(
                            "PATCH",
                            f"/api/v1/namespaces/{self.namespace}/pods/{p['metadata']['name']}/status",
                            {"status": {"conditions": [{"type": "Ready", "status": "True"}]}},
                            content_type="application/strategic-merge-patch+json",
                            retry_seconds=5,
                        )
                        self.repaired += 1
                    except Exception:
                        pass


def leader(b):
    """Two replicas with leader election; the leader SIGKILLed mid-burst (and not restarted)."""
    n = b.opts.fault_count
    ns = _fault_namespace(b, "leader", n)
    ops = b.start_operators(2)
    holder, since = wait_leader(b, ops, 120)
    say(f"leader: {holder.name} holds the lease after {since:.1f}s")
    injected = []

    def kill_leader(t0):
        while not b.tracker.ready_at and time.monotonic() - t0 < 60:
            time.sleep(0.05)  # the leader is working
        time.sleep(b.rng.uniform(0, 2.0))
        lead, _ = wait_leader(b, ops, 60)
        at, ready = time.monotonic() - t0, len(b.tracker.ready_at)
        lead.kill()
        t_kill = time.monotonic()
        standby = next(o for o in ops if o is not lead)
        new, _ = wait_leader(b, [standby], 300, exclude=lead)
        injected.append(
            {
                "killed": lead.name,
                "at_s": round(at, 2),
                "new_leader": new.name,
                "ready_at_kill": ready,
                "takeover_s": round(time.monotonic() - t_kill, 1),
            }
        )
        say(f"leader: killed {lead.name} at {at:.1f}s; {new.name} took over after {injected[-1]['takeover_s']}s")

    names, _created, tracker, secs = b.burst(ns, n, "l", with_pvc=True, during=kill_leader)
    tracker.stop()
    report = b.verify(ns, names, True, "leader")
    survivors = [o for o in ops if o.alive()]
    if len(survivors) != 1:
        raise CheckFailed(f"leader: expected exactly the standby alive, found {[o.name for o in survivors]}")
    b.stop_operators()
    b.operators = []
    return {"instances": n, "replicas": 2, "faults": injected, "all_ready_s": round(secs, 1), "verify": report}


def wait_leader(b, ops, timeout, exclude=None):
    """Which replica leads: the Lease's holderIdentity names it (replicas are started with POD_NAME=<name>)."""
    lease_ns, lease_name = b.opts.lease.split("/", 1)
    deadline, t0 = time.monotonic() + timeout, time.monotonic()
    while time.monotonic() < deadline:
        lease = b.kube.get("leases", lease_ns, lease_name)
        holder = ((lease or {}).get("spec") or {}).get("holderIdentity") or ""
        for op in ops:
            if op is not exclude and op.name and op.name in holder and op.alive():
                return op, time.monotonic() - t0
        time.sleep(0.2)
    raise CheckFailed(f"no replica of {[o.name for o in ops]} holds lease {b.opts.lease} after {timeout}s")


def malformed(b):
    b.ensure_operator()
    return run_corpus(b, b.opts.bad, b.opts.good)


def smoke(b):
    """CI: 20 instances (with claims) while the operator is SIGKILLed once, then 5 malformed among valid ones."""
    n = b.opts.fault_count
    ns = _fault_namespace(b, "smoke", n)
    b.ensure_operator()
    injected = []

    def killer(t0):
        while not b.tracker.ready_at and time.monotonic() - t0 < 60:
            time.sleep(0.05)  # the operator is working
        op = b.operator
        pid = op.pid
        op.kill()
        op.start()
        injected.append({"at_s": round(time.monotonic() - t0, 2), "killed_pid": pid})
        say(f"smoke: operator pid {pid} SIGKILLed and restarted (pid {op.pid})")

    names, _created, tracker, secs = b.burst(ns, n, "s", with_pvc=True, during=killer)
    ready_at = w.ready_times(b.burst_started, tracker, names)
    tracker.stop()
    report = b.verify(ns, names, True, "smoke")
    corpus = run_corpus(b, b.opts.bad, b.opts.good)
    return {
        "instances": n,
        "faults": injected,
        "all_ready_s": round(secs, 1),
        "ready_at_s": ready_at,
        "verify": report,
        "malformed": corpus,
    }


SCENARIOS = {
    "latency": latency,
    "burst": burst,
    "idle": idle,
    "memory": memory,
    "kill": kill,
    "apiserver": apiserver,
    "leader": leader,
    "malformed": malformed,
    "smoke": smoke,
    "requests": requests,
    "floor": floor,
    "culling": lambda b: _culling(b, settle, audit_requests, write_requests),
    "hub": hubbench.hub,
    "kubeflow": kubeflow.kubeflow,
    "peer-memory": peermemory.peer_memory,
}
