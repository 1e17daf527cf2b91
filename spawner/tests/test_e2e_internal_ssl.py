"""End to end, JupyterHub's internal_ssl: a real JupyterHub (`c.JupyterHub.internal_ssl = True`) spawning through the
real operator on the local control plane, and a real jupyterhub-singleuser serving TLS on its pod's loopback IP.

The hub makes the server's key and certificate (signed by its notebooks-ca, for the DNS names of a Service called like
the instance); the spawner puts them into the server's Secret, and the template mounts them and declares the
server's address as that Service's name (kubespawner.jupyterhub.org/server-url). The kubelet stand-in mounts a Secret
volume as a directory of files; kwok runs no DNS, so tests/e2e/cluster_dns.py answers for the hub's HTTP client what
CoreDNS would (the Service's EndpointSlices). The hub's own request to the server (its wait for the server's /api)
then goes over TLS with the hub's client certificate, checked against the host name; the route it gives its proxy is
https. The proxy of this stack is MemoryProxy (routes only), so configurable-http-proxy's TLS to the server is not
exercised here (docs/spawner.md says why).
"""

from __future__ import annotations

import base64
import json
import os
import socket
import ssl
import sys
from pathlib import Path

import pytest
import requests
from test_e2e import (
    HERE,
    PORT,
    Hub,
    Process,
    cluster_info,
    create_user,
    hub_rbac,
    operator_stack,
    template,
    unavailable,
    wait_until,
)

pytestmark = pytest.mark.e2e

IMAGE = "quay.io/jupyterhub/k8s-singleuser-sample:4.2.0"
MOUNT = "/etc/jupyterhub/ssl"
#: the Secret's keys and the files the server reads (NotebookInstanceSpawner's internal_ssl contract)
FILES = {
    "JUPYTERHUB_SSL_KEY": "ssl.key",
    "JUPYTERHUB_SSL_CERT": "ssl.crt",
    "JUPYTERHUB_SSL_CA": "notebooks-ca_trust.crt",
}


def tls_template(namespace: str) -> dict:
    """The notebook pod mounts its instance's Secret's three TLS keys; a headless Service named like the instance
    gives the server the DNS name its certificate carries, and that name is the address the operator reports."""
    t = template("e2e-tls", IMAGE, namespace)
    t["metadata"]["annotations"] = {
        "kubespawner.jupyterhub.org/server-url": f"https://{{podName}}.{namespace}.svc.cluster.local:{{port}}"
    }
    pod = t["spec"]["pods"][0]
    pod["name"] = "{instance_name}"
    pod["labels"]["e2e-server"] = "{instance_name}"
    items = [{"key": key, "path": path} for key, path in FILES.items()]
    pod["spec"]["volumes"] = [{"name": "internal-ssl", "secret": {"secretName": "{instance_name}", "items": items}}]
    pod["spec"]["containers"][0]["volumeMounts"] = [{"name": "internal-ssl", "mountPath": MOUNT, "readOnly": True}]
    t["spec"]["services"] = [
        {
            "name": "{instance_name}",
            "spec": {
                "clusterIP": "None",
                "selector": {"e2e-server": "{instance_name}"},
                "ports": [{"name": "notebook", "port": PORT, "targetPort": PORT}],
            },
        }
    ]
    return t


class TlsHub(Hub):
    """The hub with internal_ssl: its API speaks TLS only and wants a client certificate of its CAs."""

    def __init__(self, workdir: Path, namespace: str, kubeconfig: Path, admin_kubeconfig: str):
        super().__init__(workdir, namespace, kubeconfig)
        self.certs = workdir / "internal-ssl"
        self.url = self.url.replace("http://", "https://")
        with open(self.config, "a") as config:
            config.write(f"""
from cluster_dns import ClusterDns  # tests/e2e: the cluster DNS kwok does not run, for the hub's HTTP client

c.JupyterHub.internal_ssl = True
c.JupyterHub.internal_certs_location = "{self.certs}"
c.JupyterHubHTTPClient.connector_options = {{"resolver": ClusterDns("{admin_kubeconfig}")}}
c.NotebookInstanceSpawner.profile_list = []
c.NotebookInstanceSpawner.template_name = "e2e-tls"
c.JupyterHub.load_roles.append({{"name": "e2e-proxy", "scopes": ["proxy"], "services": ["e2e"]}})
""")

    def start(self) -> None:
        # the REST client presents the hub's own internal certificate (signed by hub-ca, which the hub trusts)
        self.session.cert = (
            str(self.certs / "hub-internal" / "hub-internal.crt"),
            str(self.certs / "hub-internal" / "hub-internal.key"),
        )
        self.session.verify = str(self.certs / "hub-ca_trust.crt")
        self.session.trust_env = False  # else $REQUESTS_CA_BUNDLE wins over session.verify
        env = {**os.environ, "PYTHONPATH": str(HERE / "e2e")}
        env.pop("KUBECONFIG", None)
        self.process = Process(
            "jupyterhub",
            [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(self.config)],
            self.workdir / "jupyterhub.log",
            env,
            self.workdir,
        )

        def up():
            assert self.process.alive(), f"jupyterhub exited:\n{self.process.tail()}"
            if not (self.certs / "hub-ca_trust.crt").exists() or not Path(self.session.cert[0]).exists():
                return False
            try:
                return self.session.get(self.url + "/", timeout=2).ok
            except (requests.ConnectionError, OSError):
                return False

        wait_until("the hub to answer over TLS", up, self.start_wait)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    info = cluster_info()
    if info is None:
        unavailable("the local control plane is not running (start it with: e2e/cluster up)")

    def objects(namespace: str) -> list[dict]:
        return hub_rbac(namespace) + [tls_template(namespace)]

    with operator_stack(tmp_path_factory.mktemp("e2e-tls"), "spawner-tls", objects) as s:
        hub = TlsHub(s.workdir, s.namespace, s.hub_kubeconfig, info["kubeconfig"])
        try:
            hub.start()
            yield {"hub": hub, "kubectl": s.admin, "namespace": s.namespace}
        finally:
            hub.stop()


