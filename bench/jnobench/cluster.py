"""The local control plane as the benchmark sees it: facts from `e2e/cluster info`, capacity (extra kwok nodes),
the CRDs, an operator identity of its own (so the audit log can tell its requests apart), and restarting
kube-apiserver (a fault to inject, and how the audit log is switched on) from the pid and command line that
e2e/cluster recorded."""

import base64
import functools
import glob
import math
import operator
import os
import signal
import subprocess
import time

from .kube import ApiError, Kube
from .log import say

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OPERATOR_USER = "jno-bench-operator"
HUB_USER = "jno-bench-hub"  # the JupyterHub of the hub comparison (bench/jnobench/hub.py), whatever its spawner
KUBEFLOW_USER = "jno-bench-kubeflow"  # Kubeflow's notebook controller (bench/jnobench/kubeflow.py)
BENCHMARK_USER = "jno-admin"  # the harness itself (e2e/cluster's admin kubeconfig)
# Who the audit log records (metadata of every request but kwok's node leases), and the name a table gives them.
# kube-controller-manager's controllers act as ServiceAccounts of kube-system (--use-service-account-credentials).
AUDITED_USERS = {
    OPERATOR_USER: "operator",
    HUB_USER: "hub",
    KUBEFLOW_USER: "kubeflow-controller",
    BENCHMARK_USER: "benchmark",
    "kwok": "kwok",
    "system:kube-scheduler": "kube-scheduler",
}
CONTROLLER_SA_PREFIX = "system:serviceaccount:kube-system:"


def client_name(user):
    """The short name of an audited user: 'operator', 'hub', ..., 'controller-manager/<controller>'."""
    if user in AUDITED_USERS:
        return AUDITED_USERS[user]
    if user and user.startswith(CONTROLLER_SA_PREFIX):
        return "controller-manager/" + user[len(CONTROLLER_SA_PREFIX) :]
    return user or "?"


def audit_policy():
    """Metadata of the requests of the benchmark's clients and the control plane's (one line per completed
    request), nothing else: kwok's node heartbeats (Leases) and other users are left out."""
    users = "".join(f"\n  - {u}" for u in AUDITED_USERS)
    return f"""apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived, ResponseStarted]
rules:
- level: None
  users: [kwok]
  resources: [{{group: coordination.k8s.io, resources: [leases]}}]
- level: Metadata
  users:{users}
- level: Metadata
  userGroups: [system:serviceaccounts:kube-system]
- level: None
"""


BENCH_NODE_PODS = 240  # a /24 podCIDR holds 254 addresses; stay below so kwok never runs out of pod IPs
BENCH_NODE_FIRST_OCTET = 100  # bench nodes get <prefix>.100.0/24 .. <prefix>.254.0/24; e2e/cluster uses .0, .1, ...


