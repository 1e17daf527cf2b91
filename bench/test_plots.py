"""Unit tests of which plots a result gives and of the Ready times they are drawn from (no matplotlib needed):
python3 -m unittest discover -s bench"""

import json
import os
import types
import unittest

from jnobench import plots
from jnobench.workload import ready_times

HERE = os.path.dirname(os.path.abspath(__file__))


class ReadyTimesTest(unittest.TestCase):
    def test_seconds_after_the_start_sorted_and_only_the_names_asked_for(self):
        tracker = types.SimpleNamespace(ready_at={"b": 12.5, "a": 10.25, "other": 11.0})
        self.assertEqual(ready_times(10.0, tracker, ["a", "b"]), [0.25, 2.5])
        self.assertEqual(ready_times(10.0, tracker), [0.25, 1.0, 2.5])


class FromResultTest(unittest.TestCase):
    def result(self, scenarios):
        return {"run_id": "r1", "started_utc": "2026-12-06T00:00:00Z", "versions": {}, "scenarios": scenarios}

    def test_the_hub_comparison_gives_ready_curves_and_spawn_times_per_user_count(self):
        def case(kind, ready, took):
            return {"spawner": kind, "users": 2, "ready_s": ready, "hub_took": {"all_s": took}}

        hub = {
            "floor-2": case("floor", [0.5, 1.0], [0.4, 0.5]),
            "kubespawner-2": case("kubespawner", [1.0, 2.0], [0.9, 1.1]),
            "operator-2": case("operator", [1.5, 2.5], [1.2, 1.4]),
            "fake_server": {"requests": 6},
        }
        by_name = {suffix: kwargs for suffix, _, kwargs in plots.from_result(self.result({"hub": hub}))}
        self.assertEqual(sorted(by_name), ["hub2-latency", "hub2-ready"])
        self.assertEqual(
            by_name["hub2-ready"]["series"],
            {
                "hub alone": [0.5, 1.0],
                "KubeSpawner 7.1.0": [1.0, 2.0],
                "NotebookInstanceSpawner + this operator": [1.5, 2.5],
            },
        )
        self.assertEqual(by_name["hub2-latency"]["series"]["KubeSpawner 7.1.0"], [900.0, 1100.0])

    def test_kubeflow_is_drawn_next_to_this_operators_burst_and_memory(self):
        scenarios = {
            "burst": {"count": 2, "direct_pods": {"ready_at_s": [1.0, 2.0]}, "instances": {"ready_at_s": [1.5, 3.0]}},
            "memory": {
                "levels": [
                    {
                        "ready_instances": 2,
                        "rss_mib": 100.0,
                        "rss_after_full_gc_mib": 99.0,
                        "heap_live_after_full_gc_mib": 20.0,
                    }
                ]
            },
            "kubeflow": {
                "burst": {"count": 2, "ready_s": [4.0, 9.0]},
                "memory": [{"ready_notebooks": 2, "rss_mib": 60.0}],
            },
        }
        by_name = {suffix: kwargs for suffix, _, kwargs in plots.from_result(self.result(scenarios))}
        self.assertEqual(by_name["peers-ready"]["series"]["Kubeflow notebook controller 1.10.0"], [4.0, 9.0])
        self.assertEqual(by_name["peers-ready"]["series"]["instances (this operator)"], [1.5, 3.0])
        self.assertEqual(
            by_name["peers-memory"]["series"],
            {"this operator: RSS": [(2, 100.0)], "Kubeflow notebook controller 1.10.0: RSS": [(2, 60.0)]},
        )

    def test_a_burst_with_ready_times_gives_the_ready_curve_with_the_floor(self):
        burst = {
            "count": 2,
            "direct_pods": {"ready_at_s": [1.0, 2.0], "latency": {"all_ms": [900.0, 1900.0]}},
            "instances": {"ready_at_s": [1.5, 3.0], "latency": {"all_ms": [1400.0, 2900.0]}},
        }
        made = plots.from_result(self.result({"burst": burst, "floor": {"ready_at_s": [0.5, 1.0]}}))
        by_name = {suffix: (function, kwargs) for suffix, function, kwargs in made}
        self.assertEqual(sorted(by_name), ["burst-latency", "burst-ready"])
        function, kwargs = by_name["burst-ready"]
        self.assertEqual(function, "ready_over_time")
        self.assertEqual(
            kwargs["series"],
            {
                "direct Pods": [1.0, 2.0],
                "instances (this operator)": [1.5, 3.0],
                "protocol floor (no operator)": [0.5, 1.0],
            },
        )
        self.assertIn("run r1", kwargs["note"])

    def test_the_committed_results_give_latency_and_memory_plots(self):
        with open(os.path.join(HERE, "results", "lat3.json")) as f:
            latency = plots.from_result(json.load(f))
        with open(os.path.join(HERE, "results", "perf11.json")) as f:
            perf = plots.from_result(json.load(f))
        self.assertEqual([p[0] for p in latency], ["latency"])
        self.assertEqual(len(latency[0][2]["series"]["instances (this operator)"]), 100)
        # perf11 predates per-object Ready times: no Ready curve, but its latencies and memory levels
        self.assertEqual(sorted(p[0] for p in perf), ["burst-latency", "memory"])
        memory = dict((p[0], p[2]) for p in perf)["memory"]
        self.assertEqual([x for x, _ in memory["series"]["RSS"]], [1000, 5000, 10000])

    def test_a_smoke_run_marks_its_kill(self):
        smoke = {"instances": 3, "ready_at_s": [1.0, 2.0, 4.0], "faults": [{"at_s": 1.5, "killed_pid": 7}]}
        ((suffix, function, kwargs),) = plots.from_result(self.result({"smoke": smoke}))
        self.assertEqual((suffix, function), ("smoke-ready", "ready_over_time"))
        self.assertEqual(kwargs["marks"], [(1.5, "operator killed")])


class TogetherTest(unittest.TestCase):
    def test_two_runs_become_one_with_the_scenarios_of_both_and_the_first_one_kept(self):
        a = {"run_id": "a", "started_utc": "t0", "scenarios": {"burst": {"n": 1}, "memory": {"n": 1}}}
        b = {"run_id": "b", "started_utc": "t1", "scenarios": {"kubeflow": {"n": 2}, "burst": {"n": 2}}}
        merged = plots.together([a, b])
        self.assertEqual(merged["run_id"], "a+b")
        self.assertEqual(merged["started_utc"], "t0")
        self.assertEqual(merged["scenarios"], {"burst": {"n": 1}, "memory": {"n": 1}, "kubeflow": {"n": 2}})
        self.assertEqual(a["scenarios"], {"burst": {"n": 1}, "memory": {"n": 1}})  # the inputs are left alone


if __name__ == "__main__":
    unittest.main()
