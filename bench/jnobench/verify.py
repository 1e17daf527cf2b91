"""After every scenario: every instance Ready, exactly one notebook pod (and claim) per instance, nothing orphaned."""

from collections import Counter

from .workload import INSTANCE_LABEL, instance_phase, pod_ready


def verify_namespace(kube, namespace, expected, with_pvc):
    """Counts what is in the namespace now. `expected` = names of instances that must be Ready."""
    instances, _ = kube.list("jupyternotebookinstances", namespace)
    pods, _ = kube.list("pods", namespace)
    by_name = {i["metadata"]["name"]: i for i in instances}
    uids = {i["metadata"]["uid"]: i["metadata"]["name"] for i in instances}
    phases = Counter(instance_phase(by_name[n]) or "None" for n in expected if n in by_name)

    pods = [p for p in pods if not p["metadata"]["labels"].get(INSTANCE_LABEL, "").startswith("direct-")]
    pods_per = Counter(p["metadata"]["labels"].get(INSTANCE_LABEL) for p in pods)
    controllers = Counter()
    orphan_pods = []
    for p in pods:
        owners = [o for o in p["metadata"].get("ownerReferences") or [] if o.get("controller")]
        if not owners or owners[0]["uid"] not in uids:
            orphan_pods.append(p["metadata"]["name"])
        else:
            controllers[uids[owners[0]["uid"]]] += 1
    report = {
        "instances_expected": len(expected),
        "instances_found": sum(1 for n in expected if n in by_name),
        "instances_ready": phases.get("Ready", 0),
        "phases": dict(phases),
        "pods": len(pods),
        "pods_ready": sum(1 for p in pods if pod_ready(p)),
        "instances_without_pod": sorted(n for n in expected if pods_per.get(n, 0) == 0),
        "instances_with_duplicate_pods": sorted(n for n, c in pods_per.items() if c > 1),
        "pods_not_owned_by_an_instance": sorted(orphan_pods),
        "pods_of_unknown_instances": sorted(n for n in pods_per if n not in by_name),
    }
    if with_pvc:
        pvcs, _ = kube.list("persistentvolumeclaims", namespace)
        pvcs_per = Counter(c["metadata"].get("labels", {}).get(INSTANCE_LABEL) for c in pvcs)
        report.update(
            {
                "pvcs": len(pvcs),
                "pvcs_bound": sum(1 for c in pvcs if (c.get("status") or {}).get("phase") == "Bound"),
                "instances_without_pvc": sorted(n for n in expected if pvcs_per.get(n, 0) == 0),
                "instances_with_duplicate_pvcs": sorted(n for n, c in pvcs_per.items() if c > 1),
            }
        )
    problems = []
    if report["instances_ready"] != len(expected):
        problems.append(f"{len(expected) - report['instances_ready']} instances not Ready ({dict(phases)})")
    for key in (
        "instances_without_pod",
        "instances_with_duplicate_pods",
        "pods_not_owned_by_an_instance",
        "pods_of_unknown_instances",
        "instances_without_pvc",
        "instances_with_duplicate_pvcs",
    ):
        if report.get(key):
            problems.append(f"{key}: {len(report[key])} (e.g. {report[key][:5]})")
    if report["pods"] != len(expected):
        problems.append(f"{report['pods']} pods for {len(expected)} instances")
    if with_pvc and report["pvcs"] != len(expected):
        problems.append(f"{report['pvcs']} claims for {len(expected)} instances")
    # Lists are long at scale: keep counts in the result, names only in the problem messages.
    for key in list(report):
        if isinstance(report[key], list):
            report[key] = len(report[key])
    report["problems"] = problems
    report["ok"] = not problems
    return report
