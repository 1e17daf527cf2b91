"""Stands in for the kubelet of kwok's fake nodes: runs each notebook pod's server as a local process.

kwok marks pods Running and Ready with an IP from 127.0.0.0/8 but runs nothing. This watches the pods of one
namespace (as admin: the hub itself never reads pods) and, for each pod with an IP, starts the notebook
container's command (its args, e.g. jupyterhub-singleuser) locally with exactly the environment the operator
rendered (env values and the envFrom Secret), listening on the pod's own IP. A deleted pod's process is stopped.
A persistent volume claim mounted into the notebook container is a directory of its own (<log dir>/claims/<claim>),
the server's working directory: what a user saved is there again when a later pod mounts the same claim. A Secret
volume mounted into it is a directory of the Secret's keys (or its items) as files (<log dir>/<pod>/secrets/<volume>),
and environment values naming a path under its mount path name the same file there (internal_ssl's key files).

    python kubelet_standin.py <namespace> <log dir>      (KUBECONFIG: an admin kubeconfig)
"""

import asyncio
import base64
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from kubernetes_asyncio import client, config, watch

BIN = Path(sys.executable).parent
PROCESSES: dict[str, subprocess.Popen] = {}  # pod name -> its server


def log(message: str) -> None:
    print(f"[kubelet-standin] {message}", flush=True)


async def environment(core: client.CoreV1Api, namespace: str, container) -> dict[str, str]:
    env: dict[str, str] = {}
    for source in container.env_from or []:
        if source.secret_ref:
            secret = await core.read_namespaced_secret(source.secret_ref.name, namespace)
            for key, value in (secret.data or {}).items():
                env[key] = base64.b64decode(value).decode()
    for var in container.env or []:
        if var.value is not None:
            env[var.name] = var.value
    return env


def claim_directory(pod, container, log_dir: Path) -> Path | None:
    """The directory standing in for the claim mounted into the container (its first one), or None."""
    claims = {v.name: v.persistent_volume_claim.claim_name for v in pod.spec.volumes or [] if v.persistent_volume_claim}
    for mount in container.volume_mounts or []:
        if mount.name in claims:
            return log_dir / "claims" / claims[mount.name]
    return None


async def secret_volumes(core: client.CoreV1Api, namespace: str, pod, container, home: Path) -> dict[str, Path]:
    """Writes each Secret volume mounted into the container as files; mount path -> their directory. Raises KeyError
    for an item naming a key the Secret lacks (a kubelet would not start the pod either)."""
    sources = {v.name: v.secret for v in pod.spec.volumes or [] if v.secret}
    found: dict[str, Path] = {}
    for mount in container.volume_mounts or []:
        source = sources.get(mount.name)
        if source is None:
            continue
        secret = await core.read_namespaced_secret(source.secret_name, namespace)
        data = {key: base64.b64decode(value) for key, value in (secret.data or {}).items()}
        files = {item.path: data[item.key] for item in source.items} if source.items else data
        directory = home / "secrets" / mount.name
        for path, content in files.items():
            (directory / path).parent.mkdir(parents=True, exist_ok=True)
            (directory / path).write_bytes(content)
            (directory / path).chmod(0o600)
        found[mount.mount_path.rstrip("/")] = directory
    return found


def notebook_container(pod):
    containers = pod.spec.containers
    return next((c for c in containers if c.name == "notebook"), containers[0])


async def report_ready(core: client.CoreV1Api, namespace: str, pod) -> None:
    """A kubelet reports its running containers ready again after the node was cut off (the node controller marks
    the pods of a node without heartbeats not ready, e.g. while a test stops the API server); kwok only readies
    pending pods, so this does it."""
    ready = {c.type: c.status for c in pod.status.conditions or []}.get("Ready")
    if pod.status.phase != "Running" or ready == "True":
        return
    log(f"pod {pod.metadata.name}: its server runs, reporting it ready again")
    conditions = [{"type": t, "status": "True"} for t in ("Ready", "ContainersReady")]
    await core.patch_namespaced_pod_status(pod.metadata.name, namespace, {"status": {"conditions": conditions}})