CLK_TCK = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid):
    """User + system CPU time of a process so far (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14 and 15 of stat)


def cluster_info():
    out = subprocess.run(
        [os.path.join(REPO, "e2e", "cluster"), "info"], check=True, capture_output=True, text=True
    ).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


class Cluster:
    def __init__(self):
        self.info = cluster_info()
        self.state_dir = self.info["stateDir"]
        self.kubectl = self.info["kubectl"]
        self.kubeconfig = self.info["kubeconfig"]
        self.kube = Kube(self.kubeconfig, self.kubectl)
        self.audit_log = os.path.join(self.state_dir, "logs", "audit.log")

    def kubectl_run(self, *args, check=True):
        r = subprocess.run([self.kubectl, "--kubeconfig", self.kubeconfig, *args], capture_output=True, text=True)
        if check and r.returncode != 0:
            raise RuntimeError(f"kubectl {' '.join(args)} failed ({r.returncode}): {r.stderr.strip()[-800:]}")
        return r

    # ------------------------------------------------------------------------------------------------ CRDs

    def apply_crds(self):
        files = sorted(glob.glob(os.path.join(REPO, "crds", "*.yaml")))
        self.kubectl_run(
            "apply",
            "--server-side",
            "--force-conflicts",
            "--field-manager",
            "jno-bench",
            *functools.reduce(operator.iadd, (["-f", f] for f in files), []),
        )
        deadline = time.monotonic() + 120
        for crd in ("jupyternotebookinstances", "jupyternotebookinstancetemplates"):
            path = f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{crd}.kubespawner.jupyterhub.org"
            while True:
                st, body = self.kube.request("GET", path, retry_until=deadline)
                conds = ((body or {}).get("status") or {}).get("conditions") or [] if st == 200 else []
                if any(c["type"] == "Established" and c["status"] == "True" for c in conds):
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"CRD {crd} not Established 120s after it was applied")
                time.sleep(0.3)
        # Discovery can lag behind Established by a moment.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            st, _ = self.kube.request("GET", "/apis/kubespawner.jupyterhub.org/v1/jupyternotebookinstances")
            if st == 200:
                return
            time.sleep(0.5)
        raise RuntimeError("the JupyterNotebookInstance API is not served 60s after the CRDs were Established")

    # ------------------------------------------------------------------------------------------------ capacity

    def ensure_pod_capacity(self, pods):
        """Adds kwok nodes (BENCH_NODE_PODS pods each) until the Ready nodes can hold `pods` more pods than the
        cluster runs now."""
        running, _ = self.kube.list("pods", field_selector="status.phase!=Succeeded,status.phase!=Failed")
        pods += len(running)
        nodes, _ = self.kube.list("nodes")
        cap = sum(
            int(n["status"].get("allocatable", {}).get("pods", "0"))
            for n in nodes
            if any(c["type"] == "Ready" and c["status"] == "True" for c in n["status"].get("conditions", []))
        )
        bench = {n["metadata"]["name"] for n in nodes if n["metadata"]["name"].startswith("kwok-bench-")}
        missing = max(0, math.ceil((pods - cap) / BENCH_NODE_PODS))
        if not missing:
            return 0
        prefix = self.info.get("podCidrPrefix", "127.8")
        i, added = 0, []
        while len(added) < missing:
            name = f"kwok-bench-{i}"
            if name not in bench:
                if BENCH_NODE_FIRST_OCTET + i > 254:
                    raise RuntimeError(f"cannot add more than {255 - BENCH_NODE_FIRST_OCTET} bench nodes")
                cidr = f"{prefix}.{BENCH_NODE_FIRST_OCTET + i}.0/24"
                self.kube.create(
                    "nodes",
                    None,
                    {
                        "apiVersion": "v1",
                        "kind": "Node",
                        "metadata": {
                            "name": name,
                            "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
                            # not type=kwok: e2e/cluster counts those as its own nodes when it checks health
                            "labels": {
                                "jno-bench": "true",
                                "kubernetes.io/hostname": name,
                                "kubernetes.io/os": "linux",
                                "kubernetes.io/arch": "amd64",
                            },
                        },
                        "spec": {"podCIDR": cidr, "podCIDRs": [cidr]},
                        "status": {
                            "allocatable": {"cpu": "1k", "memory": "4Ti", "pods": str(BENCH_NODE_PODS)},
                            "capacity": {"cpu": "1k", "memory": "4Ti", "pods": str(BENCH_NODE_PODS)},
                        },
                    },
                )
                added.append(name)
            i += 1
        deadline = time.monotonic() + 180
        while True:
            ready = 0
            for name in added:
                n = self.kube.get("nodes", None, name)
                if n and any(c["type"] == "Ready" and c["status"] == "True" for c in n["status"].get("conditions", [])):
                    ready += 1
            if ready == len(added):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {ready}/{len(added)} bench nodes Ready after 180s")
            time.sleep(1)
        say(f"added {len(added)} kwok nodes ({BENCH_NODE_PODS} pods each) for {pods} pods")
        return len(added)

    # ------------------------------------------------------------------------------------------------ identity

    def operator_kubeconfig(self):
        """A kubeconfig for user jno-bench-operator (group system:masters), signed by the cluster's CA, so that the
        operator's requests carry a user name of their own in the audit log."""
        return self.user_kubeconfig(OPERATOR_USER)

    def user_kubeconfig(self, user):
        """A kubeconfig for `user` (group system:masters) with a client certificate signed by the cluster's CA:
        every benchmarked client (operator, hub, Kubeflow's controller) gets a name of its own in the audit log."""
        pki = os.path.join(self.state_dir, "pki")
        out = os.path.join(self.state_dir, f"bench-{user.removeprefix('jno-bench-')}.kubeconfig")
        if os.path.exists(out):
            return out
        key, csr, crt = (os.path.join(pki, f"{user}.{x}") for x in ("key", "csr", "crt"))
        ext = os.path.join(pki, f"{user}.ext")
        with open(ext, "w") as f:
            f.write(
                "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=clientAuth\n"
            )
        for cmd in (
            ["openssl", "genrsa", "-out", key, "2048"],
            ["openssl", "req", "-new", "-key", key, "-subj", f"/O=system:masters/CN={user}", "-out", csr],
            [
                "openssl",
                "x509",
                "-req",
                "-in",
                csr,
                "-CA",
                os.path.join(pki, "ca.crt"),
                "-CAkey",
                os.path.join(pki, "ca.key"),
                "-CAcreateserial",
                "-sha256",
                "-days",
                "30",
                "-extfile",
                ext,
                "-out",
                crt,
            ],
        ):
            subprocess.run(cmd, check=True, capture_output=True)

        def b64(p):
            with open(p, "rb") as fh:
                return base64.b64encode(fh.read()).decode()

        with open(out + ".tmp", "w") as f:
            f.write(f"""apiVersion: v1
kind: Config
clusters:
- name: jno-local
  cluster:
    server: {self.info["server"]}
    certificate-authority-data: {b64(os.path.join(pki, "ca.crt"))}
users:
- name: {user}
  user:
    client-certificate-data: {b64(crt)}
    client-key-data: {b64(key)}
contexts:
- name: jno-local
  context: {{cluster: jno-local, user: {user}, namespace: default}}
current-context: jno-local
""")
        os.chmod(out + ".tmp", 0o600)
        os.replace(out + ".tmp", out)
        return out

    # ------------------------------------------------------------------------------------------------ apiserver

    def component_cpu_seconds(self):
        """CPU seconds so far of each control-plane process (etcd, kube-apiserver, ..., kwok), by name."""
        out = {}
        for pidfile in sorted(os.listdir(os.path.join(self.state_dir, "pids"))):
            with open(os.path.join(self.state_dir, "pids", pidfile)) as f:
                out[pidfile.removesuffix(".pid")] = process_cpu_seconds(int(f.read().strip()))
        return out

    def apiserver_pid(self):
        with open(os.path.join(self.state_dir, "pids", "kube-apiserver.pid")) as f:
            return int(f.read().strip())

    def apiserver_args(self):
        with open(f"/proc/{self.apiserver_pid()}/cmdline", "rb") as f:
            return [a.decode() for a in f.read().split(b"\0") if a]

    def audit_log_end(self):
        """The audit log's current size: where a reader starts to see only what comes next."""
        return os.path.getsize(self.audit_log) if os.path.exists(self.audit_log) else 0

    def audit_enabled(self):
        return any(a.startswith("--audit-policy-file") for a in self.apiserver_args())

    def audit_policy_path(self):
        return os.path.join(self.state_dir, "bench-audit-policy.yaml")

    def audit_policy_current(self):
        """Whether the running API server's audit policy is this harness's (an older one recorded fewer clients)."""
        try:
            with open(self.audit_policy_path()) as f:
                return self.audit_enabled() and f.read() == audit_policy()
        except OSError:
            return False

    def restart_apiserver(self, audit=None, down_seconds=0.0):
        """Stops kube-apiserver (SIGTERM, SIGKILL after 20s), optionally waits `down_seconds`, and starts it again
        with the same arguments (plus or minus the audit flags), recording the new pid where e2e/cluster reads it.
        Returns the seconds until /readyz answered ok again."""
        args = self.apiserver_args()
        if audit is None:
            audit = any(a.startswith("--audit-policy-file") for a in args)
        args = [a for a in args if not a.startswith("--audit-")]
        # e2e/cluster passes flags as "--flag value" pairs: drop the values of removed flags too.
        cleaned, skip = [], False
        for a in args:
            if skip:
                skip = False
                continue
            if a in ("--audit-policy-file", "--audit-log-path", "--audit-log-maxsize", "--audit-log-maxbackup"):
                skip = True
                continue
            cleaned.append(a)
        args = cleaned
        if audit:
            policy = self.audit_policy_path()
            with open(policy, "w") as f:
                f.write(audit_policy())
            # maxsize 0 does not mean unlimited: the log rotates at 100 MB, which a 10,000-instance run reaches,
            # and the readers (byte offsets into audit.log) would see nothing after it. 100 GB is never reached.
            args += [
                f"--audit-policy-file={policy}",
                f"--audit-log-path={self.audit_log}",
                "--audit-log-maxsize=100000",
                "--audit-log-mode=blocking",
            ]
        pid = self.apiserver_pid()
        t0 = time.monotonic()
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        while os.path.exists(f"/proc/{pid}") and _not_zombie(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if os.path.exists(f"/proc/{pid}") and _not_zombie(pid):
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.5)
        if down_seconds:
            time.sleep(down_seconds)
        log = open(os.path.join(self.state_dir, "logs", "kube-apiserver.log"), "ab")
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        log.close()
        with open(os.path.join(self.state_dir, "pids", "kube-apiserver.pid.tmp"), "w") as f:
            f.write(f"{proc.pid}\n")
        os.replace(
            os.path.join(self.state_dir, "pids", "kube-apiserver.pid.tmp"),
            os.path.join(self.state_dir, "pids", "kube-apiserver.pid"),
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"kube-apiserver exited with {proc.returncode} on restart; see its log")
            try:
                st, _ = self.kube.request("GET", "/readyz")
            except ApiError:
                st = 0  # not listening yet
            if st == 200:
                return time.monotonic() - t0
            time.sleep(0.2)
        raise RuntimeError("kube-apiserver not ready 180s after restart")


def _not_zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False
