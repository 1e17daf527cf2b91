"""End to end with Zero-to-JupyterHub 4.4.0's own hub configuration: a real JupyterHub started from Z2JH's
jupyterhub_config.py and z2jh.py with the chart's values mounted as the chart mounts them (tests/e2e/z2jh_hub.py),
the real operator, the local control plane and a real jupyterhub-singleuser per server (tests/e2e/kubelet_standin.py).

1. Z2JH switched with charts/z2jh/values.yaml, the spawner's modules mounted with hub.extraFiles (no custom image)
   and the template kubespawner-to-template wrote from Z2JH's defaults: a server starts.
2. A converted profileList with two profiles: each profile starts its own template's pod.
3. A hub that ran KubeSpawner (Z2JH's own configuration, pre-7 "escape" names) is switched: the running server is
   kept, then stopped by deleting its pod; every user finds their home claim (same claim, same file).

Skipped, with the reason, without the cluster, the operator's jar, the Z2JH copy, or a mount namespace.
"""

from __future__ import annotations

import base64
import importlib.metadata
import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml
from e2e.z2jh_hub import Z2jhHub, can_unshare, find
from test_e2e import (
    HERE,
    OPERATOR_JAR,
    REPO,
    Kubectl,
    Process,
    cluster_info,
    free_port,
    install_crds,
    unavailable,
    wait_until,
)
from z2jh_reference import reference

import jupyter_notebook_operator_models
import notebookinstance_spawner
from notebookinstance_spawner.kubespawner_compat import expand

pytestmark = pytest.mark.e2e
Z2JH_VALUES = REPO / "charts" / "z2jh" / "values.yaml"


def _metadata_dir(distribution: str) -> Path:
    """The installed distribution's *.dist-info directory: its entry points make JupyterHub import the package."""
    files = importlib.metadata.distribution(distribution).files or []
    info = next(f for f in files if f.parts[0].endswith(".dist-info"))
    return Path(info.locate()).parents[len(info.parts) - 2]


# The installed copies (the source tree when installed editable, site-packages when installed from the wheels) and
# their metadata: hidden from the hub, as in Z2JH's own image, so the mounted zip is the only copy it can import.
# JupyterHub loads the jupyterhub.spawners entry points when it starts: a visible dist-info would make it import an
# emptied package before the hub's extraConfig puts the zip on sys.path.
PACKAGES = [
    Path(notebookinstance_spawner.__file__).parent,
    Path(jupyter_notebook_operator_models.__file__).parent,
    _metadata_dir("notebookinstance-spawner"),
    _metadata_dir("jupyter-notebook-operator-models"),
]
CONVERTER = Path(sys.executable).parent / "kubespawner-to-template"
#: the local control plane's Kubernetes version (helm renders for it)
KUBE_VERSION = next(
    line.split("=", 1)[1].strip().strip('"').lstrip("v")
    for line in (REPO / "e2e" / "versions.env").read_text().splitlines()
    if line.startswith("KUBERNETES_VERSION=")
)
PROFILES = {
    "singleuser": {
        "profileList": [
            {
                "display_name": "Small",
                "slug": "small",
                "default": True,
                "kubespawner_override": {"mem_limit": "1G", "extra_labels": {"size": "small"}},
            },
            {
                "display_name": "Large",
                "slug": "large",
                "kubespawner_override": {"mem_limit": "2G", "cpu_limit": 2, "extra_labels": {"size": "large"}},
            },
        ]
    }
}


# ------------------------------------------------------------------------------------------------- the setup


