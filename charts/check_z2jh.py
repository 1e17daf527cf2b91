#!/usr/bin/env python3
"""Zero-to-JupyterHub 4.4.0 (the unmodified copy in ../shared/third-party) switched with charts/z2jh/values.yaml:
checks on `helm template` output, run by charts/test.

    check_z2jh.py <work dir> <repo root>

<work dir> holds switched.yaml (Z2JH with charts/z2jh/values.yaml, the converter's z2jh-values.yaml, the modules
as hub.extraFiles and cross-namespace network access), reference.yaml (Z2JH with its own RBAC and every part that
needs RBAC turned on), jno.yaml (this chart with z2jh.componentRbac and the converted templates), conv/ (the
converter's output). Exits 1 listing every failed check.
"""

from __future__ import annotations

import base64
import io
import sys
import zipfile
from pathlib import Path

import yaml
from netpol import Cluster, Outside, Pod

NS, USERS_NS, RELEASE = "jupyterhub", "jupyterhub-users", "jhub"
failures: list[str] = []


def check(condition: bool, message: str) -> None:
    if not condition:
        failures.append(message)


def load(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def named(objs, kind, name) -> dict:
    found = [o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name]
    check(len(found) == 1, f"expected one {kind} {name}, found {len(found)}")
    return found[0] if found else {"metadata": {}, "spec": {}, "rules": [], "subjects": []}


def rules_key(rules: list[dict]) -> list:
    return sorted(
        (
            tuple(sorted(r.get("apiGroups", []))),
            tuple(sorted(r.get("resources", []))),
            tuple(sorted(r.get("resourceNames", []))),
            tuple(sorted(r.get("verbs", []))),
        )
        for r in rules
    )


def check_rbac(switched, reference, jno) -> None:
    rbac_kinds = {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"}
    check(
        not [o for o in switched if o["kind"] in rbac_kinds],
        "Z2JH with charts/z2jh/values.yaml must render no RBAC of its own (rbac.create: false)",
    )
    hub = named(switched, "Deployment", "hub")["spec"]["template"]["spec"]
    check(hub.get("serviceAccountName") == "hub", "the hub runs as ServiceAccount hub")
    roles = [o for o in jno if o["kind"] == "Role" and o["metadata"]["name"].endswith("-hub")]
    check(len(roles) == 2, f"one hub Role per hub namespace ({NS}, {USERS_NS}), found {len(roles)}")
    for role in roles:
        for rule in role["rules"]:
            check(
                "pods" not in rule["resources"] and "pods/exec" not in rule["resources"],
                f"the hub's Role in {role['metadata']['namespace']} must grant nothing on pods: {rule}",
            )
    # Z2JH's other parts: the same rules as Z2JH's own RBAC gives them, for the same ServiceAccounts
    for kind, theirs, ours, account in (
        # Z2JH names its ClusterRole after the scheduler's registered name (<release>-user-scheduler)
        (
            "ClusterRole",
            f"{RELEASE}-user-scheduler",
            "r-jupyter-notebook-operator-z2jh-user-scheduler",
            "user-scheduler",
        ),
        ("Role", "hook-image-awaiter", "r-jupyter-notebook-operator-z2jh-hook-image-awaiter", "hook-image-awaiter"),
        ("Role", "autohttps", "r-jupyter-notebook-operator-z2jh-autohttps", "autohttps"),
    ):
        if kind == "ClusterRole":
            ours = f"{NS}-{ours}"
        reference_role, our_role = named(reference, kind, theirs), named(jno, kind, ours)
        check(
            rules_key(our_role["rules"]) == rules_key(reference_role["rules"]),
            f"{kind} {ours}: rules differ from Z2JH's {theirs}",
        )
        for binding_kind in (f"{kind}Binding",):
            their_binding, our_binding = named(reference, binding_kind, theirs), named(jno, binding_kind, ours)
            check(
                [s["name"] for s in our_binding["subjects"]]
                == [s["name"] for s in their_binding["subjects"]]
                == [account],
                f"{binding_kind} {ours} must bind ServiceAccount {account}, like Z2JH's",
            )
            check(
                all(s.get("namespace") == NS for s in our_binding["subjects"]), f"{binding_kind} {ours}: namespace {NS}"
            )


def check_mounted_modules(switched, repo: Path) -> None:
    container = named(switched, "Deployment", "hub")["spec"]["template"]["spec"]["containers"][0]
    bundle = "/usr/local/etc/jupyterhub/notebookinstance-spawner.zip"
    check(
        any(m["mountPath"] == bundle for m in container["volumeMounts"]),
        f"the hub must mount the spawner's zip at {bundle} (hub.extraFiles)",
    )
    secret = named(switched, "Secret", "hub")
    data = secret.get("data") or {}
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(data.get("notebookinstance-spawner.zip", ""))))
    for package in ("spawner/notebookinstance_spawner", "python-models/jupyter_notebook_operator_models"):
        for module in sorted((repo / package).glob("*.py")):
            name = f"{Path(package).name}/{module.name}"
            check(name in archive.namelist() and archive.read(name) == module.read_bytes(), f"the zip must hold {name}")
    size = sum(len(v) for v in data.values()) + sum(len(v) for v in (secret.get("stringData") or {}).values())
    check(size < 512 * 1024, f"the hub Secret holds {size} bytes; Kubernetes refuses more than 1 MiB")
    values = yaml.safe_load(base64.b64decode(data["values.yaml"]))
    check(
        "configure(c)" in values["hub"]["extraConfig"]["00-notebookinstance-spawner"],
        "hub.extraConfig must call notebookinstance_spawner.z2jh.configure",
    )
    check(
        values["hub"]["config"]["NotebookInstanceSpawner"].get("template_name") == "z2jh-default",
        "the converter's spawner configuration reaches the hub",
    )


