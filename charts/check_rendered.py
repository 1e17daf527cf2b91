#!/usr/bin/env python3
"""Assertions on `helm template` output of the jupyter-notebook-operator chart, one value set at a time.

    check_rendered.py <case> <release-namespace> <rendered.yaml> <repo-root>

Each case checks what its values must produce; every case also checks the invariants of the least-privilege
design (no Secret listing, no wildcards, the operator deletes only pods, services and instances; nothing on pods for
the hub).
Exits 1 with every failed check listed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

GROUP = "kubespawner.jupyterhub.org"
OPERATOR_RULES = [
    {"apiGroups": [""], "resources": ["pods", "services"], "verbs": ["get", "list", "watch", "create", "delete"]},
    {"apiGroups": [""], "resources": ["persistentvolumeclaims"], "verbs": ["get", "list", "watch", "create"]},
    {"apiGroups": ["networking.k8s.io"], "resources": ["networkpolicies"], "verbs": ["get", "list", "watch", "create"]},
    {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]},
    {"apiGroups": [GROUP], "resources": ["jupyternotebookinstances"], "verbs": ["get", "list", "watch", "delete"]},
    {"apiGroups": [GROUP], "resources": ["jupyternotebookinstancetemplates"], "verbs": ["get", "list", "watch"]},
    {
        "apiGroups": [GROUP],
        "resources": ["jupyternotebookinstances/status", "jupyternotebookinstancetemplates/status"],
        "verbs": ["patch"],
    },
    {"apiGroups": [GROUP], "resources": ["jupyternotebookinstances/finalizers"], "verbs": ["update"]},
    {"apiGroups": ["events.k8s.io"], "resources": ["events"], "verbs": ["create", "patch"]},
    {
        "apiGroups": [GROUP],
        "resources": ["jupyternotebookaccesses", "jupyternotebookquotas"],
        "verbs": ["get", "list", "watch"],
    },
]
HUB_RULES = [
    {
        "apiGroups": [GROUP],
        "resources": ["jupyternotebookinstances"],
        "verbs": ["create", "get", "list", "watch", "patch", "delete"],
    },
    {"apiGroups": [GROUP], "resources": ["jupyternotebookinstancetemplates"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": ["events.k8s.io"], "resources": ["events"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": [""], "resources": ["events"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": [""], "resources": ["secrets"], "verbs": ["create", "delete"]},
    {
        "apiGroups": [GROUP],
        "resources": ["jupyternotebookaccesses", "jupyternotebookquotas"],
        "verbs": ["get", "list", "watch"],
    },
]
# The hub reads templates and the access rules beside them where templates are kept apart.
HUB_TEMPLATE_RULES = [
    {"apiGroups": [GROUP], "resources": ["jupyternotebookinstancetemplates"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": [GROUP], "resources": ["jupyternotebookaccesses"], "verbs": ["get", "list", "watch"]},
]

# Kubernetes' user-facing roles, extended by the chart's aggregated ClusterRoles (docs/helm-chart.md).
AGGREGATED = {
    "view": [
        {
            "apiGroups": [GROUP],
            "resources": [
                "jupyternotebookinstances",
                "jupyternotebookinstances/status",
                "jupyternotebookinstancetemplates",
                "jupyternotebookinstancetemplates/status",
                "jupyternotebookaccesses",
                "jupyternotebookquotas",
            ],
            "verbs": ["get", "list", "watch"],
        }
    ],
    "edit": [
        {
            "apiGroups": [GROUP],
            "resources": ["jupyternotebookinstances"],
            "verbs": ["create", "update", "patch", "delete", "deletecollection"],
        }
    ],
    "admin": [
        {
            "apiGroups": [GROUP],
            "resources": ["jupyternotebookinstancetemplates"],
            "verbs": ["create", "update", "patch", "delete", "deletecollection"],
        },
        {
            "apiGroups": [GROUP],
            "resources": ["jupyternotebookaccesses", "jupyternotebookquotas"],
            "verbs": ["create", "update", "patch", "delete", "deletecollection"],
        },
    ],
}

failures: list[str] = []


def check(condition: bool, message: str) -> None:
    if not condition:
        failures.append(message)


def find(objs, kind, name=None, namespace=None):
    return [
        o
        for o in objs
        if o["kind"] == kind
        and (name is None or o["metadata"]["name"] == name)
        and (namespace is None or o["metadata"].get("namespace") == namespace)
    ]


def one(objs, kind, name_suffix="", namespace=None):
    found = [o for o in find(objs, kind, namespace=namespace) if o["metadata"]["name"].endswith(name_suffix)]
    check(len(found) == 1, f"expected exactly one {kind} *{name_suffix} in {namespace}, got {len(found)}")
    return found[0] if found else {}


def env_of(deployment) -> dict:
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


# The operator's rules added by operator.extraObjects, per value set (after OPERATOR_RULES, in this order).
EXTRA_RULES = {
    "extra-objects": [
        {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "create"]},
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "create"]},
        {"apiGroups": ["gateway.networking.k8s.io"], "resources": ["httproutes"], "verbs": ["get", "create"]},
        {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["rolebindings"], "verbs": ["get", "create"]},
        {"apiGroups": ["ray.io"], "resources": ["rayclusters"], "verbs": ["get", "create"]},
        {
            "apiGroups": ["rbac.authorization.k8s.io"],
            "resources": ["clusterroles"],
            "verbs": ["bind"],
            "resourceNames": ["view"],
        },
        {
            "apiGroups": ["rbac.authorization.k8s.io"],
            "resources": ["roles"],
            "verbs": ["bind"],
            "resourceNames": ["notebook-reader"],
        },
    ],
}


def invariants(objs, ns, extra_rules=()):
    for o in objs:
        if o["kind"] in ("Role", "ClusterRole"):
            for rule in o.get("rules", []):
                check(
                    "*" not in rule.get("verbs", [])
                    and "*" not in rule.get("resources", [])
                    and "*" not in rule.get("apiGroups", []),
                    f"{o['kind']} {o['metadata']['name']} has a wildcard rule {rule}",
                )
            if o["metadata"]["name"].endswith("-operator"):
                check(
                    o["rules"] == OPERATOR_RULES + list(extra_rules),
                    f"operator rules of {o['metadata']['name']} differ: {o['rules']}",
                )
                for rule in o["rules"]:
                    check(
                        "secrets" not in rule["resources"] or rule["verbs"] in (["get"], ["get", "create"]),
                        "the operator may only get single Secrets (their metadata) and, when templates may make"
                        " Secrets, create them; never list or watch them",
                    )
                    check(
                        "delete" not in rule["verbs"]
                        or set(rule["resources"]) <= {"pods", "services", "jupyternotebookinstances"},
                        "the operator deletes only pods and services (suspend) and instances (a lifetime limit, an"
                        " access that ended); never claims, network policies or Secrets",
                    )
            if "-hub" in o["metadata"]["name"]:
                for rule in o["rules"]:
                    check(
                        not {"jupyternotebookaccesses", "jupyternotebookquotas"} & set(rule["resources"])
                        or set(rule["verbs"]) <= {"get", "list", "watch"},
                        f"the hub may read access rules and quotas, never write them: {o['metadata']['name']} {rule}",
                    )
            if o["metadata"]["name"].endswith("-hub-templates"):
                check(o["rules"] == HUB_TEMPLATE_RULES, f"hub template reader rules differ: {o['rules']}")
            if o["metadata"]["name"].endswith("-hub"):
                check(o["kind"] == "Role", "the hub gets namespaced Roles only")
                check(o["rules"] == HUB_RULES, f"hub rules in {o['metadata'].get('namespace')} differ: {o['rules']}")
    for d in find(objs, "Deployment"):
        pod = d["spec"]["template"]["spec"]
        c = pod["containers"][0]
        sc = c["securityContext"]
        check(pod["securityContext"].get("runAsNonRoot") is True, "the operator pod must run as non-root")
        check(
            pod["securityContext"].get("seccompProfile", {}).get("type") == "RuntimeDefault",
            "seccompProfile RuntimeDefault",
        )
        check(sc.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem")
        check(sc.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation false")
        check(sc.get("capabilities", {}).get("drop") == ["ALL"], "capabilities drop ALL")
        check(c["livenessProbe"]["httpGet"]["path"] == "/healthz", "liveness probe on /healthz")
        check(c["readinessProbe"]["httpGet"]["path"] == "/readyz", "readiness probe on /readyz")
        check("limits" in c["resources"] and "requests" in c["resources"], "resources set")
        check(
            env_of(d)["JNO_LEASE_NAMESPACE"] == {"fieldRef": {"fieldPath": "metadata.namespace"}},
            "the Lease lives in the operator's own namespace",
        )
    for o in objs:
        check(
            o["kind"] not in ("ClusterRole", "ClusterRoleBinding") or o["metadata"]["name"].startswith(ns + "-"),
            f"cluster-scoped {o['kind']} {o['metadata']['name']} must carry the release namespace in its name",
        )


def aggregated_roles(objs, ns):
    """The three aggregated ClusterRoles, exactly, and no binding of any of them."""
    for role, rules in AGGREGATED.items():
        found = one(objs, "ClusterRole", f"-{role}")
        labels = found.get("metadata", {}).get("labels", {})
        check(labels.get(f"rbac.authorization.k8s.io/aggregate-to-{role}") == "true", f"{role} role aggregates")
        check(found.get("rules") == rules, f"aggregated {role} rules differ: {found.get('rules')}")
        check(found.get("metadata", {}).get("name", "").startswith(ns + "-"), "named after the release namespace")
    check(not find(objs, "ClusterRoleBinding"), "the aggregated roles bind nobody")


def self_check_hook(objs, sa, sa_ns, namespaces, operator_url):
    """The helm test hook: the operator's image, as the hub, checking readiness and the hub's rights."""
    pod = one(objs, "Pod", "-self-check", sa_ns)
    meta, spec = pod.get("metadata", {}), pod.get("spec", {})
    check(meta.get("annotations", {}).get("helm.sh/hook") == "test", "the self-check Pod is a helm test hook")
    check(
        spec.get("serviceAccountName") == sa, f"the self-check runs as the hub ({sa}): {spec.get('serviceAccountName')}"
    )
    container = (spec.get("containers") or [{}])[0]
    deployment = find(objs, "Deployment")[0]
    check(
        container.get("image") == deployment["spec"]["template"]["spec"]["containers"][0]["image"],
        "the self-check runs with the operator's own image",
    )
    expected = ["self-check"] + ([f"--operator-url={operator_url}"] if operator_url else [])
    for namespace in namespaces:
        expected += [
            f"--may=create:jupyternotebookinstances.kubespawner.jupyterhub.org@{namespace}",
            f"--may-not=create:pods@{namespace}",
        ]
    check(container.get("args") == expected, f"self-check args: {container.get('args')} != {expected}")
    check(container.get("securityContext", {}).get("readOnlyRootFilesystem") is True, "hardened like the operator")


def instance_quota_rbac(objs, namespaces, sa, sa_ns, env):
    """The operator may get and patch the chart's instance quota, by name, where it is, and nothing else of quotas."""
    quota_name = "r-jupyter-notebook-operator-instances"
    role_ns = sorted(
        o["metadata"]["namespace"] for o in find(objs, "Role") if o["metadata"]["name"].endswith("-instance-quota")
    )
    check(role_ns == sorted(namespaces), f"an instance quota Role in each of {namespaces}, got {role_ns}")
    for o in find(objs, "Role"):
        if o["metadata"]["name"].endswith("-instance-quota"):
            check(
                o["rules"]
                == [
                    {
                        "apiGroups": [""],
                        "resources": ["resourcequotas"],
                        "resourceNames": [quota_name],
                        "verbs": ["get", "patch"],
                    }
                ],
                f"instance quota rules differ: {o['rules']}",
            )
    for b in find(objs, "RoleBinding"):
        if b["metadata"]["name"].endswith("-instance-quota"):
            check(
                b["subjects"] == [{"kind": "ServiceAccount", "name": sa, "namespace": sa_ns}]
                and b["roleRef"]["name"] == b["metadata"]["name"],
                f"instance quota binding: {b}",
            )
    for o in find(objs, "Role") + find(objs, "ClusterRole"):
        for rule in o.get("rules", []):
            check(
                "resourcequotas" not in rule.get("resources", []) or rule.get("resourceNames") == [quota_name],
                f"{o['metadata']['name']} reaches other quotas than the chart's: {rule}",
            )
    expected = ",".join(f"{n}/{quota_name}" for n in namespaces)
    check(
        env.get("JNO_INSTANCE_QUOTAS") == expected,
        f"JNO_INSTANCE_QUOTAS {env.get('JNO_INSTANCE_QUOTAS')} != {expected}",
    )


