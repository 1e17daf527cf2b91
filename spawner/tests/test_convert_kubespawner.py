"""The converter against KubeSpawner itself: for the same Zero-to-JupyterHub values, KubeSpawner 7.1.0 configured by
the chart's own jupyterhub_config.py (tests/z2jh/reference.py) and the converted template rendered like the
operator renders it (tests/z2jh/render.py) give the same pod and claim, up to the documented differences:

- the hub's token and the rest of the hub's environment come with the instance (env, a Secret by envFrom);
- the operator owns the pod: its managed-by label replaces KubeSpawner's;
- the notebook container drops every capability (a non-root server that cannot escalate needs none);
- KubeSpawner's version annotations are not written; the servername annotation is there (empty) for default servers;
- the ``hub.jupyter.org/username`` label is the name's object slug (``{username}``), not its label slug.
"""

from __future__ import annotations

import copy

import pytest
from z2jh_reference import reference, render

from notebookinstance_spawner.convert import Options, convert
from notebookinstance_spawner.convert.quantities import jupyterhub_bytes
from notebookinstance_spawner.convert.values import Release, merge
from notebookinstance_spawner.kubespawner_compat import safe_claim_name
from notebookinstance_spawner.slugs import ServerNames

pytestmark = pytest.mark.skipif(not reference.available(), reason=f"{reference.Z2JH_CHART} is missing")
NAMESPACE = "jupyterhub"
HUB_ENV = ("JUPYTERHUB_", "JPY_")

CUSTOM = {
    "singleuser": {
        "image": {
            "name": "quay.io/jupyter/scipy-notebook",
            "tag": "2025-03-14",
            "pullPolicy": "Always",
            "pullSecrets": ["regcred"],
        },
        "memory": {"limit": "2G", "guarantee": "1.5G"},
        "cpu": {"limit": 2, "guarantee": 0.5},
        "extraEnv": {
            "GREETING": "hello {username} on {servername}",
            "JSON": '{{"a": 1}}',
            "FROM_SECRET": {"valueFrom": {"secretKeyRef": {"name": "shared-{username}", "key": "token"}}},
        },
        "lifecycleHooks": {"postStart": {"exec": {"command": ["sh", "-c", "echo ${HOME} {not-a-field} > /tmp/x"]}}},
        "initContainers": [
            {"name": "init-home", "image": "busybox:1.36", "command": ["sh", "-c", "mkdir -p /x/{username}"]}
        ],
        "extraContainers": [{"name": "sidecar", "image": "busybox:1.36", "args": ["sleep", "infinity"]}],
        "nodeSelector": {"disktype": "ssd"},
        "extraTolerations": [{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}],
        "extraLabels": {"team": "{username}"},
        "extraAnnotations": {"owner": "{unescaped_username}"},
        "uid": 1001,
        "fsGid": 101,
        "extraPodConfig": {"dnsPolicy": "ClusterFirst", "enableServiceLinks": False},
        "storage": {
            "capacity": "5Gi",
            "dynamic": {"storageClass": "fast", "pvcNameTemplate": "home-{username}{servername}", "subPath": "home"},
            "extraVolumes": [{"name": "shared", "nfs": {"server": "nfs.example", "path": "/{username}"}}],
            "extraVolumeMounts": [{"name": "shared", "mountPath": "/shared"}],
            "extraLabels": {"backup": "daily"},
        },
        "extraFiles": {"motd": {"mountPath": "/etc/motd", "stringData": "hi"}},
        "cloudMetadata": {"blockWithIptables": False},
        "defaultUrl": "/lab",
    },
    "scheduling": {
        "userScheduler": {"enabled": False},
        "podPriority": {"enabled": True},
        "userPods": {"nodeAffinity": {"matchNodePurpose": "require"}},
    },
}
PROFILES = {
    "singleuser": {
        "profileList": [
            {
                "display_name": "Small",
                "description": "1 GB",
                "default": True,
                "kubespawner_override": {"mem_limit": "1G", "extra_labels": {"size": "small"}},
            },
            {
                "display_name": "GPU",
                "slug": "gpu",
                "kubespawner_override": {
                    "image": "quay.io/jupyter/pytorch-notebook:cuda12-2025-03-14",
                    "extra_resource_limits": {"nvidia.com/gpu": "1"},
                    "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists"}],
                },
            },
        ]
    }
}
USERS = [("ada", ""), ("Grace.Hopper@example.org", "GPU Server")]


def release_for(overlay: dict) -> Release:
    values = merge(reference.load_chart_values(), overlay)
    return Release(values=values, name="jhub", namespace=NAMESPACE, chart_version="4.4.0")