class Setup:
    def __init__(self, info: dict, workdir: Path, namespace: str):
        self.info, self.workdir, self.namespace = info, workdir, namespace
        self.admin = Kubectl(info["kubectl"], info["kubeconfig"], namespace)
        self.helm = (
            subprocess.run([str(REPO / "e2e" / "cluster"), "build", "helm"], capture_output=True, text=True, check=True)
            .stdout.strip()
            .splitlines()[-1]
        )
        self.token = secrets.token_hex(16)
        self.hub_port, self.public_port = free_port(), free_port()
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {self.token}"
        self.url = f"http://127.0.0.1:{self.hub_port}/hub/api"
        self.hub: Z2jhHub | None = None

    # values ------------------------------------------------------------------------------------------------

    def write(self, name: str, data: dict | str) -> Path:
        path = self.workdir / name
        path.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
        return path

    def lab_values(self, switched: bool) -> Path:
        """What differs from a cluster here: no DNS, no proxy pod, a service token for the test to drive the hub."""
        extra = [
            'c.JupyterHub.proxy_class = "memory_proxy.MemoryProxy"',
            f'c.JupyterHub.hub_bind_url = "http://127.0.0.1:{self.hub_port}"',
            f'c.JupyterHub.hub_connect_url = "http://127.0.0.1:{self.hub_port}"',
            f'c.JupyterHub.bind_url = "http://127.0.0.1:{self.public_port}"',
            "c.Spawner.http_timeout = 90",
        ]
        if switched:
            extra += [
                "import notebookinstance_spawner",
                'print("spawner modules from", notebookinstance_spawner.__file__)',
            ]
        return self.write(
            f"lab-{'switched' if switched else 'kubespawner'}.yaml",
            {
                "hub": {
                    "services": {"e2e": {"apiToken": self.token}},
                    "loadRoles": {
                        "e2e": {"scopes": ["admin:users", "admin:servers", "access:servers"], "services": ["e2e"]}
                    },
                    "config": {"Authenticator": {"allow_all": True}},
                    "extraConfig": {"zz-e2e": "\n".join(extra) + "\n"},
                }
            },
        )

    def convert(self, name: str, overlay: dict, adopt: bool = False) -> Path:
        out = self.workdir / name
        command = [
            str(CONVERTER),
            "--chart-values",
            str(reference.Z2JH_CHART / "values.yaml"),
            "-f",
            str(reference.RELEASED_TAGS_FILE),
            "-f",
            str(self.write(f"{name}-overlay.yaml", overlay)),
            "--release",
            "jhub",
            "--namespace",
            self.namespace,
            "-o",
            str(out),
        ]
        if adopt:
            command.append("--adopt-kubespawner-claims")
        subprocess.run(command, check=True, capture_output=True, text=True)
        self.admin("apply", "-n", self.namespace, "-f", str(out / "templates.yaml"))
        return out

    def extra_files(self) -> Path:
        text = subprocess.run(
            [sys.executable, str(REPO / "charts" / "z2jh" / "extrafiles-values")],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return self.write("extrafiles.yaml", text)

    # RBAC ---------------------------------------------------------------------------------------------------

    def operator_chart_rbac(self) -> None:
        """The hub's Role and admission policy of the operator chart (with the migration-only right to stop
        KubeSpawner's pods), nothing else of the chart (the operator runs from its jar here)."""
        out = subprocess.run(
            [
                self.helm,
                "template",
                "r",
                str(REPO / "charts" / "jupyter-notebook-operator"),
                "-n",
                self.namespace,
                "--kube-version",
                KUBE_VERSION,
                "--set",
                "templates=null",
                "--set",
                "hub.kubeSpawnerPods.stop=true",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        kinds = {"Role", "RoleBinding", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"}
        objects = [o for o in yaml.safe_load_all(out) if o and o["kind"] in kinds and "-hub" in o["metadata"]["name"]]
        self.admin.apply(objects)

    # the hub ------------------------------------------------------------------------------------------------

    def start_hub(self, values: list[Path], switched: bool) -> list[dict]:
        self.stop_hub()  # a test that failed midway leaves its hub running
        if self.hub is None:
            cluster = yaml.safe_load(Path(self.info["kubeconfig"]).read_text())["clusters"][0]["cluster"]
            ca = cluster.get("certificate-authority-data")
            ca = base64.b64decode(ca).decode() if ca else Path(cluster["certificate-authority"]).read_text()
            server = cluster["server"].removeprefix("https://")
            token = self.admin("create", "token", "hub", "-n", self.namespace, "--duration=2h").strip()
            host, port = server.rsplit(":", 1)
            self.hub = Z2jhHub(
                self.helm,
                reference.Z2JH_CHART,
                KUBE_VERSION,
                self.namespace,
                self.workdir,
                {"host": host, "port": int(port), "token": token, "ca": ca},
            )
        values = [reference.RELEASED_TAGS_FILE, *values, self.lab_values(switched)]
        objects = self.hub.start(values, hide=PACKAGES if switched else [])

        def up():
            assert self.hub.alive(), f"the hub exited:\n{self.hub.tail()}"
            try:
                return self.session.get(self.url + "/", timeout=2).ok
            except requests.ConnectionError:
                return False

        wait_until("the hub to answer", up, 90)
        return objects

    def stop_hub(self) -> None:
        if self.hub:
            self.hub.stop()

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.session.request(method, self.url + path, timeout=30, **kwargs)

    def server(self, user: str) -> dict | None:
        response = self.api("GET", f"/users/{user}")
        response.raise_for_status()
        return response.json()["servers"].get("")

    def spawn(self, user: str, options: dict | None = None) -> dict:
        response = self.api("POST", f"/users/{user}", json={})
        assert response.status_code in (201, 409), response.text
        response = self.api("POST", f"/users/{user}/server", json=options or {})
        assert response.status_code in (201, 202), response.text

        def ready():
            assert self.hub.alive(), f"the hub exited:\n{self.hub.tail()}"
            found = self.server(user)
            # a server the hub lists no more after its 202 is a failed spawn: say why now, not at the timeout
            assert found is not None, f"{user}'s spawn failed:\n{self.hub.tail()}"
            return found if found.get("ready") else None

        return wait_until(f"{user}'s server to be ready", ready, 240, 0.5)

    def stop(self, user: str) -> None:
        response = self.api("DELETE", f"/users/{user}/server")
        assert response.status_code in (202, 204), response.text
        wait_until(f"{user}'s server to stop", lambda: self.server(user) is None, 180, 0.5)

    # the servers ----------------------------------------------------------------------------------------------

    def pod_url(self, pod_name: str) -> str:
        pod = self.admin.get("pod", pod_name)
        return f"http://{pod['status']['podIP']}:8888"

    def contents(self, base: str, user: str, method: str = "GET", text: str | None = None) -> requests.Response:
        url = f"{base}/user/{user}/api/contents/home-check.txt"
        body = {"type": "file", "format": "text", "content": text} if text is not None else None
        return requests.request(method, url, json=body, headers={"Authorization": f"token {self.token}"}, timeout=30)

    def volume_for(self, claim: str) -> None:
        """A volume bound to the claim in advance (no provisioner here), on a directory the stand-in serves."""
        path = self.workdir / "volumes" / claim
        path.mkdir(parents=True, exist_ok=True)
        self.admin.apply(
            [
                {
                    "apiVersion": "v1",
                    "kind": "PersistentVolume",
                    "metadata": {"name": f"{self.namespace}-{claim}", "labels": {"z2jh-e2e": self.namespace}},
                    "spec": {
                        "capacity": {"storage": "100Gi"},
                        "accessModes": ["ReadWriteOnce"],
                        "hostPath": {"path": str(path)},
                        "persistentVolumeReclaimPolicy": "Retain",
                        "claimRef": {"namespace": self.namespace, "name": claim},
                    },
                }
            ]
        )


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    info = cluster_info()
    if info is None:
        unavailable("the local control plane is not running (start it with: e2e/cluster up)")
    if not OPERATOR_JAR.exists():
        unavailable(f"{OPERATOR_JAR.relative_to(REPO)} is missing (build it: mvn -B -pl operator -am package)")
    if not reference.available():
        unavailable(f"Zero-to-JupyterHub 4.4.0 is missing at {reference.Z2JH_CHART}")
    for missing in (shutil.which("java") is None and "java is not on PATH", can_unshare()):
        if missing:
            unavailable(missing)
    workdir = tmp_path_factory.mktemp("z2jh")
    namespace = f"z2jh-e2e-{secrets.token_hex(3)}"
    s = Setup(info, workdir, namespace)
    admin = s.admin
    install_crds(admin)
    admin("create", "namespace", namespace)
    admin("create", "serviceaccount", "hub", "-n", namespace)
    processes = []
    try:
        jar = workdir / "operator.jar"
        shutil.copy(OPERATOR_JAR, jar)
        env = {**os.environ, "KUBECONFIG": info["kubeconfig"]}
        processes.append(
            Process(
                "operator",
                [shutil.which("java"), "-jar", str(jar), f"--watch-namespaces={namespace}", "--http-port=-1"],
                workdir / "operator.log",
                env,
            )
        )
        processes.append(
            Process(
                "kubelet-standin",
                [sys.executable, str(HERE / "e2e" / "kubelet_standin.py"), namespace, str(workdir / "servers")],
                workdir / "kubelet-standin.log",
                env,
            )
        )
        yield s
    finally:
        s.stop_hub()
        admin("delete", "jni", "--all", "-n", namespace, "--wait=true", "--timeout=60s", check=False)
        for process in reversed(processes):
            process.stop()
        print(f"z2jh e2e logs in {workdir}")
        admin("delete", "namespace", namespace, "--wait=false", check=False)
        admin("delete", "pv", "-l", f"z2jh-e2e={namespace}", "--wait=false", check=False)
        policy = f"{namespace}-r-jupyter-notebook-operator-hub"  # cluster-scoped: the operator chart names it so
        admin("delete", "validatingadmissionpolicybinding", policy, "--ignore-not-found", check=False)
        admin("delete", "validatingadmissionpolicy", policy, "--ignore-not-found", check=False)


# ------------------------------------------------------------------------------------------------- the tests


def test_z2jh_switched_without_a_custom_image_starts_a_server(setup):
    s = setup
    s.operator_chart_rbac()
    conv = s.convert("defaults", {})
    s.volume_for("claim-dave")
    objects = s.start_hub([Z2JH_VALUES, conv / "z2jh-values.yaml", s.extra_files()], switched=True)
    # the chart mounted the spawner (a zip) beside jupyterhub_config.py, and that is what the hub runs
    assert any(
        m["mountPath"].endswith("/usr/local/etc/jupyterhub/notebookinstance-spawner.zip")
        for m in find(objects, "Deployment", "hub")["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    )
    log = s.hub.log.read_text()
    assert (
        "spawner modules from /usr/local/etc/jupyterhub/notebookinstance-spawner.zip/notebookinstance_spawner/__init__.py"
        in log
    ), s.hub.tail()
    assert "Using Spawner: notebookinstance_spawner.spawner.NotebookInstanceSpawner" in log
    # Z2JH's singleuser.startTimeout (300) is this spawner's start_timeout; what the templates hold is listed once
    assert "Used as this spawner's defaults:" in log and "start_timeout" in log
    assert log.count("KubeSpawner settings are configured, but this hub uses NotebookInstanceSpawner") == 1

    s.spawn("dave")
    instance = s.admin.get("jni", "jupyter-dave")
    assert instance["spec"]["template"] == {"name": "z2jh-default"}
    assert instance["spec"]["variables"]["pvc_name"] == "claim-dave"
    assert instance["spec"]["variables"]["hub_namespace"] == s.namespace
    pod = s.admin.get("pod", "jupyter-dave")
    assert pod["spec"]["schedulerName"] == "jhub-user-scheduler"
    assert {"release": "jhub", "component": "singleuser-server", "app": "jupyterhub"}.items() <= pod["metadata"][
        "labels"
    ].items()
    assert pod["spec"]["containers"][0]["resources"]["requests"]["memory"] == "1Gi"
    assert requests.get(instance["status"]["url"] + "/user/dave/api", timeout=10).json()["version"]
    assert (
        s.admin.get("secret", "jupyter-dave")["metadata"]["labels"]["kubespawner.jupyterhub.org/instance"]
        == "jupyter-dave"
    )
    s.stop("dave")
    s.stop_hub()


def test_a_converted_profile_list_with_two_profiles(setup):
    s = setup
    s.operator_chart_rbac()  # as in the first test: each test runs alone too (pytest -k)
    conv = s.convert("profiles", PROFILES)
    config = yaml.safe_load((conv / "z2jh-values.yaml").read_text())["hub"]["config"]["NotebookInstanceSpawner"]
    assert [p["slug"] for p in config["profile_list"]] == ["small", "large"]
    for user in ("erin", "frank"):
        s.volume_for(f"claim-{user}")
    s.start_hub([Z2JH_VALUES, conv / "z2jh-values.yaml", s.extra_files()], switched=True)

    s.spawn("erin")  # the default profile
    s.spawn("frank", {"profile": "large"})
    small, large = s.admin.get("pod", "jupyter-erin"), s.admin.get("pod", "jupyter-frank")
    assert s.admin.get("jni", "jupyter-erin")["spec"]["template"]["name"] == "z2jh-default-small"
    assert s.admin.get("jni", "jupyter-frank")["spec"]["template"]["name"] == "z2jh-default-large"
    assert small["metadata"]["labels"]["size"] == "small" and large["metadata"]["labels"]["size"] == "large"
    assert small["spec"]["containers"][0]["resources"]["limits"] == {"memory": "1Gi"}
    assert large["spec"]["containers"][0]["resources"]["limits"] == {"cpu": "2", "memory": "2Gi"}
    for user in ("erin", "frank"):
        s.stop(user)
    s.stop_hub()


def test_a_kubespawner_hub_switched_without_losing_a_home(setup):
    s = setup
    s.workdir.joinpath("jupyterhub.sqlite").unlink(missing_ok=True)  # a hub of its own history
    # KubeSpawner 7 as Z2JH 4.4.0 runs it, with its own Role, naming claims the pre-7 way ("escape")
    kubespawner_values = s.write("kubespawner.yaml", {"hub": {"config": {"KubeSpawner": {"slug_scheme": "escape"}}}})
    z2jh_rbac = subprocess.run(
        [
            s.helm,
            "template",
            "jhub",
            str(reference.Z2JH_CHART),
            "-n",
            s.namespace,
            "--kube-version",
            KUBE_VERSION,
            "-f",
            str(reference.RELEASED_TAGS_FILE),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    roles = [
        o
        for o in yaml.safe_load_all(z2jh_rbac)
        if o and o["kind"] in ("Role", "RoleBinding") and o["metadata"]["name"] == "hub"
    ]
    for role in roles:
        role["metadata"]["namespace"] = s.namespace
    s.admin.apply(roles)
    users = ["ada", "grace.hopper"]  # JupyterHub lowercases names; the dot is what KubeSpawner 6 escaped
    claims = {u: expand("claim-{user_server}", u, "", scheme="escape") for u in users}
    assert claims["grace.hopper"] == "claim-grace-2ehopper"  # a pre-7 name: no safe slug leads there
    for claim in claims.values():
        s.volume_for(claim)
    s.start_hub([kubespawner_values], switched=False)
    before = {}
    for user in users:
        s.spawn(user)
        pod = s.admin.get("pod", f"jupyter-{expand('{user_server}', user, '', scheme='escape')}")
        assert pod["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "kubespawner"
        written = s.contents(f"http://{pod['status']['podIP']}:8888", user, "PUT", f"{user}'s notes")
        assert written.status_code in (200, 201), written.text
        before[user] = s.admin.get("pvc", claims[user])["metadata"]["uid"]
    s.stop("ada")  # stopped cleanly before the switch; Grace's server keeps running through it
    legacy_pod = "jupyter-" + expand("{user_server}", "grace.hopper", "", scheme="escape")
    s.stop_hub()

    # the switch: Z2JH's hub Role goes (rbac.create: false), the operator chart's comes; templates adopt claims
    for role in roles:
        s.admin("delete", role["kind"].lower(), "hub", "-n", s.namespace)
    s.operator_chart_rbac()
    # that right is narrow: a pod KubeSpawner did not start is not the hub's to delete (the admission policy)
    s.admin.apply(
        [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": "not-kubespawners",
                    "namespace": s.namespace,
                    "labels": {"component": "singleuser-server"},
                },
                "spec": {
                    "schedulerName": "nobody",
                    "containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}],
                },
            }
        ]
    )
    refused = subprocess.run(
        [
            s.info["kubectl"],
            "--kubeconfig",
            s.info["kubeconfig"],
            "delete",
            "pod",
            "not-kubespawners",
            "-n",
            s.namespace,
            "--dry-run=server",
            f"--as=system:serviceaccount:{s.namespace}:hub",
        ],
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0 and "may only delete notebook pods KubeSpawner started" in refused.stderr, refused
    conv = s.convert("migration", {}, adopt=True)
    s.start_hub([Z2JH_VALUES, conv / "z2jh-values.yaml", s.extra_files()], switched=True)
    # Grace's KubeSpawner server is still hers: kept, reachable, no instance made for it
    assert s.server("grace.hopper")["ready"]
    assert s.admin.get("pod", legacy_pod) is not None
    assert not json.loads(s.admin("get", "jni", "-n", s.namespace, "-o", "json"))["items"]
    # stopping it deletes KubeSpawner's pod (hub.kubeSpawnerPods.stop), never the claim
    s.stop("grace.hopper")
    wait_until("KubeSpawner's pod to be gone", lambda: s.admin.get("pod", legacy_pod) is None, 60)

    for user in users:
        s.spawn(user)
        names = json.loads(s.admin("get", "jni", "-n", s.namespace, "-o", "json"))["items"]
        instance = next(i for i in names if i["spec"]["variables"]["unescaped_username"] == user)
        assert instance["spec"]["variables"]["pvc_name"] == claims[user]
        claim = s.admin.get("pvc", claims[user])
        assert claim["metadata"]["uid"] == before[user], f"{user}'s claim was replaced"
        read = s.contents(instance["status"]["url"], user)
        assert read.status_code == 200 and read.json()["content"] == f"{user}'s notes", read.text
        s.stop(user)
    s.stop_hub()
