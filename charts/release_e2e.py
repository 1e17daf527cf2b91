#!/usr/bin/env python3
"""An installed release of the chart, with its defaults, end to end on the local control plane (charts/test runs
this when the cluster is up and the operator's jar is built):

  1. `helm install --wait` with the chart's defaults into a fresh namespace (where Z2JH's `hub` ServiceAccount is);
  2. the operator runs as the Deployment's stand-in: kwok's pods run nothing, so the operator's jar runs here with
     the Deployment's own environment and a TokenRequest token of the chart's ServiceAccount (as e2e's kubelet
     stand-in runs a notebook pod's command); it validates the chart's z2jh-default template, and an instance the
     hub creates with its own token goes Ready;
  3. the chart's `helm test` hook, taken from the release (`helm get hooks`), runs its command the same way, as the
     hub's ServiceAccount: it passes, and fails once the hub is given the right to create pods (so it can fail);
  4. the aggregated ClusterRoles, for real: people bound to view, edit and admin in the namespace get exactly what
     docs/helm-chart.md says (kubectl auth can-i, as those users);
  5. the Grafana dashboard: a real Prometheus scrapes that operator during a small burst of spawns (with a failing
     instance and an invalid template), and every query of every panel returns data.

The Service address in the hook's --operator-url is mapped to the stand-in's port, as cluster DNS and kube-proxy
would. A real `helm test` is not run: kwok never ends a pod, so Helm would wait for a Succeeded phase that never
comes. Without Prometheus (Debian's `prometheus` package) step 5 is skipped, saying so, unless
JNO_DASHBOARD_REQUIRED=true. Exits 1 with what failed.

    release_e2e.py <repo root>
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
CHART = ROOT / "charts" / "jupyter-notebook-operator"
JAR = ROOT / "operator" / "target" / "jupyter-notebook-operator.jar"
DASHBOARD = CHART / "dashboards" / "jupyter-notebook-operator.json"
START = time.monotonic()
FAILED: list[str] = []


def say(message: str) -> None:
    print(f"[release-e2e {time.monotonic() - START:4.0f}s] {message}", flush=True)


def fail(message: str) -> None:
    FAILED.append(message)
    say(f"FAIL: {message}")


def info() -> dict[str, str]:
    out = subprocess.run([str(ROOT / "e2e" / "cluster"), "info"], capture_output=True, text=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


CLUSTER = info()


def run(*command: str, check: bool = True, input: str | None = None, timeout: float = 300) -> str:
    result = subprocess.run(command, capture_output=True, text=True, input=input, timeout=timeout)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr or result.stdout}")
    return result.stdout


def kubectl(*args: str, **kw) -> str:
    return run(CLUSTER["kubectl"], "--kubeconfig", CLUSTER["kubeconfig"], *args, **kw)


def helm(*args: str, **kw) -> str:
    return run(CLUSTER["helm"], "--kubeconfig", CLUSTER["kubeconfig"], *args, **kw)


def wait_until(what: str, check, timeout: float = 60, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def token_kubeconfig(directory: Path, namespace: str, account: str) -> Path:
    """A kubeconfig holding only a TokenRequest token of the ServiceAccount: what its pod would have."""
    token = kubectl("create", "token", account, "-n", namespace, "--duration=1h").strip()
    cluster = yaml.safe_load(Path(CLUSTER["kubeconfig"]).read_text())["clusters"][0]["cluster"]
    path = directory / f"{namespace}-{account}.kubeconfig"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "sa",
                "clusters": [{"name": "local", "cluster": cluster}],
                "users": [{"name": account, "user": {"token": token}}],
                "contexts": [{"name": "sa", "context": {"cluster": "local", "user": account, "namespace": namespace}}],
            }
        )
    )
    return path


def container_env(pod_spec: dict, namespace: str, pod_name: str) -> dict[str, str]:
    """The container's literal env and downward-API fields, as the kubelet would resolve them."""
    env = {}
    for var in pod_spec["containers"][0].get("env", []):
        if "value" in var:
            env[var["name"]] = var["value"]
        elif var.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "metadata.namespace":
            env[var["name"]] = namespace
        elif var.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "metadata.name":
            env[var["name"]] = pod_name
    return env


