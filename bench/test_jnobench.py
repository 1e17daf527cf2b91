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


if __name__ == "__main__":
    unittest.main()