def bindings_point_to(objs, kind, sa, sa_ns):
    for b in find(objs, kind):
        if b["metadata"]["name"].endswith("-hub"):
            check(
                b["subjects"] == [{"kind": "ServiceAccount", "name": sa, "namespace": sa_ns}],
                f"hub binding subjects: {b['subjects']}",
            )


def main() -> int:
    case, ns, rendered, root = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
    objs = [o for o in yaml.safe_load_all(rendered.read_text()) if o]
    invariants(objs, ns, EXTRA_RULES.get(case, []))
    deployment = one(objs, "Deployment", namespace=ns)
    env = env_of(deployment) if deployment else {}

    def roles(suffix):
        return sorted(o["metadata"]["namespace"] for o in find(objs, "Role") if o["metadata"]["name"].endswith(suffix))

    if case == "default":
        aggregated_roles(objs, ns)
        check(
            not [
                o for o in find(objs, "ClusterRole") if not o["metadata"]["name"].endswith(("-view", "-edit", "-admin"))
            ],
            "no cluster-wide RBAC but the aggregated roles",
        )
        check(not find(objs, "PodDisruptionBudget"), "no PodDisruptionBudget with one replica")
        check(not find(objs, "ConfigMap"), "no dashboard unless enabled")
        self_check_hook(objs, "hub", ns, [ns], f"http://r-jupyter-notebook-operator-metrics.{ns}.svc:8080")
        check(roles("-operator") == [ns] and roles("-hub") == [ns], "operator and hub Roles in the release namespace")
        check(env.get("JNO_WATCH_NAMESPACES") == ns, f"watches the release namespace, got {env}")
        check(env.get("JNO_LEADER_ELECTION") == "false", "no leader election with one replica")
        check(deployment["spec"]["strategy"]["type"] == "Recreate", "Recreate strategy without leader election")
        check(not roles("-leader-election"), "no Lease permissions without leader election")
        check(not roles("-hub-templates"), "no template reader Roles unless hub.templateNamespaces")
        check(
            deployment["spec"]["template"]["spec"]["serviceAccountName"] == "r-jupyter-notebook-operator",
            "the operator runs as the chart's ServiceAccount",
        )
        check(
            deployment["spec"]["template"]["spec"]["containers"][0]["image"]
            == "ghcr.io/jupyterhub/jupyter-notebook-operator:0.1.0",
            "image defaults to the appVersion",
        )
        bindings_point_to(objs, "RoleBinding", "hub", ns)
        quota = one(objs, "ResourceQuota", "-instances", namespace=ns)
        check(
            quota.get("spec", {}).get("hard") == {f"count/jupyternotebookinstances.{GROUP}": "1000"},
            f"a quota of 1000 instances in the hub's namespace, got {quota.get('spec')}",
        )
        instance_quota_rbac(objs, [ns], "r-jupyter-notebook-operator", ns, env)
        vap = one(objs, "ValidatingAdmissionPolicy")
        check(
            vap.get("spec", {}).get("matchConditions", [{}])[0].get("expression")
            == f'request.userInfo.username == "system:serviceaccount:{ns}:hub"',
            "the policy applies to the hub",
        )
        check(
            one(objs, "ValidatingAdmissionPolicyBinding").get("spec", {}).get("validationActions") == ["Deny"],
            "the policy denies by default",
        )
        instance_rules = " ".join(v.get("expression", "") for v in vap.get("spec", {}).get("validations", []))
        check(
            "has(object.spec.user) && has(object.spec.user.groups)" in instance_rules
            and "object.metadata.annotations['hub.jupyter.org/username'] == object.spec.user.name" in instance_rules,
            "the policy requires the hub's instances to carry spec.user (name and groups) matching their annotation",
        )
        check(one(objs, "Service", "-metrics", ns) != {}, "metrics Service")
        check(not find(objs, "ServiceMonitor"), "no ServiceMonitor by default")
        template = one(objs, "JupyterNotebookInstanceTemplate", "z2jh-default", ns)
        example = yaml.safe_load((root / "crds/examples/z2jh-default-template.yaml").read_text())
        check(
            template.get("spec") == example["spec"],
            "the default template value must equal crds/examples/z2jh-default-template.yaml",
        )
    elif case == "extra-objects":
        check(
            env.get("JNO_EXTRA_KINDS")
            == "v1/ConfigMap,v1/Secret,gateway.networking.k8s.io/v1/HTTPRoute,rbac.authorization.k8s.io/v1/RoleBinding,"
            "ray.io/v1/RayCluster=spec.headGroupSpec.template.spec",
            f"JNO_EXTRA_KINDS: {env.get('JNO_EXTRA_KINDS')}",
        )
        check(
            env.get("JNO_BINDABLE_ROLES") == "ClusterRole/view,Role/notebook-reader",
            f"JNO_BINDABLE_ROLES: {env.get('JNO_BINDABLE_ROLES')}",
        )
    elif case == "all-namespaces":
        check(not roles("-operator"), "no operator Roles when watching all namespaces")
        aggregated_roles([o for o in objs if o["kind"] != "ClusterRoleBinding"], ns)
        cr = one(objs, "ClusterRole", "-operator")
        crb = one(objs, "ClusterRoleBinding", "-operator")
        check(crb.get("roleRef", {}).get("name") == cr.get("metadata", {}).get("name"), "binding names the role")
        check(
            crb.get("subjects") == [{"kind": "ServiceAccount", "name": "r-jupyter-notebook-operator", "namespace": ns}],
            f"ClusterRoleBinding subjects: {crb.get('subjects')}",
        )
        check(env.get("JNO_WATCH_NAMESPACES") == "", "empty JNO_WATCH_NAMESPACES means all")
        check(roles("-hub") == [ns], "the hub stays namespaced")
        check(roles("-hub-templates") == ["shared-templates"], "the hub reads templates in shared-templates")
    elif case == "namespaces-ha":
        # hub in jhub, servers in users-a and users-b, operator watching those plus a template namespace
        check(roles("-operator") == ["templates", "users-a", "users-b"], f"operator Roles: {roles('-operator')}")
        check(roles("-hub") == ["users-a", "users-b"], f"hub Roles: {roles('-hub')}")
        instance_quota_rbac(objs, ["users-a", "users-b"], "r-jupyter-notebook-operator", ns, env)
        bindings_point_to(objs, "RoleBinding", "jupyterhub-hub", "jhub")
        check(env.get("JNO_WATCH_NAMESPACES") == "users-a,users-b,templates", f"env: {env}")
        check(env.get("JNO_LEADER_ELECTION") == "true" and deployment["spec"]["replicas"] == 2, "2 replicas, elected")
        check(deployment["spec"]["strategy"]["type"] == "RollingUpdate", "RollingUpdate with leader election")
        le = one(objs, "Role", "-leader-election", ns)
        check(
            le.get("rules")
            == [
                {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["create"]},
                {
                    "apiGroups": ["coordination.k8s.io"],
                    "resources": ["leases"],
                    "resourceNames": ["r-jupyter-notebook-operator"],
                    "verbs": ["get", "update", "patch"],
                },
            ],
            f"Lease rules: {le.get('rules')}",
        )
        check(env.get("JNO_LEASE_NAME") == "r-jupyter-notebook-operator", "Lease name as in the Role")
        pdb = one(objs, "PodDisruptionBudget", "", ns)
        check(pdb.get("spec", {}).get("maxUnavailable") == 1, "at most one replica evicted at a time")
        check(
            pdb.get("spec", {}).get("selector", {}).get("matchLabels") == deployment["spec"]["selector"]["matchLabels"],
            "the budget selects the operator's pods",
        )
        self_check_hook(
            objs,
            "jupyterhub-hub",
            "jhub",
            ["users-a", "users-b"],
            f"http://r-jupyter-notebook-operator-metrics.{ns}.svc:8080",
        )
        dashboard = one(objs, "ConfigMap", "-dashboard", "monitoring")
        check(dashboard.get("metadata", {}).get("labels", {}).get("grafana_dashboard") == "1", "the sidecar's label")
        check(
            dashboard.get("metadata", {}).get("annotations") == {"grafana_folder": "Jupyter"},
            "annotations from values",
        )
        board = json.loads(dashboard.get("data", {}).get("jupyter-notebook-operator.json", "{}"))
        exprs = [t.get("expr") for p in board.get("panels", []) for t in p.get("targets", [])]
        check(len(board.get("panels", [])) >= 8 and all(exprs), f"every panel has queries: {exprs}")
        check(
            one(objs, "ServiceMonitor").get("spec", {}).get("endpoints", [{}])[0].get("port") == "http",
            "ServiceMonitor scrapes the http port",
        )
        vap = one(objs, "ValidatingAdmissionPolicy")
        check(
            "system:serviceaccount:jhub:jupyterhub-hub" in str(vap.get("spec", {}).get("matchConditions")),
            "the policy names the configured hub",
        )
        check(
            find(objs, "JupyterNotebookInstanceTemplate")[0]["metadata"]["namespace"] == "templates",
            "template namespace from values",
        )
        check(deployment["spec"]["template"]["spec"]["imagePullSecrets"] == [{"name": "regcred"}], "pull secrets")
        check(
            deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.example/jno:1.2.3",
            "image from values",
        )
    elif case == "template-namespace":
        check(
            roles("-hub-templates") == ["templates"],
            f"reader Role only where the hub has no Role: {roles('-hub-templates')}",
        )
        check(roles("-hub") == [ns], "instances and Secrets only in the hub's namespace")
        check(roles("-operator") == sorted([ns, "templates"]), f"operator watches both: {roles('-operator')}")
        check(env.get("JNO_WATCH_NAMESPACES") == f"{ns},templates", f"env: {env.get('JNO_WATCH_NAMESPACES')}")
    elif case == "minimal":
        check(
            not find(objs, "ValidatingAdmissionPolicy") and not find(objs, "ValidatingAdmissionPolicyBinding"),
            "no admission policy when disabled",
        )
        check(not roles("-hub"), "no hub RBAC when hub.rbac.create=false")
        check(not find(objs, "JupyterNotebookInstanceTemplate"), "no templates")
        check(not find(objs, "ResourceQuota"), "no instance quota with hub.instanceQuota=0")
        check(not roles("-instance-quota") and not env.get("JNO_INSTANCE_QUOTAS"), "no quota RBAC without a quota")
        check(not find(objs, "ClusterRole"), "no aggregated roles when rbac.aggregateToDefaultRoles=false")
        check(not find(objs, "Pod"), "no test hook when tests.enabled=false")
        check(not find(objs, "Service") and not find(objs, "ServiceAccount"), "no Service, no ServiceAccount")
        check(
            deployment["spec"]["template"]["spec"]["serviceAccountName"] == "existing-operator-sa",
            "an existing ServiceAccount",
        )
    else:
        failures.append(f"unknown case {case}")

    kinds = sorted(f"{o['kind']}" for o in objs)
    if failures:
        print(f"  FAIL {case}:", *failures, sep="\n    - ")
        return 1
    print(f"  ok   {case}: {len(objs)} objects ({', '.join(sorted(set(kinds)))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
