"""A small Kubernetes REST client on the Python standard library: enough to create, list, watch and delete objects
by the thousand with client-certificate authentication (what e2e/cluster's kubeconfigs use).

Why not kubectl: one process per object is far too slow for 10,000 objects, and watching needs a stream.
Why not the official client: the benchmark must run in CI with nothing but python3.
"""

import base64
import http.client
import json
import os
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse

GROUP_PATH = "/apis/kubespawner.jupyterhub.org/v1"


class ApiError(Exception):
    def __init__(self, status, body, method, path):
        super().__init__(f"{method} {path} -> HTTP {status}: {body[:500] if isinstance(body, str) else body}")
        self.status = status
        self.body = body


def resource_path(resource, namespace=None, name=None, subresource=None):
    """REST path of a resource ('pods', 'jupyternotebookinstances', ...) in a namespace."""
    core = {
        "pods",
        "persistentvolumeclaims",
        "namespaces",
        "nodes",
        "persistentvolumes",
        "services",
        "secrets",
        "serviceaccounts",
    }
    if resource in core:
        base = "/api/v1"
    elif resource in ("jupyternotebookinstances", "jupyternotebookinstancetemplates"):
        base = GROUP_PATH
    elif resource == "events":
        base = "/apis/events.k8s.io/v1"
    elif resource == "leases":
        base = "/apis/coordination.k8s.io/v1"
    elif resource == "networkpolicies":
        base = "/apis/networking.k8s.io/v1"
    elif resource == "statefulsets":
        base = "/apis/apps/v1"
    elif resource == "notebooks":
        base = "/apis/kubeflow.org/v1"  # Kubeflow's notebook controller (the peer in bench/jnobench/kubeflow.py)
    else:
        raise ValueError(f"unknown resource {resource}")
    path = base
    if namespace:
        path += f"/namespaces/{namespace}"
    path += f"/{resource}"
    if name:
        path += f"/{name}"
    if subresource:
        path += f"/{subresource}"
    return path


class Kube:
    """Thread-safe: every thread gets its own keep-alive HTTPS connection."""

    def __init__(self, kubeconfig, kubectl="kubectl"):
        raw = subprocess.run(
            [kubectl, "--kubeconfig", kubeconfig, "config", "view", "--raw", "--minify", "-o", "json"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        cfg = json.loads(raw)
        cluster = cfg["clusters"][0]["cluster"]
        user = cfg["users"][0]["user"]
        url = urllib.parse.urlparse(cluster["server"])
        self.host, self.port = url.hostname, url.port or 443
        self._dir = tempfile.mkdtemp(prefix="jnobench-")
        os.chmod(self._dir, 0o700)

        def write(name, b64):
            p = os.path.join(self._dir, name)
            with open(p, "wb") as f:
                f.write(base64.b64decode(b64))
            return p

        self.ctx = ssl.create_default_context(cafile=write("ca.crt", cluster["certificate-authority-data"]))
        self.ctx.load_cert_chain(
            write("client.crt", user["client-certificate-data"]), write("client.key", user["client-key-data"])
        )
        self._local = threading.local()
        self.kubeconfig = kubeconfig

    # ------------------------------------------------------------------------------------------------ transport

    def _conn(self, fresh=False):
        c = getattr(self._local, "conn", None)
        if c is None or fresh:
            if c is not None:
                c.close()
            c = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=60)
            self._local.conn = c
        return c

    def _drop_conn(self):
        c = getattr(self._local, "conn", None)
        if c is not None:
            c.close()
        self._local.conn = None

    def request(self, method, path, body=None, query=None, content_type="application/json", retry_until=None):
        """One request; returns (status, parsed body). Connection errors, 429 and 5xx are retried until
        `retry_until` (a time.monotonic() deadline), so a restarting API server is waited out."""
        if query:
            path = path + "?" + urllib.parse.urlencode(query)
        data = None if body is None else (body if isinstance(body, (bytes, str)) else json.dumps(body))
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = content_type
        attempt = 0
        while True:
            attempt += 1
            try:
                conn = self._conn(fresh=attempt > 1)
                conn.request(method, path, body=data, headers=headers)
                resp = conn.getresponse()
                raw = resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException) as e:
                self._drop_conn()  # a failed connection is never reused
                if retry_until is not None and time.monotonic() < retry_until:
                    time.sleep(min(0.2 * attempt, 2))
                    continue
                raise ApiError(0, f"{type(e).__name__}: {e}", method, path) from e
            if (status == 429 or status >= 500) and retry_until is not None and time.monotonic() < retry_until:
                time.sleep(min(0.2 * attempt, 2))
                continue
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = raw.decode(errors="replace")
            return status, parsed

    def call(self, method, path, body=None, query=None, ok=(200, 201, 202), retry_seconds=120, **kw):
        status, parsed = self.request(method, path, body, query, retry_until=time.monotonic() + retry_seconds, **kw)
        if status not in ok:
            raise ApiError(status, parsed, method, path)
        return parsed

    # ------------------------------------------------------------------------------------------------ verbs

    def get(self, resource, namespace=None, name=None):
        status, parsed = self.request(
            "GET", resource_path(resource, namespace, name), retry_until=time.monotonic() + 120
        )
        if status == 404:
            return None
        if status != 200:
            raise ApiError(status, parsed, "GET", resource_path(resource, namespace, name))
        return parsed

    def create(self, resource, namespace, obj, retry_seconds=120):
        """Creates obj; an object that already exists counts as created (a retried POST may have succeeded)."""
        status, parsed = self.request(
            "POST", resource_path(resource, namespace), obj, retry_until=time.monotonic() + retry_seconds
        )
        if status in (200, 201, 202, 409):
            return status, parsed
        raise ApiError(status, parsed, "POST", resource_path(resource, namespace))

    def apply(self, resource, namespace, obj, manager="jno-bench"):
        """Server-side apply (create or replace the fields we own)."""
        name = obj["metadata"]["name"]
        return self.call(
            "PATCH",
            resource_path(resource, namespace, name),
            obj,
            query={"fieldManager": manager, "force": "true"},
            content_type="application/apply-patch+yaml",
        )

    def delete(self, resource, namespace=None, name=None, query=None):
        status, parsed = self.request(
            "DELETE", resource_path(resource, namespace, name), query=query, retry_until=time.monotonic() + 120
        )
        if status not in (200, 202, 404):
            raise ApiError(status, parsed, "DELETE", resource_path(resource, namespace, name))

    def list(self, resource, namespace=None, label_selector=None, field_selector=None):
        """All items (paginated); returns (items, resourceVersion)."""
        items, cont, rv = [], None, None
        while True:
            q = {"limit": "500"}
            if label_selector:
                q["labelSelector"] = label_selector
            if field_selector:
                q["fieldSelector"] = field_selector
            if cont:
                q["continue"] = cont
            page = self.call("GET", resource_path(resource, namespace), query=q)
            items.extend(page.get("items") or [])
            rv = page["metadata"].get("resourceVersion", rv)
            cont = page["metadata"].get("continue")
            if not cont:
                return items, rv

    def ensure_namespace(self, name, labels=None):
        self.create(
            "namespaces",
            None,
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels or {}}},
        )
        deadline = time.monotonic() + 120
        # Pods are refused until the controller-manager created the namespace's default ServiceAccount.
        while self.get("serviceaccounts", name, "default") is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"namespace {name}: no default ServiceAccount after 120s")
            time.sleep(0.3)

    def delete_namespace(self, name, wait_seconds=0):
        self.delete("namespaces", None, name)
        deadline = time.monotonic() + wait_seconds
        while wait_seconds and self.get("namespaces", None, name) is not None:
            if time.monotonic() > deadline:
                return False
            time.sleep(1)
        return True


