"""A real JupyterHub started the way Zero-to-JupyterHub's hub Deployment starts it: Z2JH 4.4.0's own
jupyterhub_config.py and z2jh.py, its values and names mounted where the chart mounts them.

The chart is rendered with `helm template`; its hub Deployment's volumes and volumeMounts are materialized from the
rendered ConfigMap and Secret exactly as a kubelet would (whole volumes, subPath files, Secret items), its env is
resolved (values, the Secret's keys, the pod's namespace), and the container's args run in a private mount namespace
(`unshare -m`) in which /usr/local/etc/jupyterhub holds those files and /run/secrets/kubernetes.io/serviceaccount
holds a ServiceAccount token, as in a pod; the hub then reaches the API server with in-cluster credentials. Nothing
outside that namespace sees the mounts.
"""

from __future__ import annotations

import base64
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ETC = "/usr/local/etc/jupyterhub"
DATA = "/srv/jupyterhub"


def render(helm: str, chart: Path, namespace: str, values: list[Path], kube_version: str) -> list[dict]:
    out = subprocess.run(
        [helm, "template", "jhub", str(chart), "--namespace", namespace, "--kube-version", kube_version]
        + [arg for v in values for arg in ("-f", str(v))],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise AssertionError(f"helm template of Zero-to-JupyterHub failed: {out.stderr}")
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def find(objects: list[dict], kind: str, name: str) -> dict:
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)


def secret_data(secret: dict) -> dict[str, bytes]:
    data = {k: base64.b64decode(v) for k, v in (secret.get("data") or {}).items()}
    data.update({k: v.encode() for k, v in (secret.get("stringData") or {}).items()})
    return data


def volume_files(objects: list[dict], volume: dict) -> dict[str, bytes]:
    """path inside the volume -> content, for configMap and Secret volumes (with their items, if any)."""
    if "configMap" in volume:
        source = volume["configMap"]
        data = {k: v.encode() for k, v in (find(objects, "ConfigMap", source["name"]).get("data") or {}).items()}
    elif "secret" in volume:
        source = volume["secret"]
        data = secret_data(find(objects, "Secret", source["secretName"]))
    else:
        raise AssertionError(f"the hub mounts a volume this harness does not know: {volume}")
    if source.get("items"):
        return {item["path"]: data[item["key"]] for item in source["items"]}
    return data


def materialize(objects: list[dict], root: Path, workdir: Path) -> tuple[list[str], dict[str, str]]:
    """Writes the hub container's mounts under root (/usr/local/etc/jupyterhub) and returns (args, env)."""
    deployment = find(objects, "Deployment", "hub")
    pod = deployment["spec"]["template"]["spec"]
    container = next(c for c in pod["containers"] if c["name"] == "hub")
    volumes = {v["name"]: v for v in pod["volumes"]}
    for mount in container["volumeMounts"]:
        path = mount["mountPath"]
        if path == DATA:
            continue  # the database claim: the hub's working directory
        if not path.startswith(ETC):
            raise AssertionError(f"the hub mounts {path}, which this harness does not provide")
        target = root / path[len(ETC) :].lstrip("/")
        files = volume_files(objects, volumes[mount["name"]])
        if "subPath" in mount:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[mount["subPath"]])
        else:
            for name, content in files.items():
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                (target / name).write_bytes(content)
    env = {}
    for var in container.get("env", []):
        if "value" in var:
            env[var["name"]] = var["value"]
        elif "secretKeyRef" in var.get("valueFrom", {}):
            ref = var["valueFrom"]["secretKeyRef"]
            env[var["name"]] = secret_data(find(objects, "Secret", ref["name"]))[ref["key"]].decode()
        elif var.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "metadata.namespace":
            env[var["name"]] = "__NAMESPACE__"
    return container["args"], env


class Z2jhHub:
    """One hub process; start() renders and mounts afresh, so each start may use other values (same database)."""

    def __init__(self, helm: str, chart: Path, kube_version: str, namespace: str, workdir: Path, api: dict):
        self.helm, self.chart, self.kube_version, self.namespace = helm, chart, kube_version, namespace
        self.workdir, self.api = workdir, api  # api: host, port, token, ca (PEM)
        self.process: subprocess.Popen | None = None
        self.log = workdir / "jupyterhub.log"
        self.starts = 0

    def start(self, values: list[Path], hide: list[Path] = ()) -> list[dict]:
        """Starts the hub with these values files; `hide` are directories made empty inside its mount namespace
        (the installed spawner package, to prove the mounted copy is the one used). Returns the rendering."""
        self.starts += 1
        objects = render(self.helm, self.chart, self.namespace, values, self.kube_version)
        root = self.workdir / f"etc-{self.starts}"
        etc = root / "jupyterhub"
        args, env = materialize(objects, etc, self.workdir)
        run = root / "run"
        account = run / "secrets" / "kubernetes.io" / "serviceaccount"
        account.mkdir(parents=True)
        (account / "token").write_text(self.api["token"])
        (account / "ca.crt").write_text(self.api["ca"])
        (account / "namespace").write_text(self.namespace)
        env = {k: (self.namespace if v == "__NAMESPACE__" else v) for k, v in env.items()}
        env.update(
            PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}",
            PYTHONPATH=str(Path(__file__).resolve().parent),  # memory_proxy (no configurable-http-proxy here)
            KUBERNETES_SERVICE_HOST=self.api["host"],
            KUBERNETES_SERVICE_PORT=str(self.api["port"]),
            HUB_SERVICE_HOST="127.0.0.1",
            HUB_SERVICE_PORT="8081",
            PROXY_API_SERVICE_HOST="127.0.0.1",
            PROXY_API_SERVICE_PORT="8001",
            HOME=str(self.workdir),
        )
        empty = root / "empty"
        empty.mkdir()
        mounts = [f"mount --bind {shlex.quote(str(root))} /usr/local/etc", f"mount --bind {shlex.quote(str(run))} /run"]
        mounts += [f"mount --bind {shlex.quote(str(empty))} {shlex.quote(str(h))}" for h in hide]
        script = " && ".join(mounts) + " && exec " + " ".join(shlex.quote(a) for a in args)
        unshare = ["unshare", "-m", "--propagation", "private"] if os.geteuid() == 0 else ["unshare", "-r", "-m"]
        self.process = subprocess.Popen(
            [*unshare, "sh", "-c", script],
            env=env,
            cwd=self.workdir,
            stdout=open(self.log, "ab"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        return objects

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def can_unshare() -> str | None:
    """None when a private mount namespace can be made here, else why not."""
    if shutil.which("unshare") is None:
        return "unshare (util-linux) is not installed"
    command = ["unshare", "-m", "true"] if os.geteuid() == 0 else ["unshare", "-r", "-m", "true"]
    result = subprocess.run(command, capture_output=True, text=True)
    return None if result.returncode == 0 else f"cannot make a mount namespace: {result.stderr.strip()}"
