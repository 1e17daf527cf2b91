"""A generated corpus of malformed templates and instances applied among valid ones. Every malformed object the API
server accepts must end Failed (instances) or Valid=False (templates) with a message naming what is wrong, and get
a Warning Event; the valid instances must all be Ready; the operator must never restart."""

import json
import time

from . import workload as w
from .log import CheckFailed, say

OK_TEMPLATE = "corpus-ok"


def ok_template():
    """A valid template with variables whose values reach a name, a label, a quantity and an enum."""
    t = w.template(OK_TEMPLATE, with_pvc=False)
    spec = t["spec"]
    spec["variables"] += [
        {"name": "size", "default": "small", "enum": ["small", "large"]},
        {"name": "mem", "default": "1G", "maxLength": 20},
        {"name": "team", "default": "data", "maxLength": 60},
        {"name": "suffix", "default": "nb", "maxLength": 60},
    ]
    pod = spec["pods"][0]
    pod["name"] = "jupyter-{user}-{suffix}"
    pod["labels"]["bench/team"] = "{team}"
    pod["labels"]["bench/size"] = "{size}"
    pod["spec"]["containers"][0]["resources"] = {"limits": {"memory": "{mem}"}}
    spec["policy"]["allowArgs"] = False
    return t


def _bad_template_cases(i):
    """(template object, tokens one of which the template's problem and the instance's message must name)."""
    name = f"bad-t{i:03d}"
    kind = i % 4
    t = w.template(name, with_pvc=False)
    spec = t["spec"]
    if kind == 0:  # a placeholder nobody declared
        spec["pods"][0]["labels"]["bench/x"] = f"{{undeclared_{i}}}"
        return "undeclared-placeholder", t, (f"undeclared_{i}",), True
    if kind == 1:  # a default that breaks its own pattern
        spec["variables"].append({"name": f"color_{i}", "default": "Not-A-Color!", "pattern": "[a-z]+"})
        return "default-violates-pattern", t, (f"color_{i}",), True
    if kind == 2:  # a fixed image outside the template's own allowed list
        spec["pods"][0]["spec"]["containers"][0]["image"] = f"docker.io/evil/miner:{i}"
        return "image-not-allowed", t, (f"docker.io/evil/miner:{i}",), False
    # a default that breaks its own maxLength
    spec["variables"].append({"name": f"long_{i}", "default": "x" * 30, "maxLength": 5})
    return "default-too-long", t, (f"long_{i}",), True


def _bad_instance_case(i, other_ns):
    """(kind, instance, tokens): an instance of the valid template (or of a missing/forbidden one)."""
    name = f"bad-i{i:03d}"
    user = f"bi{i:03d}"
    vars_ok = {"user": user}
    kind = i % 11
    if kind == 0:
        return "missing-required", w.instance(name, OK_TEMPLATE, user, "", {"size": "small"}), ("user",)
    if kind == 1:
        return "pattern", w.instance(name, OK_TEMPLATE, user, "", {"user": f"Bad_User_{i}"}), ("user",)
    if kind == 2:
        return "max-length", w.instance(name, OK_TEMPLATE, user, "", {"user": "u" * 41}), ("user",)
    if kind == 3:
        return "enum", w.instance(name, OK_TEMPLATE, user, "", {**vars_ok, "size": f"huge{i}"}), ("size",)
    if kind == 4:
        return (
            "undeclared-variable",
            w.instance(name, OK_TEMPLATE, user, "", {**vars_ok, f"extra_{i}": "x"}),
            (f"extra_{i}",),
        )
    if kind == 5:
        return (
            "args-not-allowed",
            w.instance(name, OK_TEMPLATE, user, "", vars_ok, {"args": ["jupyter", "lab"]}),
            ("args",),
        )
    if kind == 6:
        return (
            "template-missing",
            w.instance(name, f"no-such-template-{i}", user, "", vars_ok),
            (f"no-such-template-{i}",),
        )
    if kind == 7:
        inst = w.instance(name, "bench", user, "", vars_ok)
        inst["spec"]["template"]["namespace"] = other_ns
        return "template-forbidden-namespace", inst, (other_ns, "bench")
    if kind == 8:
        return (
            "bad-quantity",
            w.instance(name, OK_TEMPLATE, user, "", {**vars_ok, "mem": f"lots{i}"}),
            (f"lots{i}", "mem", "memory"),
        )
    if kind == 9:
        return (
            "bad-label-value",
            w.instance(name, OK_TEMPLATE, user, "", {**vars_ok, "team": f"a b {i}"}),
            (f"a b {i}", "team", "label"),
        )
    return (
        "bad-pod-name",
        w.instance(name, OK_TEMPLATE, user, "", {**vars_ok, "suffix": f"Not_A_Name.{i}"}),
        ("suffix", f"Not_A_Name.{i}", "name"),
    )