def pod_of(deployment: dict, namespace: str) -> Pod:
    template = deployment["spec"]["template"]
    ports = {
        p["name"]: p["containerPort"] for c in template["spec"]["containers"] for p in c.get("ports", []) if "name" in p
    }
    return Pod(deployment["metadata"]["name"], namespace, template["metadata"]["labels"], ports)


def server(template: dict, username: str, namespace: str) -> tuple[Pod, dict]:
    sys.path.insert(0, str(REPO / "spawner" / "tests"))
    from z2jh_reference import render

    instance = f"jupyter-{username}"
    values = render.values_for(
        template,
        {
            "username": username,
            "unescaped_username": username,
            "user_server": username,
            "userid": "1",
            "pvc_name": f"claim-{username}",
            "hub_namespace": NS,
        },
        instance,
        namespace,
    )
    entry = template["spec"]["pods"][0]
    labels = render.render(entry["labels"], values) | {
        "app.kubernetes.io/managed-by": "jupyter-notebook-operator",
        "kubespawner.jupyterhub.org/instance": instance,
    }
    policy = render.render(template["spec"]["networkPolicies"][0], values)
    manifest = {"metadata": {"name": policy["name"], "namespace": namespace}, "spec": policy["spec"]}
    return Pod(instance, namespace, labels, {"notebook-port": 8888}), manifest


def check_network(switched, template: dict) -> None:
    z2jh_policies = [
        dict(o, metadata={**o["metadata"], "namespace": NS}) for o in switched if o["kind"] == "NetworkPolicy"
    ]
    hub, proxy = pod_of(named(switched, "Deployment", "hub"), NS), pod_of(named(switched, "Deployment", "proxy"), NS)
    dns = Pod("coredns", "kube-system", {"k8s-app": "kube-dns"}, {"dns": 53})
    ada, ada_policy = server(template, "ada", NS)
    bob, bob_policy = server(template, "bob", NS)
    eve, eve_policy = server(template, "eve", USERS_NS)
    cluster = Cluster(z2jh_policies + [ada_policy, bob_policy, eve_policy], {})
    singleuser = named(switched, "NetworkPolicy", "singleuser")["spec"]["podSelector"]["matchLabels"]
    for key, value in singleuser.items():
        check(
            ada.labels.get(key) == value,
            f"Z2JH's singleuser policy selects {key}={value}; the server has {ada.labels.get(key)!r}",
        )
    hub_egress = named(switched, "NetworkPolicy", "hub")["spec"]["egress"]
    to_servers = [
        p["podSelector"]["matchLabels"]
        for r in hub_egress
        for p in r.get("to", [])
        if "podSelector" in p and (p["podSelector"].get("matchLabels") or {}).get("component") == "singleuser-server"
    ]
    check(
        any(all(ada.labels.get(k) == v for k, v in sel.items()) for sel in to_servers),
        "Z2JH's hub policy must select the server as a singleuser-server (app, release, component)",
    )
    expectations = [
        (hub, ada, 8888, "TCP", True),
        (proxy, ada, 8888, "TCP", True),
        (ada, hub, 8081, "TCP", True),
        (ada, proxy, 8000, "TCP", True),
        (ada, dns, 53, "UDP", True),
        (ada, Outside("140.82.112.3"), 443, "TCP", True),
        (ada, Outside("169.254.169.254"), 80, "TCP", False),
        (ada, Outside("10.20.30.40"), 5432, "TCP", False),
        (ada, Outside("192.168.1.1"), 22, "TCP", False),
        (bob, ada, 8888, "TCP", False),
        # a server in another of the hub's namespaces (the operator chart's hub.namespaces)
        (hub, eve, 8888, "TCP", True),
        (proxy, eve, 8888, "TCP", True),
        (eve, hub, 8081, "TCP", True),
        (eve, dns, 53, "UDP", True),
        (eve, Outside("169.254.169.254"), 80, "TCP", False),
        (eve, ada, 8888, "TCP", False),
    ]
    for source, target, port, protocol, allowed in expectations:
        name = getattr(target, "name", None) or target.address
        check(
            cluster.allows(source, target, port, protocol) == allowed,
            f"{source.namespace}/{source.name} -> {name}:{port}/{protocol} must be {'allowed' if allowed else 'denied'}",
        )


if __name__ == "__main__":
    work, REPO = Path(sys.argv[1]), Path(sys.argv[2])
    switched, reference, jno = (load(work / f) for f in ("switched.yaml", "reference.yaml", "jno.yaml"))
    check_rbac(switched, reference, jno)
    check_mounted_modules(switched, REPO)
    templates = load(work / "conv" / "templates.yaml")
    check(len(templates) == 1, "the default values convert to one template")
    check_network(switched, templates[0])
    for failure in failures:
        print(f"  FAIL {failure}")
    sys.exit(1 if failures else 0)
