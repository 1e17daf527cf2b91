"""The API server's audit log (bench/scale audit-on): who asked the API server for what, counted from byte offsets
into the log, so a scenario counts exactly the requests made while it measured. Every entry is one completed
request (metadata only) of one of the clients the policy names (jnobench.cluster.AUDITED_USERS)."""

import json
import os
import time

from .cluster import OPERATOR_USER, client_name
from .log import CheckFailed, say

QUIET_SECONDS = 10
WRITE_VERBS = ("create", "update", "patch", "delete", "deletecollection")


def settle(b, limit=600, user=OPERATOR_USER, what="the operator"):
    """Waits --settle-seconds, then until `user` has made no write for QUIET_SECONDS (at most `limit` seconds
    more): what a burst left behind, such as its queued Events, which the Event budget (JNO_EVENT_QPS) spreads over
    the following minute or more, belongs to the burst, not to the idle window after it. Returns how long it took
    and the writes seen meanwhile."""
    time.sleep(b.opts.settle_seconds)
    t0 = time.monotonic()
    if not b.cluster.audit_enabled():
        return {"extra_s": 0, "writes_while_settling": None}
    offset = b.cluster.audit_log_end()
    writes, quiet_since = {}, time.monotonic()
    while time.monotonic() - quiet_since < QUIET_SECONDS and time.monotonic() - t0 < limit:
        time.sleep(1)
        events, offset = read_audit(b.cluster.audit_log, offset)
        new = write_requests(count_requests(events, user=user))
        if new:
            quiet_since = time.monotonic()
            for k, v in new.items():
                writes[k] = writes.get(k, 0) + v
    extra = round(time.monotonic() - t0, 1)
    settled = time.monotonic() - quiet_since >= QUIET_SECONDS
    if writes:
        say(f"{'settled' if settled else 'NOT settled'} after {extra}s more; {what}'s writes meanwhile: {writes}")
    return {"extra_s": extra, "writes_while_settling": writes, "settled": settled}


def audit_requests(path, offset, namespace=None, user=None):
    """Counts the requests in the audit log after byte `offset` (optionally only those in one namespace, or of
    one user), by 'verb resource[/subresource] HTTP code'."""
    return count_requests(read_audit(path, offset)[0], namespace, user)


def read_audit(path, offset):
    """The audit events after byte `offset` and the offset after the last complete line (a line still being
    written is left for the next read)."""
    if not os.path.exists(path):
        return [], offset
    if os.path.getsize(path) < offset:
        raise CheckFailed(
            f"the audit log {path} was rotated or truncated during the measurement (now "
            f"{os.path.getsize(path)} bytes, read up to {offset}): its request counts would be wrong; "
            "restart kube-apiserver with `bench/scale restart-apiserver` (its audit log then rotates "
            "only at 100 GB) and re-run"
        )
    with open(path, "rb") as f:
        f.seek(offset)
        chunk = f.read()
    complete = chunk[: chunk.rfind(b"\n") + 1]
    events = []
    for line in complete.splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    return events, offset + len(complete)


def user_of(event):
    return (event.get("user") or {}).get("username")


def request_key(event):
    ref = event.get("objectRef") or {}
    key = f"{event.get('verb')} {ref.get('resource', event.get('requestURI', '?'))}"
    if ref.get("subresource"):
        key += "/" + ref["subresource"]
    return key


def count_requests(events, namespace=None, user=None):
    """Audit events counted by 'verb resource[/subresource]' (plus ' HTTP code' when `namespace` is given, then
    only the events in that namespace); only those of `user` when it is given."""
    counts = {}
    for ev in events:
        ref = ev.get("objectRef") or {}
        if namespace and ref.get("namespace") != namespace:
            continue
        if user and user_of(ev) != user:
            continue
        key = request_key(ev)
        if namespace:
            key += f" {(ev.get('responseStatus') or {}).get('code')}"
        counts[key] = counts.get(key, 0) + 1
    return counts


def requests_by_client(events, namespace=None):
    """{client: {'verb resource[/subresource]': count}} (clients named by jnobench.cluster.client_name), sorted by
    client; with `namespace`, only requests in it."""
    out = {}
    for ev in events:
        if namespace and (ev.get("objectRef") or {}).get("namespace") != namespace:
            continue
        per = out.setdefault(client_name(user_of(ev)), {})
        key = request_key(ev)
        per[key] = per.get(key, 0) + 1
    return {c: dict(sorted(out[c].items(), key=lambda kv: -kv[1])) for c in sorted(out)}


def write_requests(counts):
    """The entries of count_requests() that are writes."""
    return {k: v for k, v in counts.items() if k.split()[0] in WRITE_VERBS}


def writes_total(per_client):
    """Writes of one client's requests_by_client() entry."""
    return sum(write_requests(per_client).values())