def run_corpus(b, bad_count, good_count):
    kube = b.kube
    ns = b.namespace("corpus", template="bench")
    other = b.namespace("corpus-other", template="bench")  # its template allows no other namespace
    kube.create("jupyternotebookinstancetemplates", ns, ok_template())
    pid_before = [(o.name, o.pid, o.starts) for o in b.operators]

    # Half the bad objects are templates (each with an instance using it), half are instances.
    n_templates = bad_count // 4
    n_instances = bad_count - 2 * n_templates
    cases = []  # (kind, resource, object, tokens, expects Valid=False on the template)
    for i in range(n_templates):
        kind, t, tokens, template_invalid = _bad_template_cases(i)
        cases.append((kind, "jupyternotebookinstancetemplates", t, tokens, template_invalid))
        inst = w.instance(f"of-bad-t{i:03d}", t["metadata"]["name"], f"bt{i:03d}", "")
        cases.append((kind + "/instance", "jupyternotebookinstances", inst, tokens, None))
    for i in range(n_instances):
        kind, inst, tokens = _bad_instance_case(i, other)
        cases.append((kind, "jupyternotebookinstances", inst, tokens, None))
    good = [
        w.instance(
            f"good-{i:03d}", OK_TEMPLATE if i % 2 else "bench", f"good-{i:03d}", b.run_id, {"user": f"good-{i:03d}"}
        )
        for i in range(good_count)
    ]

    # Interleave: good ones spread among the bad ones.
    stream, gi = [], iter(good)
    step = max(1, len(cases) // max(1, good_count))
    for k, case in enumerate(cases):
        stream.append(("bad", case))
        if k % step == 0:
            g = next(gi, None)
            if g:
                stream.append(("good", g))
    stream += [("good", g) for g in gi]

    accepted, rejected_by_api = [], []
    t0 = time.monotonic()
    for kind, item in stream:
        if kind == "good":
            kube.create("jupyternotebookinstances", ns, item)
            continue
        ckind, resource, obj, tokens, tinvalid = item
        st, body = kube.request(
            "POST",
            f"/apis/kubespawner.jupyterhub.org/v1/namespaces/{ns}/{resource}",
            obj,
            retry_until=time.monotonic() + 60,
        )
        if st in (200, 201):
            if resource == "jupyternotebookinstancetemplates" and not tinvalid:
                continue  # judged through the instance that uses it (the operator checks images when rendering)
            accepted.append(item)
        else:
            rejected_by_api.append(
                {
                    "kind": ckind,
                    "name": obj["metadata"]["name"],
                    "status": st,
                    "message": (body or {}).get("message", "")[:300] if isinstance(body, dict) else str(body)[:300],
                }
            )
    say(
        f"malformed: {len(accepted)} malformed objects accepted by the API server "
        f"({len(rejected_by_api)} refused by its schema), {len(good)} valid instances, in {ns}"
    )

    good_names = [g["metadata"]["name"] for g in good]
    tracker = w.ReadyTracker(kube, "jupyternotebookinstances", ns, w.instance_ready)
    missing = tracker.wait(good_names, b.opts.timeout)
    if missing:
        raise CheckFailed(
            f"malformed: {len(missing)} valid instances not Ready, e.g. "
            f"{[(m, (tracker.latest.get(m) or {}).get('status')) for m in missing[:3]]}"
        )
    good_s = time.monotonic() - t0

    # Each bad object: wait for its verdict, then check the message names the problem and a Warning Event exists.
    failures, verdict_at = [], {}
    deadline = time.monotonic() + b.opts.timeout
    pending = list(accepted)
    while pending and time.monotonic() < deadline:
        still = []
        for item in pending:
            ckind, resource, obj, tokens, tinvalid = item
            cur = kube.get(resource, ns, obj["metadata"]["name"])
            if _verdict(resource, cur, tinvalid) is None:
                still.append(item)
            else:
                verdict_at.setdefault(obj["metadata"]["name"], time.monotonic() - t0)
        pending = still
        if pending:
            time.sleep(1)
    # Events are written asynchronously (and rate limited) by the operator's recorder: give them a moment.
    t_events = time.monotonic()
    deadline = t_events + 90
    while True:
        warnings = _warnings(kube, ns)
        if (
            all(warnings.get((obj["kind"], obj["metadata"]["name"])) for _, _, obj, _, _ in accepted)
            or time.monotonic() > deadline
        ):
            break
        time.sleep(2)
    events_wait_s = round(time.monotonic() - t_events, 1)
    by_kind = {}
    examples = {}
    for item in accepted:
        ckind, resource, obj, tokens, tinvalid = item
        name = obj["metadata"]["name"]
        cur = kube.get(resource, ns, name)
        verdict = _verdict(resource, cur, tinvalid)
        kind_name = obj["kind"]
        problem = None
        if verdict is None:
            problem = f"no verdict: status {json.dumps((cur or {}).get('status'))[:300]}"
        elif not any(tok.lower() in verdict.lower() for tok in tokens):
            problem = f"message does not name any of {tokens}: {verdict[:300]!r}"
        elif not warnings.get((kind_name, name)):
            problem = "no Warning Event regarding it"
        by_kind.setdefault(ckind, {"accepted": 0, "ok": 0})
        by_kind[ckind]["accepted"] += 1
        if problem:
            failures.append(f"{kind_name} {name} ({ckind}): {problem}")
        else:
            by_kind[ckind]["ok"] += 1
            examples.setdefault(ckind, verdict[:240])
    pid_after = [(o.name, o.pid, o.starts) for o in b.operators]
    alive = all(o.alive() for o in b.operators)
    res = {
        "malformed_applied": len(accepted) + len(rejected_by_api),
        "malformed_accepted_by_api": len(accepted),
        "malformed_refused_by_api_schema": len(rejected_by_api),
        "valid_instances": len(good),
        "valid_all_ready_s": round(good_s, 1),
        "by_kind": by_kind,
        "example_messages": examples,
        "failures": failures[:20],
        "failure_count": len(failures),
        "operator_restarted": pid_before != pid_after or not alive,
        "last_verdict_s": round(max(verdict_at.values()), 1) if verdict_at else None,
        "refused_examples": rejected_by_api[:5],
        "waited_for_events_s": events_wait_s,
    }
    verify = b.verify(ns, good_names, False, "malformed (valid instances)") if good_names else None
    res["verify_valid"] = verify
    if failures:
        raise CheckFailed(
            f"malformed: {len(failures)} malformed objects without a precise Failed verdict and "
            f"Warning Event:\n  " + "\n  ".join(failures[:15])
        )
    if res["operator_restarted"]:
        raise CheckFailed(f"malformed: the operator restarted or died ({pid_before} -> {pid_after})")
    say(
        f"malformed: all {len(accepted)} malformed objects Failed with a precise message and a Warning Event; "
        f"{len(good)} valid instances Ready; operator never restarted"
    )
    return res


def _warnings(kube, ns):
    events, _ = kube.list("events", ns)
    warnings = {}
    for e in events:
        if e.get("type") == "Warning":
            reg = e.get("regarding") or {}
            warnings.setdefault((reg.get("kind"), reg.get("name")), []).append(e.get("note", ""))
    return warnings


def _verdict(resource, obj, template_invalid):
    """The failure message once the operator decided, else None."""
    if obj is None:
        return None
    st = obj.get("status") or {}
    conds = st.get("conditions") or []
    if resource == "jupyternotebookinstancetemplates":
        if not template_invalid:
            return "n/a"  # judged through its instance only
        valid = next((c for c in conds if c.get("type") == "Valid"), None)
        if valid and valid.get("status") == "False":
            probs = " ".join(f"{p.get('path', '')}: {p.get('message', '')}" for p in st.get("problems") or [])
            return f"{valid.get('message', '')} {probs}"
        return None
    if st.get("phase") != "Failed":
        return None
    msgs = [st.get("message") or ""] + [c.get("message") or "" for c in conds if c.get("status") == "False"]
    return " | ".join(dict.fromkeys(m for m in msgs if m))  # distinct messages, in order
