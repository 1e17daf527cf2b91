"""The culling benchmark: many Ready servers whose template has an idle limit and an activity probe at its minimum
interval (10 s), answered by one stand-in HTTP server listening on every loopback address (kwok gives each pod a
loopback IP, so it answers each pod's probe as that pod's jupyter-server would: /api/status with last_activity).

Three windows, each measured with the operator's CPU and its API requests (the audit log):
  steady  every server reports the same last activity (idle, far from the limit): the operator must write nothing;
  busy    every server reports activity at every probe: status.lastActivity follows at its resolution;
  cull    every server reports activity long past the idle limit: all are suspended; how long that takes.
"""

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import workload as w
from .log import CheckFailed, say

TOKEN = "bench-probe-token"
IDLE_LIMIT_SECONDS = 1200  # the lastActivity resolution is max(interval, limit / 12) = 100 s
PROBE_INTERVAL_SECONDS = 10  # the CRD's minimum


class ActivityServer(ThreadingHTTPServer):
    """Answers GET /api/status on every address of the port; `mode` chooses the last_activity it reports."""

    daemon_threads = True
    request_queue_size = 1024

    def __init__(self):
        super().__init__(("0.0.0.0", 0), _Handler)
        self.mode = "steady"
        self.steady_at = datetime.now(UTC) - timedelta(seconds=120)
        self.answered = 0
        self.refused = 0
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def last_activity(self):
        now = datetime.now(UTC)
        if self.mode == "busy":
            return now
        if self.mode == "cull":
            return now - timedelta(seconds=2 * IDLE_LIMIT_SECONDS)
        return self.steady_at

    def count(self, ok):
        with self.lock:
            if ok:
                self.answered += 1
            else:
                self.refused += 1


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        server = self.server
        if self.headers.get("Authorization") != f"token {TOKEN}":
            server.count(False)
            self.send_response(403)
            self.end_headers()
            return
        body = json.dumps(
            {"last_activity": server.last_activity().isoformat().replace("+00:00", "Z"), "connections": 0}
        ).encode()
        server.count(True)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def template(port):
    t = w.template("culled", False)
    t["spec"]["policy"]["lifecycle"] = {
        "idleLimitSeconds": IDLE_LIMIT_SECONDS,
        "activityProbe": {
            "intervalSeconds": PROBE_INTERVAL_SECONDS,
            "port": port,
            "path": "/api/status",
            "tokenSecretRef": {"name": "probe-token"},
        },
    }
    return t