class Watcher(threading.Thread):
    """List then watch one resource in one namespace, forever re-establishing the watch (also across an API-server
    restart), calling on_object(obj, monotonic_time) for every version seen and on_delete(obj, t) for deletions.
    Has its own connection (a watch holds it open)."""

    def __init__(self, kube, resource, namespace, on_object, on_delete=None, label_selector=None):
        super().__init__(daemon=True, name=f"watch-{resource}-{namespace}")
        self.kube, self.resource, self.namespace = kube, resource, namespace
        self.on_object, self.on_delete = on_object, on_delete or (lambda o, t: None)
        self.label_selector = label_selector
        self.stopped = threading.Event()
        self.synced = threading.Event()
        self.reconnects = 0

    def stop(self):
        self.stopped.set()

    def run(self):
        rv = None
        while not self.stopped.is_set():
            try:
                if rv is None:
                    items, rv = self.kube.list(self.resource, self.namespace, self.label_selector)
                    now = time.monotonic()
                    for it in items:
                        self.on_object(it, now)
                    self.synced.set()
                rv = self._watch(rv)
            except Exception:
                self.reconnects += 1
                rv = None
                time.sleep(0.5)

    def _watch(self, rv):
        q = {"watch": "1", "resourceVersion": rv, "allowWatchBookmarks": "true", "timeoutSeconds": "60"}
        if self.label_selector:
            q["labelSelector"] = self.label_selector
        path = resource_path(self.resource, self.namespace) + "?" + urllib.parse.urlencode(q)
        conn = http.client.HTTPSConnection(self.kube.host, self.kube.port, context=self.kube.ctx, timeout=90)
        try:
            conn.request("GET", path, headers={"Accept": "application/json"})
            resp = conn.getresponse()
            if resp.status != 200:
                raise ApiError(resp.status, resp.read()[:300], "WATCH", path)
            while not self.stopped.is_set():
                line = resp.readline()
                if not line:
                    return rv  # server closed the watch (timeout): resume from the last version
                ev = json.loads(line)
                now = time.monotonic()
                obj = ev.get("object") or {}
                if ev.get("type") == "ERROR":
                    return None  # usually 410 Gone: re-list
                rv = (obj.get("metadata") or {}).get("resourceVersion", rv)
                if ev.get("type") == "BOOKMARK":
                    continue
                if ev.get("type") == "DELETED":
                    self.on_delete(obj, now)
                else:
                    self.on_object(obj, now)
            return rv
        finally:
            conn.close()