class Local:
    """A container's command run here (its image's entrypoint is the operator's jar)."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path):
        self.log = log
        self.process = subprocess.Popen(
            ["java", "-jar", str(JAR), *args],
            env={**os.environ, **env},
            stdout=open(log, "wb"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status == 200
    except OSError:
        return False


def volume(namespace: str, claim: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": f"{namespace}-{claim}", "labels": {"jno-release-e2e": namespace}},
        "spec": {
            "capacity": {"storage": "10Gi"},
            "accessModes": ["ReadWriteOnce"],
            "hostPath": {"path": f"/tmp/{namespace}/{claim}"},
            "claimRef": {"namespace": namespace, "name": claim},
            "persistentVolumeReclaimPolicy": "Delete",
        },
    }


def spawn_objects(
    namespace: str, user: str, variables: dict | None = None, template: str = "z2jh-default"
) -> list[dict]:
    """What the spawner creates for a user of the default template: the token Secret and the instance."""
    name = f"jupyter-{user}"
    labels = {"app.kubernetes.io/managed-by": "notebookinstance-spawner"}
    return [
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "Opaque",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "stringData": {"JUPYTERHUB_API_TOKEN": secrets.token_hex(16)},
        },
        {
            "apiVersion": "kubespawner.jupyterhub.org/v1",
            "kind": "JupyterNotebookInstance",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "spec": {
                "template": {"name": template},
                "user": {"name": user, "groups": []},
                "variables": {
                    "username": user,
                    "unescaped_username": user,
                    "user_server": user,
                    "userid": "1",
                    # the spawner fills these too: the claim's name and the hub's namespace (its network policy)
                    "pvc_name": f"claim-{user}",
                    "hub_namespace": namespace,
                    **(variables or {}),
                },
                "envSecretRef": {"name": name},
            },
        },
    ]


def template_valid(namespace: str, name: str) -> bool:
    jsonpath = 'jsonpath={.status.conditions[?(@.type=="Valid")].status}'
    return kubectl("get", "jnt", name, "-n", namespace, "-o", jsonpath, check=False) == "True"


def phase(namespace: str, name: str) -> str | None:
    out = kubectl("get", "jni", name, "-n", namespace, "-o", "jsonpath={.status.phase}", check=False)
    return out or None


# ------------------------------------------------------------------------------------------------------- steps


def install(namespace: str) -> None:
    kubectl("create", "namespace", namespace)
    kubectl("create", "serviceaccount", "hub", "-n", namespace)  # Z2JH's hub
    say(f"helm install jno (the chart's defaults) --namespace {namespace} --wait")
    helm("install", "jno", str(CHART), "--namespace", namespace, "--wait", "--timeout", "3m")


def quota_counted_by_the_operator(namespace: str, operator: Local) -> None:
    """The instance quota admits nothing until the quota controller has counted every resource it limits ("status
    unknown for quota"); one created before the controller discovered the CRD is counted only at its next change of
    spec.hard or resync (5 minutes). The operator gets it counted (changing the limit and back), nobody else here."""
    quota = "jno-jupyter-notebook-operator-instances"

    def counted() -> bool:
        out = kubectl("get", "resourcequota", quota, "-n", namespace, "-o", "json", check=False)
        status = (json.loads(out) if out else {}).get("status") or {}
        return bool(status.get("hard")) and set(status["hard"]) <= set(status.get("used") or {})

    wait_until("the operator to get the instance quota counted", counted, 120)
    wait_until(
        "the operator's log to name the instance quota it looked at",
        lambda: f"quota {namespace}/{quota}: " in operator.log.read_text(errors="replace"),
        30,
    )


def operator_standin(namespace: str, work: Path) -> tuple[Local, int]:
    deployment = json.loads(
        kubectl("get", "deployment", "jno-jupyter-notebook-operator", "-n", namespace, "-o", "json")
    )
    spec = deployment["spec"]["template"]["spec"]
    pods = json.loads(
        kubectl("get", "pods", "-n", namespace, "-l", "app.kubernetes.io/component=operator", "-o", "json")
    )
    pod_name = pods["items"][0]["metadata"]["name"] if pods["items"] else "jno-operator-standin"
    env = container_env(spec, namespace, pod_name)
    port = free_port()  # the pod's port 8080 is not free on a shared machine; the Service maps to this one
    env.update(
        KUBECONFIG=str(token_kubeconfig(work, namespace, spec["serviceAccountName"])),
        JNO_HTTP_PORT=str(port),
        # the chart's JVM options assume a container memory limit; here the machine's memory would be read
        JAVA_TOOL_OPTIONS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx192m -Xss512k",
    )
    say(f"the operator as the Deployment's stand-in: its env ({len(env)} variables), the chart's ServiceAccount token")
    operator = Local([], env, work / "operator.log")
    wait_until(
        "the operator's /readyz",
        lambda: operator.process.poll() is None and http_ok(f"http://127.0.0.1:{port}/readyz"),
        120,
    )
    return operator, port


def end_to_end(namespace: str, work: Path) -> None:
    wait_until("the chart's z2jh-default template to be Valid", lambda: template_valid(namespace, "z2jh-default"), 60)
    say("ok   the operator validated the chart's default template (Valid=True)")
    hub = token_kubeconfig(work, namespace, "hub")
    kubectl("apply", "-f", "-", input=yaml.safe_dump(volume(namespace, "claim-ada")))
    run(
        CLUSTER["kubectl"], "--kubeconfig", str(hub), "create", "-f", "-",
        input=json.dumps({"apiVersion": "v1", "kind": "List", "items": spawn_objects(namespace, "ada")}),
    )  # fmt: skip
    wait_until("ada's instance to be Ready", lambda: phase(namespace, "jupyter-ada") == "Ready", 120)
    url = kubectl("get", "jni", "jupyter-ada", "-n", namespace, "-o", "jsonpath={.status.url}")
    say(f"ok   the hub's instance of z2jh-default is Ready at {url} (created with the hub's own token)")


def hook(namespace: str, work: Path, port: int, expect_pass: bool) -> None:
    hooks = [d for d in yaml.safe_load_all(helm("get", "hooks", "jno", "-n", namespace)) if d]
    tests = [d for d in hooks if d.get("metadata", {}).get("annotations", {}).get("helm.sh/hook") == "test"]
    if len(tests) != 1 or tests[0]["kind"] != "Pod":
        fail(f"expected one helm test Pod hook, got {[(d['kind'], d['metadata']['name']) for d in tests]}")
        return
    pod = tests[0]
    container = pod["spec"]["containers"][0]
    service = f"http://jno-jupyter-notebook-operator-metrics.{namespace}.svc:8080"
    args = [a.replace(service, f"http://127.0.0.1:{port}") for a in container.get("args", [])]
    if args == container.get("args"):
        fail(f"the hook does not ask the operator's Service {service}: {args}")
    env = container_env(pod["spec"], pod["metadata"]["namespace"], pod["metadata"]["name"])
    env["KUBECONFIG"] = str(token_kubeconfig(work, pod["metadata"]["namespace"], pod["spec"]["serviceAccountName"]))
    log = work / f"self-check-{'pass' if expect_pass else 'fail'}.log"
    check = Local(args, env, log)
    status = check.process.wait(120)
    output = log.read_text()
    print("      " + output.strip().replace("\n", "\n      "))
    if expect_pass and status != 0:
        fail(f"the helm test hook failed on a correct release (exit {status})")
    elif expect_pass:
        for line in ("ok    the operator is ready", "may create jupyternotebookinstances", "may not create pods"):
            if line not in output:
                fail(f"the self-check did not report {line!r}")
        say("ok   the helm test hook passes (run as the hub's ServiceAccount with the operator's image's command)")
    elif status != 1 or "FAIL  this identity may create pods" not in output:
        fail(f"the hook did not fail once the hub may create pods (exit {status})")
    else:
        say("ok   the hook fails once the hub may create pods")


def aggregated_roles(namespace: str) -> None:
    expected = {
        # user: (the built-in role, what it may, what it may not)
        "viewer": ("view", ["get jnt", "list jni", "watch jni"], ["create jni", "delete jni", "create jnt"]),
        "editor": ("edit", ["list jnt", "create jni", "delete jni", "patch jni"], ["create jnt", "patch jnt", "patch jni/status"]),
        "nsadmin": ("admin", ["create jnt", "patch jnt", "delete jnt", "create jni"], ["patch jni/status"]),
    }  # fmt: skip
    plural = {"jni": "jupyternotebookinstances", "jnt": "jupyternotebookinstancetemplates"}
    failed_before = len(FAILED)
    for user, (role, _, _) in expected.items():
        kubectl("create", "rolebinding", f"{user}-{role}", f"--clusterrole={role}", f"--user={user}", "-n", namespace)
    for user, (role, may, may_not) in expected.items():
        for wanted, actions in ((True, may), (False, may_not)):
            for action in actions:
                verb, kind = action.split()
                resource, _, sub = kind.partition("/")
                target = [f"{plural[resource]}.kubespawner.jupyterhub.org"] + ([f"--subresource={sub}"] if sub else [])

                def answer(verb=verb, target=target, user=user):
                    out = kubectl("auth", "can-i", verb, *target, "-n", namespace, f"--as={user}", check=False)
                    return out.strip() == "yes"

                if wanted:  # the aggregation controller fills the built-in roles a moment after install
                    try:
                        wait_until(f"{user} ({role}) may {action}", answer, 30)
                    except TimeoutError:
                        fail(f"{user}, bound to {role}, may not {action}")
                elif answer():
                    fail(f"{user}, bound to {role}, may {action}")
    if len(FAILED) == failed_before:
        say("ok   view reads instances and templates, edit also writes instances, admin also templates")


def dashboard(namespace: str, work: Path, port: int) -> None:
    prometheus = shutil.which("prometheus")
    if prometheus is None:
        message = "prometheus is missing (apt-get install prometheus): the dashboard check is skipped"
        if os.environ.get("JNO_DASHBOARD_REQUIRED") == "true":
            fail(message)
        else:
            say(message)
        return
    web = free_port()
    config = work / "prometheus.yml"
    config.write_text(
        yaml.safe_dump(
            {
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "scrape_configs": [
                    {"job_name": "jupyter-notebook-operator", "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}
                ],
            }
        )
    )
    server = subprocess.Popen(
        [
            prometheus,
            f"--config.file={config}",
            f"--storage.tsdb.path={work / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{web}",
        ],
        stdout=open(work / "prometheus.log", "wb"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    api = f"http://127.0.0.1:{web}/api/v1"
    try:
        wait_until("Prometheus to answer", lambda: http_ok(f"http://127.0.0.1:{web}/-/ready"), 60)

        def scraped():
            result = query(api, "up")
            return result and result[0]["value"][1] == "1"

        wait_until("Prometheus to scrape the operator", scraped, 60)
        say("a small burst: 8 spawns, one with a refused value, and an invalid template")
        example = (ROOT / "crds" / "examples" / "z2jh-default-template.yaml").read_text()
        # The burst's template is the default one without its claim: the scheduler may hold a pod whose claim it
        # has not seen yet for minutes (its back-off), which is not what this step measures.
        burst = yaml.safe_load(example)
        burst["metadata"] = {"name": "burst", "namespace": namespace}
        burst["spec"].pop("persistentVolumeClaims")
        burst["spec"]["pods"][0]["spec"].pop("volumes")
        burst["spec"]["pods"][0]["spec"]["containers"][0].pop("volumeMounts")
        broken = yaml.safe_load(example)
        broken["metadata"] = {"name": "broken", "namespace": namespace}
        broken["spec"]["pods"][0]["labels"]["team"] = "{undeclared}"
        kubectl("create", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List", "items": [burst, broken]}))
        wait_until("the burst's template to be Valid", lambda: template_valid(namespace, "burst"), 60)
        objects = []
        for i in range(8):
            objects += spawn_objects(namespace, f"burst{i}", template="burst")
        objects += spawn_objects(namespace, "refused", {"image": "docker.io/example/miner:latest"}, template="burst")
        kubectl("create", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List", "items": objects}))
        wait_until(
            "the burst to be Ready",
            lambda: (
                all(phase(namespace, f"jupyter-burst{i}") == "Ready" for i in range(8))
                and phase(namespace, "jupyter-refused") == "Failed"
            ),
            180,
            1,
        )
        time.sleep(5)  # a few more scrapes
        board = json.loads(DASHBOARD.read_text())
        empty = []
        for panel in board["panels"]:
            for target in panel["targets"]:
                expr = target["expr"].replace("$__rate_interval", "1m").replace("$job", ".*")
                result = query(api, expr)
                finite = [r for r in result if r["value"][1] not in ("NaN", "+Inf", "-Inf")]
                if not finite:
                    empty.append(f"{panel['title']}: {target['expr']} -> {result}")
                elif (panel["title"], target.get("legendFormat")) in MOVED and not any(
                    float(r["value"][1]) > 0 for r in finite
                ):
                    empty.append(f"{panel['title']}: {target['expr']} stayed 0 during the burst: {result}")
                else:
                    finite.sort(key=lambda r: -float(r["value"][1]))
                    values = ", ".join(f"{metric_label(r)}={float(r['value'][1]):.3g}" for r in finite[:4])
                    say(f"  ok   {panel['title']} [{target.get('legendFormat', '')}]: {values}")
        for e in empty:
            fail(f"a dashboard query returned no data: {e}")
        if not empty:
            say(
                f"ok   all {sum(len(p['targets']) for p in board['panels'])} queries of the dashboard's panels return data"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()


# Queries the burst must move (not only answer): spawns started, Ready and Failed, and the failure by its reason
# (a counter Prometheus first sees at 1 would show no increase: the operator starts them at 0).
MOVED = {
    ("Spawns per minute", "started"),
    ("Spawns per minute", "Ready"),
    ("Spawns per minute", "Failed"),
    ("Failures by reason", "{{kind}} {{reason}}"),
    ("Instances by phase", "{{phase}}"),
}


def query(api: str, expr: str) -> list:
    with urllib.request.urlopen(f"{api}/query?" + urllib.parse.urlencode({"query": expr}), timeout=10) as response:
        body = json.load(response)
    if body.get("status") != "success":
        raise RuntimeError(f"{expr}: {body}")
    return body["data"]["result"]


def metric_label(result: dict) -> str:
    labels = {k: v for k, v in result["metric"].items() if k not in ("job", "instance")}
    return ",".join(f"{v}" for v in labels.values()) or "value"


def main() -> int:
    if not JAR.exists():
        say(f"{JAR.relative_to(ROOT)} is missing (mvn -B -pl operator -am package): skipped")
        return 0
    namespace = f"jno-release-{secrets.token_hex(3)}"
    work = Path(tempfile.mkdtemp(prefix="jno-release-e2e-"))
    operator = None
    try:
        install(namespace)
        operator, port = operator_standin(namespace, work)
        quota_counted_by_the_operator(namespace, operator)
        end_to_end(namespace, work)
        hook(namespace, work, port, expect_pass=True)
        kubectl("create", "role", "pod-maker", "--verb=create", "--resource=pods", "-n", namespace)
        kubectl(
            "create",
            "rolebinding",
            "hub-pod-maker",
            "--role=pod-maker",
            f"--serviceaccount={namespace}:hub",
            "-n",
            namespace,
        )
        hook(namespace, work, port, expect_pass=False)
        aggregated_roles(namespace)
        dashboard(namespace, work, port)
    except Exception as e:  # a step that could not even run
        fail(f"{type(e).__name__}: {e}")
        if operator:
            print(operator.tail())
    finally:
        if operator:
            operator.stop()
        helm("uninstall", "jno", "-n", namespace, check=False)
        kubectl("delete", "jni", "--all", "-n", namespace, "--wait=false", check=False)
        kubectl("delete", "namespace", namespace, "--wait=false", check=False)
        kubectl("delete", "pv", "-l", f"jno-release-e2e={namespace}", "--wait=false", check=False)
        say(f"logs in {work}")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
