"""Unit tests of the harness's own arithmetic and parsing (no cluster): python3 -m unittest discover -s bench"""

import importlib.machinery
import importlib.util
import json
import os
import tempfile
import threading
import time
import types
import unittest

from jnobench import audit, scenarios
from jnobench.audit import audit_requests, requests_by_client
from jnobench.verify import verify_namespace
from jnobench.workload import INSTANCE_LABEL, stats_ms

HERE = os.path.dirname(os.path.abspath(__file__))


def load_script(name):
    loader = importlib.machinery.SourceFileLoader(name, os.path.join(HERE, name))
    spec = importlib.util.spec_from_loader(name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


class StatsTest(unittest.TestCase):
    def test_nearest_rank_percentiles_in_milliseconds(self):
        s = stats_ms([i / 1000 for i in range(1, 101)])  # 1..100 ms
        self.assertEqual(s["n"], 100)
        self.assertEqual(s["median_ms"], 50.5)
        self.assertEqual(s["p90_ms"], 90.0)
        self.assertEqual(s["p99_ms"], 99.0)
        self.assertEqual(s["max_ms"], 100.0)

    def test_one_outlier_is_the_p99_of_a_hundred(self):
        s = stats_ms([0.01] * 99 + [2.0])
        self.assertEqual(s["median_ms"], 10.0)
        self.assertEqual(s["p99_ms"], 10.0)
        self.assertEqual(s["max_ms"], 2000.0)

    def test_empty(self):
        self.assertEqual(stats_ms([]), {})


class AuditTest(unittest.TestCase):
    def test_counts_by_verb_resource_and_namespace_from_an_offset(self):
        lines = [
            {"verb": "create", "objectRef": {"resource": "pods", "namespace": "a"}, "responseStatus": {"code": 201}},
            {
                "verb": "patch",
                "objectRef": {"resource": "x", "subresource": "status", "namespace": "a"},
                "responseStatus": {"code": 409},
            },
            {
                "verb": "patch",
                "objectRef": {"resource": "x", "subresource": "status", "namespace": "b"},
                "responseStatus": {"code": 200},
            },
        ]
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            f.write("not json\n")
            offset = f.tell()
            for line in lines:
                f.write(json.dumps(line) + "\n")
        try:
            self.assertEqual(audit_requests(f.name, offset), {"create pods": 1, "patch x/status": 2})
            self.assertEqual(audit_requests(f.name, 0, "a"), {"create pods 201": 1, "patch x/status 409": 1})
            self.assertEqual(audit_requests(f.name + ".missing", 0), {})
        finally:
            os.unlink(f.name)

    def test_requests_by_client_names_the_control_plane_and_counts_one_user(self):
        events = [
            {
                "verb": "create",
                "objectRef": {"resource": "pods", "namespace": "a"},
                "user": {"username": "jno-bench-hub"},
            },
            {
                "verb": "create",
                "objectRef": {"resource": "pods", "namespace": "a"},
                "user": {"username": "jno-bench-hub"},
            },
            {
                "verb": "update",
                "objectRef": {"resource": "statefulsets", "subresource": "status", "namespace": "a"},
                "user": {"username": "system:serviceaccount:kube-system:statefulset-controller"},
            },
            {"verb": "patch", "objectRef": {"resource": "pods", "namespace": "b"}, "user": {"username": "kwok"}},
        ]
        self.assertEqual(
            requests_by_client(events, "a"),
            {"controller-manager/statefulset-controller": {"update statefulsets/status": 1}, "hub": {"create pods": 2}},
        )
        self.assertEqual(audit.count_requests(events, user="kwok"), {"patch pods": 1})

    def test_a_rotated_log_fails_the_measurement_instead_of_reading_nothing(self):
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            f.write(json.dumps({"verb": "create", "objectRef": {"resource": "events"}}) + "\n")
        try:
            # the reader had got further than the file now is: it was rotated (kube-apiserver's 100 MB default)
            with self.assertRaisesRegex(audit.CheckFailed, "rotated"):
                audit_requests(f.name, os.path.getsize(f.name) + 1000)
        finally:
            os.unlink(f.name)


class SettleTest(unittest.TestCase):
    """settle() waits until the operator has written nothing for QUIET_SECONDS, and counts what it wrote."""

    def setUp(self):
        self.quiet = audit.QUIET_SECONDS
        audit.QUIET_SECONDS = 1.5

    def tearDown(self):
        audit.QUIET_SECONDS = self.quiet

    def test_waits_out_late_writes_and_counts_only_those_after_it_began(self):
        write = {"verb": "create", "objectRef": {"resource": "events"}, "user": {"username": "jno-bench-operator"}}
        other = {"verb": "patch", "objectRef": {"resource": "pods"}, "user": {"username": "kwok"}}
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            f.write(json.dumps(write) + "\n")  # before settling: not counted
        b = types.SimpleNamespace(
            opts=types.SimpleNamespace(settle_seconds=0),
            cluster=types.SimpleNamespace(
                audit_enabled=lambda: True, audit_log=f.name, audit_log_end=lambda: os.path.getsize(f.name)
            ),
        )

        def late_writes():
            for entry in (write, other, write, {"verb": "watch", "objectRef": {"resource": "pods"}}):
                time.sleep(0.7)
                with open(f.name, "a") as log:
                    log.write(json.dumps(entry) + "\n")

        writer = threading.Thread(target=late_writes)
        try:
            writer.start()
            settled = scenarios.settle(b)
            writer.join()
            # only the operator's writes count (kwok's patch is another client's)
            self.assertEqual(settled["writes_while_settling"], {"create events": 2})
            self.assertTrue(settled["settled"])
            self.assertGreaterEqual(settled["extra_s"], 2.1 + 1.5)  # the operator's last write came at 2.1 s
        finally:
            os.unlink(f.name)


class FakeKube:
    def __init__(self, objects):
        self.objects = objects

    def list(self, resource, namespace=None, *a, **kw):
        return self.objects.get(resource, []), "1"


def inst(name, uid, phase="Ready"):
    return {"metadata": {"name": name, "uid": uid}, "status": {"phase": phase}}


def pod(name, instance, owner_uid, ready=True):
    return {
        "metadata": {
            "name": name,
            "labels": {INSTANCE_LABEL: instance},
            "ownerReferences": [{"uid": owner_uid, "controller": True}] if owner_uid else [],
        },
        "status": {"conditions": [{"type": "Ready", "status": "True" if ready else "False"}]},
    }


class VerifyTest(unittest.TestCase):
    def test_clean_namespace_passes(self):
        kube = FakeKube(
            {
                "jupyternotebookinstances": [inst("a", "1"), inst("b", "2")],
                "pods": [pod("pa", "a", "1"), pod("pb", "b", "2")],
            }
        )
        self.assertTrue(verify_namespace(kube, "ns", ["a", "b"], False)["ok"])

    def test_duplicate_orphan_missing_and_not_ready_are_all_reported(self):
        kube = FakeKube(
            {
                "jupyternotebookinstances": [inst("a", "1"), inst("b", "2", "Provisioning"), inst("c", "3")],
                "pods": [pod("pa", "a", "1"), pod("pa2", "a", "1"), pod("px", "b", None)],
            }
        )
        r = verify_namespace(kube, "ns", ["a", "b", "c"], False)
        self.assertFalse(r["ok"])
        text = " ".join(r["problems"])
        for expected in (
            "1 instances not Ready",
            "instances_with_duplicate_pods: 1",
            "instances_without_pod: 1",
            "pods_not_owned_by_an_instance: 1",
        ):
            self.assertIn(expected, text)

    def test_claims_are_counted_when_asked(self):
        kube = FakeKube(
            {"jupyternotebookinstances": [inst("a", "1")], "pods": [pod("pa", "a", "1")], "persistentvolumeclaims": []}
        )
        r = verify_namespace(kube, "ns", ["a"], True)
        self.assertFalse(r["ok"])
        self.assertIn("instances_without_pvc: 1", " ".join(r["problems"]))


class ReportTest(unittest.TestCase):
    def test_requote_puts_jvm_options_back_in_one_argument(self):
        report = load_script("report")
        self.assertEqual(
            report.requote("bench/scale --jvm-args -Xmx1g -XX:+ExitOnOutOfMemoryError --keep memory"),
            'bench/scale --jvm-args "-Xmx1g -XX:+ExitOnOutOfMemoryError" --keep memory',
        )
        already = "bench/scale --jvm-args '-Xmx1g -XX:+A' memory"
        self.assertEqual(report.requote(already), already)


def _write(t_ms, user, verb, resource, name, took_ms=5, namespace="ns"):
    """An audit event of a write at t_ms (milliseconds after 12:00:00 UTC) lasting took_ms."""

    def ts(ms):
        return f"2026-12-06T12:00:{ms / 1000:09.6f}Z"

    res, _, sub = resource.partition("/")
    ref = {"resource": res, "namespace": namespace, "name": name, **({"subresource": sub} if sub else {})}
    return {
        "verb": verb,
        "user": {"username": user},
        "objectRef": ref,
        "requestReceivedTimestamp": ts(t_ms),
        "stageTimestamp": ts(t_ms + took_ms),
    }


class HubStepsTest(unittest.TestCase):
    def test_each_step_of_an_operator_spawn_from_the_audit_log(self):
        from jnobench import hubsteps
        from jnobench.cluster import HUB_USER, OPERATOR_USER

        events = [
            _write(100, HUB_USER, "create", "secrets", "jupyter-u00001-env"),
            _write(300, HUB_USER, "create", "jupyternotebookinstances", "jupyter-u00001"),
            _write(400, OPERATOR_USER, "create", "pods", "jupyter-u00001"),
            _write(500, "system:kube-scheduler", "create", "pods/binding", "jupyter-u00001"),
            _write(600, "kwok", "patch", "pods/status", "jupyter-u00001"),
            _write(700, OPERATOR_USER, "patch", "jupyternotebookinstances/status", "jupyter-u00001"),
            _write(700, HUB_USER, "create", "secrets", "other-namespace", namespace="x"),
        ]
        wall0 = 1796558400.0  # 2026-12-06T12:00:00Z
        steps = hubsteps.spawn_steps(events, "ns", {"u00001": (0.0, 1.2)}, wall0, "operator")
        self.assertEqual(steps["post_to_first_hub_write"]["median_ms"], 100.0)
        self.assertEqual(steps["secret_create_to_instance_create"]["median_ms"], 200.0)
        self.assertEqual(steps["instance_created_to_pod_create"]["median_ms"], 95.0)
        self.assertEqual(steps["pod_create_to_bound"]["median_ms"], 100.0)
        self.assertEqual(steps["bound_to_ready_written"]["median_ms"], 100.0)
        self.assertEqual(steps["ready_written_to_status_write"]["median_ms"], 95.0)
        self.assertEqual(steps["status_written_to_answer"]["median_ms"], 495.0)
        self.assertEqual(steps["post_total"]["median_ms"], 1200.0)
        self.assertEqual(steps["operator_status_writes_per_spawn"], 1.0)

    def test_kubespawner_spawn_ends_at_the_pods_ready(self):
        from jnobench import hubsteps
        from jnobench.cluster import HUB_USER

        events = [
            _write(50, HUB_USER, "create", "pods", "jupyter-u00002"),
            _write(80, "system:kube-scheduler", "create", "pods/binding", "jupyter-u00002"),
            _write(120, "kwok", "patch", "pods/status", "jupyter-u00002"),
        ]
        steps = hubsteps.spawn_steps(events, "ns", {"u00002": (0.0, 0.5)}, 1796558400.0, "kubespawner")
        self.assertEqual(steps["ready_written_to_answer"]["median_ms"], 375.0)
        self.assertNotIn("instance_created_to_pod_create", steps)


class PeerMemoryReportTest(unittest.TestCase):
    def test_table_and_summary_row_name_what_was_read(self):
        from jnobench import peer_report

        def side(rss, ready, extra):
            return {
                "created_in_s": 500.0,
                "rss_samples": [[15.0, rss - 10, 0], [30.0, rss + 5, ready]],
                "at_settle": {"rss_mib": rss, "objects_ready": ready, "pods_ready": ready, **extra},
            }

        pm = {
            "count": 5000,
            "rate_per_s": 10,
            "settle_s": 180,
            "wait_s": 900,
            "operator": {
                **side(226.0, 5000, {"heap_live_after_full_gc": {"used_mib": 63.0}}),
                "all_ready_after_s": 690,
            },
            "kubeflow": side(300.0, 1200, {"go": {"go_memstats_heap_inuse_bytes": 150.0}}),
        }
        table = "\n".join(peer_report.peer_memory_section(pm))
        self.assertIn("| this operator | 500 | 226, 5,000 / 5,000 | 690 | -, 226, 5,000 / 5,000 | 63.0 | 231 |", table)
        self.assertIn("| Kubeflow notebook controller 1.10.0 | 500 | 300, 1,200 / 1,200 | not within the wait |", table)
        self.assertIn("| 150.0 | 305 |", table)  # Go's heap in use; the peak of the RSS samples
        pm["kubeflow"]["at_wait_end"] = {"rss_mib": 310.0, "objects_ready": 4500, "pods_ready": 5000}
        rows = peer_report.summary([{"scenarios": {"peer-memory": pm}}])
        self.assertIn(
            "| controller RSS holding 5,000 (created at 10/s; read when all were Ready, else at the end of the wait) | "
            "226 MiB (1.00×) | - | 310 MiB (1.37×) | - |",
            rows,
        )


if __name__ == "__main__":
    unittest.main()