async def run(namespace: str, log_dir: Path) -> None:
    await config.load_kube_config()
    async with client.ApiClient() as api:
        await follow_pods(client.CoreV1Api(api), namespace, log_dir)


async def follow_pods(core: client.CoreV1Api, namespace: str, log_dir: Path) -> None:
    processes = PROCESSES
    version = None
    while True:
        w = watch.Watch()
        kwargs = {"timeout_seconds": 60}
        if version:
            kwargs["resource_version"] = version
        try:
            async for event in w.stream(core.list_namespaced_pod, namespace, **kwargs):
                pod = event["object"]
                version = pod.metadata.resource_version
                name = pod.metadata.name
                gone = event["type"] == "DELETED" or pod.metadata.deletion_timestamp is not None
                if gone and name in processes:
                    log(f"pod {name} deleted: stopping its server")
                    processes.pop(name).send_signal(signal.SIGTERM)
                    continue
                if not gone and name in processes and processes[name].poll() is None:
                    await report_ready(core, namespace, pod)
                if gone or name in processes or not pod.status.pod_ip:
                    continue
                container = notebook_container(pod)
                env = await environment(core, namespace, container)
                # a pod's 0.0.0.0 is its own address; here that is the loopback IP kwok gave the pod
                url = urlsplit(env.get("JUPYTERHUB_SERVICE_URL", "http://0.0.0.0:8888/"))
                env["JUPYTERHUB_SERVICE_URL"] = urlunsplit(url._replace(netloc=f"{pod.status.pod_ip}:{url.port}"))
                command = list(container.command or []) + list(container.args or [])
                command[0] = shutil.which(command[0], path=str(BIN)) or command[0]
                home = log_dir / name
                (home / "config").mkdir(parents=True, exist_ok=True)
                try:
                    mounts = await secret_volumes(core, namespace, pod, container, home)
                except (KeyError, client.exceptions.ApiException) as e:
                    log(f"pod {name}: cannot mount its Secret volume ({e!r}); not started")
                    continue
                for key, value in list(env.items()):
                    for mount_path, directory in mounts.items():
                        if value.startswith(mount_path + "/"):
                            env[key] = str(directory) + value.removeprefix(mount_path)
                # a container runs as its own user; this stand-in may run as root, which jupyter_server refuses
                (home / "config" / "jupyter_server_config.json").write_text('{"ServerApp": {"allow_root": true}}')
                env.update(
                    PATH=f"{BIN}:{os.environ.get('PATH', '')}",
                    HOME=str(home),
                    JUPYTER_RUNTIME_DIR=str(home / "runtime"),
                    JUPYTER_CONFIG_DIR=str(home / "config"),
                    JUPYTER_DATA_DIR=str(home / "data"),
                )
                workdir = claim_directory(pod, container, log_dir) or home
                workdir.mkdir(parents=True, exist_ok=True)
                log(
                    f"pod {name} at {pod.status.pod_ip}: {' '.join(command)} ({env['JUPYTERHUB_SERVICE_URL']}, "
                    f"files in {workdir})"
                )
                with open(log_dir / f"{name}.log", "ab") as out:
                    processes[name] = subprocess.Popen(
                        command, env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
                    )
        except client.exceptions.ApiException as e:
            if e.status == 410:
                version = None
                continue
            raise
        except (TimeoutError, aiohttp.ClientError, ConnectionError) as e:
            # the API server is down (a test stops it): the servers keep running, the watch resumes when it is back
            log(f"watch failed ({e!r}); retrying")
            await asyncio.sleep(1)
        finally:
            await w.close()


def main() -> None:
    namespace, log_dir = sys.argv[1], Path(sys.argv[2])
    log_dir.mkdir(parents=True, exist_ok=True)

    def stop(*_):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        asyncio.run(run(namespace, log_dir))
    finally:
        for process in PROCESSES.values():
            process.terminate()
        # one deadline for all, within the 20 s the tests give this stand-in: never leave a server behind
        deadline = time.monotonic() + 8
        for process in PROCESSES.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


if __name__ == "__main__":
    main()