def https_get(ip: str, host: str, path: str, trust: Path, client: tuple[str, str] | None) -> tuple[dict, bytes]:
    """GET over TLS to ip, checking the server's certificate against trust for host; (its certificate, the reply)."""
    context = ssl.create_default_context(cafile=str(trust))
    if client:
        context.load_cert_chain(*client)
    with socket.create_connection((ip, PORT), timeout=10) as raw, context.wrap_socket(raw, server_hostname=host) as tls:
        peer = tls.getpeercert()
        tls.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{PORT}\r\nConnection: close\r\n\r\n".encode())
        reply = b""
        while chunk := tls.recv(65536):
            reply += chunk
    return peer, reply


def test_a_server_behind_internal_ssl(stack):
    hub, kubectl, namespace = stack["hub"], stack["kubectl"], stack["namespace"]
    create_user(hub, "tess")
    response = hub.api("POST", "/users/tess/server", json={})
    assert response.status_code in (201, 202), response.text
    # ready: the hub's own request to the server's /api succeeded, over TLS (the server speaks nothing else), with
    # the hub's client certificate and the server's certificate checked against the host name
    hub.wait_ready("tess", timeout=180)

    # the server reached the hub's API (TLS only, client certificates required) with its own certificate
    log = hub.workdir / "jupyterhub.log"
    wait_until(
        "the server's activity report", lambda: "POST /hub/api/users/tess/activity (tess@" in log.read_text(), 60
    )

    name, host = "jupyter-tess", f"jupyter-tess.{namespace}.svc.cluster.local"
    routes = hub.api("GET", "/proxy").json()
    assert routes["/user/tess/"]["target"] == f"https://{host}:{PORT}", routes

    instance = kubectl.get("jni", name)
    assert instance["status"]["url"] == f"https://{host}:{PORT}"  # the template's declared address
    env = instance["spec"]["env"]
    assert env["JUPYTERHUB_SSL_KEYFILE"] == f"{MOUNT}/ssl.key"
    assert env["JUPYTERHUB_SSL_CERTFILE"] == f"{MOUNT}/ssl.crt"
    assert env["JUPYTERHUB_SSL_CLIENT_CA"] == f"{MOUNT}/notebooks-ca_trust.crt"
    assert env["JUPYTERHUB_SERVICE_URL"].startswith("https://")
    assert env["JUPYTERHUB_API_URL"].startswith("https://")
    # the key travels in the Secret only, under keys the chart's admission policy allows
    secret = kubectl.get("secret", name)
    data = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    assert "PRIVATE KEY" in data["JUPYTERHUB_SSL_KEY"] and "CERTIFICATE" in data["JUPYTERHUB_SSL_CERT"]
    assert "CERTIFICATE" in data["JUPYTERHUB_SSL_CA"]
    assert data["JUPYTERHUB_SSL_KEY"].splitlines()[1] not in json.dumps(instance)
    pod = kubectl.get("pod", name)
    volume = next(v for v in pod["spec"]["volumes"] if v["name"] == "internal-ssl")
    assert volume["secret"]["secretName"] == name

    # the server itself: its certificate is the notebooks CA's for the Service's name; with the hub's client
    # certificate it answers, without one (or in plain http) it does not
    ip = instance["status"]["podIP"]
    client = hub.session.cert
    peer, reply = https_get(ip, host, "/user/tess/api", hub.certs / "hub-ca_trust.crt", client)
    assert ("DNS", host) in peer["subjectAltName"], peer
    assert reply.startswith(b"HTTP/1.1 200"), reply[:200]
    assert b'"version"' in reply
    refused = None
    try:
        _, reply = https_get(ip, host, "/user/tess/api", hub.certs / "hub-ca_trust.crt", None)
        refused = not reply.startswith(b"HTTP/1.1 200")
    except (ssl.SSLError, ConnectionError, OSError):
        refused = True
    assert refused, "the server answered a client without a certificate of the hub's CAs"
    with pytest.raises(requests.RequestException):  # a TLS-only server: no plain HTTP answer
        requests.get(f"http://{ip}:{PORT}/user/tess/api", timeout=10)

    assert hub.api("DELETE", "/users/tess/server").status_code in (202, 204)
    hub.wait_stopped("tess")
    wait_until(
        "the instance and its Secret to be gone",
        lambda: not kubectl.get("jni", name) and not kubectl.get("secret", name),
        120,
        1,
    )