def hub_values(release: Release) -> dict:
    """The values as the chart mounts them for the hub (its Secret's values.yaml carries Release and Chart)."""
    # the chart's `merge dict .Values` leaves out top-level nulls (nameOverride)
    values = {k: copy.deepcopy(v) for k, v in release.values.items() if v is not None}
    values["Release"] = {"Name": release.name, "Namespace": release.namespace, "Service": "Helm"}
    values["Chart"] = {"Name": "jupyterhub", "Version": release.chart_version, "AppVersion": "5.5.0"}
    return values


def assert_same(ours: dict, theirs: dict) -> None:
    """Equality with a readable diff: the paths that differ."""
    differences = list(diff(ours, theirs, ""))
    assert not differences, "\n".join(differences)


def diff(a, b, path):
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a:
                yield f"{path}.{key}: only KubeSpawner has {b[key]!r}"
            elif key not in b:
                yield f"{path}.{key}: only ours has {a[key]!r}"
            else:
                yield from diff(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from diff(x, y, f"{path}[{i}]")
    elif a != b:
        yield f"{path}: ours {a!r} != KubeSpawner's {b!r}"


def without_empty(value):
    """Empty maps and lists left out (the API server stores them as absent: KubeSpawner writes lifecycle: {})."""
    if isinstance(value, dict):
        return {k: without_empty(v) for k, v in value.items() if v not in ({}, [])}
    if isinstance(value, list):
        return [without_empty(v) for v in value]
    return value


def normalized(pod: dict, env_drop: set[str]) -> dict:
    pod = copy.deepcopy(pod)
    pod.pop("apiVersion", None)
    pod.pop("kind", None)
    meta = pod["metadata"]
    meta.pop("namespace", None)
    for key in ("hub.jupyter.org/kubespawner-version", "hub.jupyter.org/jupyterhub-version"):
        meta.get("annotations", {}).pop(key, None)
    if meta.get("annotations", {}).get("hub.jupyter.org/servername") == "":
        del meta["annotations"]["hub.jupyter.org/servername"]
    for key in ("app.kubernetes.io/managed-by", "hub.jupyter.org/username"):
        meta.get("labels", {}).pop(key, None)
    for container in pod["spec"]["containers"]:
        container.pop("envFrom", None)
        container["env"] = {e["name"]: e for e in container.get("env", []) if e["name"] not in env_drop}
        container.get("securityContext", {}).pop("capabilities", None)
        resources = container.get("resources") or {}
        for kind in ("requests", "limits"):
            for name, amount in list((resources.get(kind) or {}).items()):
                resources[kind][name] = quantity(name, amount)
    return without_empty(pod)


def quantity(name: str, amount) -> float:
    text = str(amount)
    if name == "memory":
        return (
            float(jupyterhub_bytes(text[:-1] if text.endswith("i") else text)) if text[-1:].isalpha() else float(text)
        )
    return float(text)


def our_side(result, flat_index: int | None, username: str, servername: str, release: Release, chosen=None):
    names = ServerNames.of(username, servername)
    config = result.spawner_config
    if "profile_list" in config:
        entry = config["profile_list"][flat_index]
        template_name, fixed = entry["template"], entry.get("variables", {})
    else:
        template_name, fixed = config["template_name"], {}
    template = next(t for t in result.templates if t["metadata"]["name"] == template_name)
    given = (
        {
            "username": names.username,
            "unescaped_username": names.unescaped_username,
            "servername": names.servername,
            "unescaped_servername": names.unescaped_servername,
            "user_server": names.user_server,
            "userid": "42",
            "pvc_name": safe_claim_name(config.get("pvc_name_template", "claim-{user_server}"), username, servername),
            "hub_namespace": release.namespace,
        }
        | fixed
        | (chosen or {})
    )
    instance_name = f"jupyter-{names.user_server}"
    values = render.values_for(template, given, instance_name, release.namespace)
    instance = {"env": {}, "args": ["jupyterhub-singleuser"], "envSecretRef": {"name": instance_name}}
    return template, render.notebook_pod(template, values, instance), render.claim(template, values)


async def kubespawner_side(release: Release, username: str, servername: str, profile_slug: str | None, options=None):
    with reference.z2jh_config(hub_values(release), reference.names_of(release)) as config:
        options = options or ({"profile": profile_slug} if profile_slug else {})
        spawner = reference.kubespawner(config, username, servername, user_options=options)
        pod, claim = await reference.pod_and_claim(spawner)
        from jupyterhub.spawner import Spawner

        hub_env = set(Spawner.get_env(spawner)) - set(spawner.environment)
        hub_env -= {"MEM_LIMIT", "MEM_GUARANTEE", "CPU_LIMIT", "CPU_GUARANTEE"}
        return pod, claim, hub_env, spawner


@pytest.mark.parametrize("case", ["defaults", "custom"])
@pytest.mark.parametrize(("username", "servername"), USERS)
async def test_the_template_renders_kubespawners_pod_and_claim(case, username, servername):
    release = release_for({} if case == "defaults" else CUSTOM)
    result = convert(release, Options())
    ks_pod, ks_claim, hub_env, spawner = await kubespawner_side(release, username, servername, None)
    _, pod, claim = our_side(result, None, username, servername, release)

    assert_same(normalized(pod, hub_env), normalized(ks_pod, hub_env))
    # the documented differences, as documented
    assert pod["metadata"]["labels"]["hub.jupyter.org/username"] == ServerNames.of(username).username
    notebook = pod["spec"]["containers"][0]
    assert notebook["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert notebook["envFrom"] == [{"secretRef": {"name": pod["metadata"]["name"]}}]
    assert claim["metadata"]["name"] == ks_claim["metadata"]["name"] == spawner.pvc_name
    ks_claim["metadata"]["annotations"] = {
        k: v for k, v in ks_claim["metadata"]["annotations"].items() if not k.endswith("-version")
    }
    ours = copy.deepcopy(claim)
    if not servername:
        del ours["metadata"]["annotations"]["hub.jupyter.org/servername"]
    for c in (ours, ks_claim):
        c["metadata"]["labels"].pop("hub.jupyter.org/username")
        c["metadata"]["labels"].pop("app.kubernetes.io/managed-by", None)
    assert ours["metadata"]["labels"] == ks_claim["metadata"]["labels"]
    assert ours["metadata"]["annotations"] == ks_claim["metadata"]["annotations"]
    assert ours["spec"] == ks_claim["spec"]


@pytest.mark.parametrize(("index", "slug"), [(0, "small"), (1, "gpu")])
async def test_each_profile_renders_kubespawners_pod(index, slug):
    release = release_for(PROFILES)
    result = convert(release, Options())
    assert [p["slug"] for p in result.spawner_config["profile_list"]] == ["small", "gpu"]
    ks_pod, _, hub_env, _ = await kubespawner_side(release, "ada", "", slug)
    _, pod, _ = our_side(result, index, "ada", "", release)
    assert_same(normalized(pod, hub_env), normalized(ks_pod, hub_env))


OPTIONS = {
    "singleuser": {
        "profileList": [
            {
                "display_name": "Custom",
                "slug": "custom",
                "default": True,
                "profile_options": {
                    "image": {
                        "display_name": "Image",
                        "choices": {
                            "scipy": {
                                "display_name": "SciPy",
                                "default": True,
                                "kubespawner_override": {"image": "quay.io/jupyter/scipy-notebook:2025-03-14"},
                            },
                            "torch": {
                                "display_name": "PyTorch",
                                "kubespawner_override": {
                                    "image": "quay.io/jupyter/pytorch-notebook:2025-03-14",
                                    "mem_guarantee": "2G",
                                },
                            },
                        },
                        "unlisted_choice": {
                            "enabled": True,
                            "display_name": "Any tag of minimal-notebook",
                            "validation_regex": "^[a-z0-9.-]+$",
                            "kubespawner_override": {"image": "quay.io/jupyter/minimal-notebook:{value}"},
                        },
                    }
                },
            }
        ]
    }
}


@pytest.mark.parametrize(
    ("index", "options", "variables"),
    [
        (0, {"profile": "custom", "image": "scipy"}, {}),
        (1, {"profile": "custom", "image": "torch"}, {}),
        (2, {"profile": "custom", "image--unlisted-choice": "2025-03-14"}, {"option_image": "2025-03-14"}),
    ],
)
async def test_profile_options_become_profiles_with_the_same_pods(index, options, variables):
    release = release_for(OPTIONS)
    result = convert(release, Options())
    entries = result.spawner_config["profile_list"]
    assert [e["slug"] for e in entries] == ["custom-scipy", "custom-torch", "custom-other"]
    assert [e.get("default", False) for e in entries] == [True, False, False]
    assert entries[2]["user_variables"] == ["option_image"]
    free = next(t for t in result.templates if t["metadata"]["name"] == entries[2]["template"])
    declared = next(v for v in free["spec"]["variables"] if v["name"] == "option_image")
    assert (
        declared["pattern"] == "(?:^[a-z0-9.-]+$)[\\s\\S]*"
        and "quay.io/jupyter/minimal-notebook:*" in (free["spec"]["policy"]["allowedImages"])
    )
    ks_pod, _, hub_env, _ = await kubespawner_side(release, "ada", "", None, options)
    _, pod, _ = our_side(result, index, "ada", "", release, variables)
    assert_same(normalized(pod, hub_env), normalized(ks_pod, hub_env))