def culling(b, settle, audit_requests, write_requests):
    """Runs the three windows against opts.burst_count Ready instances; returns the figures."""

    if not b.cluster.audit_enabled():
        raise CheckFailed("culling needs the API server's audit log: run `bench/scale audit-on` first")
    n = b.opts.burst_count
    window = b.opts.idle_seconds
    b.cluster.ensure_pod_capacity(n + 50)
    b.ensure_operator()
    server = ActivityServer()
    port = server.server_address[1]
    ns = b.namespace("culling")
    b.kube.create(
        "secrets",
        ns,
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "probe-token"}, "stringData": {"token": TOKEN}},
    )
    b.kube.create("jupyternotebookinstancetemplates", ns, template(port))
    _names, _, tracker, ready_s = b.burst(ns, n, "c", template="culled")
    tracker.stop()
    say(f"culling: {n} instances Ready in {ready_s:.0f}s; the stand-in answers probes on port {port}")

    def probed():
        items, _ = b.kube.list("jupyternotebookinstances", ns)
        return sum(
            1
            for i in items
            if any(
                c.get("type") == "ActivityKnown" and c.get("status") == "True"
                for c in (i.get("status") or {}).get("conditions") or []
            )
            and (i.get("status") or {}).get("idleSince")
        )

    deadline = time.monotonic() + 600
    while (known := probed()) < n:
        if time.monotonic() > deadline:
            raise CheckFailed(f"culling: only {known}/{n} instances probed and idle after 600s")
        say(f"  {known}/{n} instances probed (ActivityKnown, idleSince)")
        time.sleep(10)
    settled = settle(b)
    result = {
        "count": n,
        "probe_interval_s": PROBE_INTERVAL_SECONDS,
        "idle_limit_s": IDLE_LIMIT_SECONDS,
        "ready_s": round(ready_s, 1),
        "settled": settled,
    }

    def measure(mode, seconds):
        server.mode = mode
        op = b.operator
        offset = b.cluster.audit_log_end()
        cpu0, answered0, t0 = op.cpu_seconds(), server.answered, time.monotonic()
        time.sleep(seconds)
        secs = time.monotonic() - t0
        requests = audit_requests(b.cluster.audit_log, offset)
        writes = {k: v for k, v in write_requests(requests).items() if "leases" not in k}
        b.check_operators_alive(f"culling {mode}")
        figures = {
            "window_s": round(secs, 1),
            "operator_cpu_s": round(op.cpu_seconds() - cpu0, 2),
            "operator_cpu_percent_of_one_core": round(100 * (op.cpu_seconds() - cpu0) / secs, 2),
            "probes_answered": server.answered - answered0,
            "probes_per_s": round((server.answered - answered0) / secs, 1),
            "api_requests": requests,
            "api_writes": sum(writes.values()),
            "api_writes_per_min": round(60 * sum(writes.values()) / secs, 1),
            "rss_mib": round(op.rss_mib(), 1),
        }
        say(f"culling {mode}: {json.dumps(figures)}")
        return figures

    result["steady"] = measure("steady", window)
    if result["steady"]["api_writes"]:
        raise CheckFailed(f"culling: the operator wrote while nothing changed: {result['steady']['api_requests']}")
    result["busy"] = measure("busy", window)

    server.mode = "cull"
    offset = b.cluster.audit_log_end()
    cpu0, t0 = b.operator.cpu_seconds(), time.monotonic()
    suspended_at = {}

    def count_suspended():
        items, _ = b.kube.list("jupyternotebookinstances", ns)
        for i in items:
            if (i.get("status") or {}).get("phase") == "Suspended":
                suspended_at.setdefault(i["metadata"]["name"], time.monotonic() - t0)
        return len(suspended_at)

    # Idleness counts from the pod's creation at the earliest (a server cannot have been idle before it ran), so the
    # last pods are due IDLE_LIMIT_SECONDS after they were created, whatever the stand-in reports.
    pods, _ = b.kube.list("pods", ns)
    newest = max(datetime.fromisoformat(p["metadata"]["creationTimestamp"].replace("Z", "+00:00")) for p in pods)
    due_in = (newest + timedelta(seconds=IDLE_LIMIT_SECONDS) - datetime.now(UTC)).total_seconds()
    result["cull_due_in_s"] = round(max(0.0, due_in), 1)
    say(f"culling: every server reports no activity for {2 * IDLE_LIMIT_SECONDS}s; the last is due in {due_in:.0f}s")
    deadline = t0 + max(0.0, due_in) + 600
    while count_suspended() < n:
        if time.monotonic() > deadline:
            raise CheckFailed(f"culling: only {len(suspended_at)}/{n} suspended {time.monotonic() - t0:.0f}s on")
        time.sleep(2)
    secs = time.monotonic() - t0
    requests = audit_requests(b.cluster.audit_log, offset)
    writes = {k: v for k, v in write_requests(requests).items() if "leases" not in k}
    times = sorted(suspended_at.values())
    result["cull"] = {
        "all_suspended_s": round(secs, 1),
        "first_suspended_s": round(times[0], 1),
        "median_suspended_s": round(times[len(times) // 2], 1),
        "operator_cpu_s": round(b.operator.cpu_seconds() - cpu0, 2),
        "api_requests": requests,
        "api_writes": sum(writes.values()),
        "api_writes_per_min": round(60 * sum(writes.values()) / secs, 1),
    }
    pods, _ = b.kube.list("pods", ns)
    result["cull"]["pods_left"] = len(pods)
    say(f"culling cull: {json.dumps(result['cull'])}")
    server.shutdown()
    return result
