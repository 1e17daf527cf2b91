"""Markdown tables of the peer comparisons (scenarios `hub` and `kubeflow`, latency's server-side steps) and the
summary table at the top of docs/benchmarks.md, for bench/report. Every figure comes from a result file."""

NAMES = {
    "operator": "NotebookInstanceSpawner + this operator",
    "kubespawner": "KubeSpawner 7.1.0",
    "floor": "hub alone",
}


def _f(x, digits=1):
    return "-" if x is None else f"{x:,.{digits}f}"


def _writes(per_client, skip=("benchmark",)):
    return (
        ", ".join(f"{c} {n:,}" for c, n in sorted(per_client.items(), key=lambda kv: -kv[1]) if n and c not in skip)
        or "none"
    )


def hub_section(s):
    out = [
        "| spawner | users | all Ready s | hub's spawn time median / p99 s | hub CPU s | hub CPU per spawn ms | "
        "hub RSS / peak MiB | operator CPU s / RSS MiB | kube-apiserver CPU s | all processes CPU s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    cases = [(k, v) for k, v in s.items() if isinstance(v, dict) and "spawner" in v]
    for _, c in cases:
        cpu = c["cpu_s"]
        op = (
            f"{_f(c['operator_cpu_s'])} / {_f(c['operator_rss_mib'], 0)}"
            if c.get("operator_cpu_s") is not None
            else "-"
        )
        out.append(
            f"| {NAMES.get(c['spawner'], c['spawner'])} | {c['users']} | {_f(c['all_ready_s'])} | "
            f"{_f(c['hub_took'].get('median_s'), 2)} / {_f(c['hub_took'].get('p99_s'), 2)} | {_f(cpu['hub'])} | "
            f"{_f(c['hub_cpu_per_spawn_ms'])} | {_f(c['hub_rss_mib'], 0)} / {_f(c['hub_peak_rss_mib'], 0)} | {op} | "
            f"{_f(cpu.get('kube-apiserver'))} | {_f(cpu['total'])} |"
        )
    out += ["", "API writes while they spawned, by client (the harness's own user and namespace writes left out):", ""]
    for _, c in cases:
        out.append(f"- {NAMES.get(c['spawner'], c['spawner'])}, {c['users']} users: {_writes(c['writes_by_client'])}.")
    out += ["", "The hub's requests while they spawned (every verb; the audit log records a watch when it ends):", ""]
    for _, c in cases:
        hub = c["requests_by_client"].get("hub", {})
        out.append(
            f"- {NAMES.get(c['spawner'], c['spawner'])}, {c['users']} users: "
            + (", ".join(f"{n:,} `{k}`" for k, n in hub.items()) or "none")
            + "."
        )
    out += ["", "Then, with every server running, idle for a while (JupyterHub polls each server every 30 s):", ""]
    for _, c in cases:
        idle = c["idle"]
        hub = idle["requests_by_client"].get("hub", {})
        out.append(
            f"- {NAMES.get(c['spawner'], c['spawner'])}, {c['users']} servers: hub CPU {idle['hub_cpu_s']} s in "
            f"{idle['window_s']:.0f} s; its API requests: "
            + (", ".join(f"{n:,} `{k}`" for k, n in hub.items()) or "none")
            + "."
        )
    steps = [c for _, c in cases if c.get("steps")]
    if steps:
        out += ["", *hub_steps_section(steps)]
    return out


STEPS = (
    ("post_to_first_hub_write", "POST → the hub's first write arrives"),
    ("secret_create_to_instance_create", "the hub's Secret create → its instance create arrives"),
    ("instance_created_to_pod_create", "instance created → the operator's pod create arrives"),
    ("pod_create_to_bound", "pod created → bound"),
    ("bound_to_ready_written", "bound → kwok writes Ready"),
    ("ready_written_to_status_write", "pod Ready → the operator's status write arrives"),
    ("status_written_to_answer", "status written → the hub answers the POST"),
    ("ready_written_to_answer", "pod Ready → the hub answers the POST"),
    ("post_total", "POST → answer (whole spawn)"),
)


def hub_steps_section(cases):
    """Where each spawn's time went (hubsteps.py): one column per hub case, median / p90 ms per step."""
    out = [
        "Where a spawn's time goes, from the API server's audit timestamps (median / p90 ms of each step on its own: "
        "medians do not add up to the whole; the requests' own time between steps is left out):",
        "",
        "| step | " + " | ".join(f"{NAMES.get(c['spawner'], c['spawner'])}, {c['users']}" for c in cases) + " |",
        "|---" * (len(cases) + 1) + "|",
    ]
    for key, label in STEPS:
        cells = []
        for c in cases:
            st = c["steps"].get(key)
            cells.append(f"{st['median_ms']:,.0f} / {st['p90_ms']:,.0f}" if st else "-")
        if any(x != "-" for x in cells):
            out.append(f"| {label} | " + " | ".join(cells) + " |")
    return out


def peer_memory_section(s):
    """Scenario `peer-memory`: RSS of this operator and of Kubeflow's controller holding the same count."""
    out = [
        f"{s['count']:,} objects each, created at {s['rate_per_s']:g} a second; RSS read {s['settle_s']:.0f} s after the "
        f"last create (*settled*), and again when all were Ready, else at the end of {s['wait_s']:.0f} s more (*last*):",
        "",
        "| controller | created in s | settled: RSS MiB, Ready objects / pods | all Ready after s | last: s after the "
        "first create, RSS MiB, Ready objects / pods | heap MiB at last (JVM: live after a full GC; Go: in use) | "
        "peak RSS sampled MiB |",
        "|---|---|---|---|---|---|---|",
    ]
    for who, label in (("operator", "this operator"), ("kubeflow", "Kubeflow notebook controller 1.10.0")):
        r = s.get(who)
        if not r:
            continue
        a = r["at_settle"]
        end = r.get("at_all_ready") or r.get("at_wait_end") or a
        heap = (end.get("heap_live_after_full_gc") or {}).get("used_mib")
        go = (end.get("go") or {}).get("go_memstats_heap_inuse_bytes")
        peak = max((x[1] for x in r.get("rss_samples", [])), default=None)
        ready = r.get("all_ready_after_s")
        out.append(
            f"| {label} | {_f(r['created_in_s'], 0)} | {_f(a['rss_mib'], 0)}, {a['objects_ready']:,} / "
            f"{a['pods_ready']:,} | {_f(ready, 0) if ready else 'not within the wait'} | "
            f"{_f(end.get('after_s'), 0)}, {_f(end.get('rss_mib'), 0)}, {end['objects_ready']:,} / {end['pods_ready']:,}"
            f" | {_f(heap if heap is not None else go)} | {_f(peak, 0)} |"
        )
    return out


def kubeflow_section(s):
    b, idle = s["burst"], s["idle"]
    cpu = b["cpu_s"]
    out = [
        f"| burst of {b['count']} Notebooks ({b['concurrency']} at a time) | all Ready s | median / p99 create→Ready ms | "
        "controller CPU s | kube-apiserver CPU s | kube-controller-manager CPU s | all processes CPU s |",
        "|---|---|---|---|---|---|---|",
        f"| Kubeflow notebook controller {s['version']} | {_f(b['all_ready_s'])} | "
        f"{_f(b['latency']['median_ms'], 0)} / {_f(b['latency']['p99_ms'], 0)} | {_f(cpu['kubeflow-controller'])} | "
        f"{_f(cpu.get('kube-apiserver'))} | {_f(cpu.get('kube-controller-manager'))} | {_f(cpu['total'])} |",
        "",
        "Writes per Notebook during the burst, by client: "
        + ", ".join(
            f"{c} {n}" for c, n in sorted(b["writes_per_notebook_by_client"].items(), key=lambda kv: -kv[1]) if n
        )
        + ".",
        "",
        f"Idle, {idle['ready_notebooks']} Ready Notebooks, {idle['window_s']:.0f} s (after "
        + (
            f"its writes had stopped for 10 s, {idle['settled']['extra_s']} s after the burst settled"
            if idle["settled"].get("settled")
            else f"{idle['settled']['extra_s']} s in which its writes never stopped for 10 s"
        )
        + f"): **{idle['writes']:,} API writes** by the controller, {idle['controller_cpu_s']} s CPU, RSS "
        f"{idle['rss_mib']:.0f} MiB; its requests: `{idle['requests']}`; other clients' writes meanwhile: "
        f"`{idle['other_clients_writes']}`.",
        "",
        "| Ready Notebooks | controller RSS MiB | Go heap in use MiB | Go memory from the OS MiB | time to create the step's "
        "Notebooks until all Ready |",
        "|---|---|---|---|---|",
    ]
    for row in s["memory"]:
        if row.get("step_failed"):
            out.append(f"| (next step not reached: {row['step_failed'][:300]}) | {row['rss_mib']:.0f} | - | - | - |")
            continue
        go = row.get("go") or {}
        step = f"{row['step_all_ready_s']:.0f} s for {row['step_created']}" if row.get("step_all_ready_s") else "-"
        out.append(
            f"| {row['ready_notebooks']:,} | {row['rss_mib']:.0f} | {_f(go.get('go_memstats_heap_inuse_bytes'))} | "
            f"{_f(go.get('go_memstats_sys_bytes'))} | {step} |"
        )
    return out


def server_steps_section(s):
    d, i = s["direct_pod"], s["instance"]
    return [
        "From the API server's side (audit-log timestamps; medians, ms):",
        "",
        "| spawn | client's create (server) | → operator's pod create arrives | pod create (server) | → bound | "
        "→ kwok writes Ready | → operator's status write arrives | status write (server) | → client sees it |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| direct Pod | {d['create_server']} | - | - | {d['created_to_bound']} | {d['bound_to_ready_written']} | - | - "
        f"| {d['ready_written_to_client']} |",
        f"| instance | {i['create_server']} | {i['created_to_pod_create_received']} | {i['pod_create_server']} | "
        f"{i['pod_created_to_bound']} | {i['bound_to_ready_written']} | {i['ready_written_to_status_received']} | "
        f"{i['status_server']} | {i['status_written_to_client']} |",
    ]


# ---------------------------------------------------------------------------------------------------- summary

SYSTEMS = ("this operator", "KubeSpawner 7.1.0", "Kubeflow 1.10.0", "floor")


def _cell(value, best, unit, digits):
    if value is None:
        return "-"
    ratio = f" ({value / best:.2f}×)" if best else ""
    return f"{value:,.{digits}f}" + (f" {unit}" if unit else "") + ratio


def _per_spawn(hub, kind, n):
    """API writes per spawn of every client but the harness, in one hub case."""
    c = hub.get(f"{kind}-{n}")
    if not c:
        return None
    return sum(v for k, v in c["writes_by_client"].items() if k != "benchmark") / max(1, c["spawned"])


def summary(results):
    """One table: rows of figures, a column per system (this operator, KubeSpawner, Kubeflow, the floor), each
    cell with its ratio to the row's best (lowest). `results`: the parsed result files of one session."""
    sc = {}
    for r in results:
        for name, s in r["scenarios"].items():
            if "failed" not in s:
                sc[name] = s
    rows = []  # (label, [values per system], unit, digits, floor meaning)
    hub = sc.get("hub", {})
    for n in sorted({c["users"] for c in hub.values() if isinstance(c, dict) and "users" in c}):

        def h(kind, key, sub=None, n=n):
            c = hub.get(f"{kind}-{n}")
            if not c:
                return None
            v = c[key]
            return v.get(sub) if sub else v

        rows += [
            (f"hub, {n} users 20 at a time: all Ready", [h("operator", "all_ready_s"), h("kubespawner", "all_ready_s"), None, h("floor", "all_ready_s")], "s", 1),
            (f"hub, {n} users: spawn time p50 (as the hub logs it)", [h("operator", "hub_took", "median_s"), h("kubespawner", "hub_took", "median_s"), None, h("floor", "hub_took", "median_s")], "s", 2),
            (f"hub, {n} users: spawn time p99", [h("operator", "hub_took", "p99_s"), h("kubespawner", "hub_took", "p99_s"), None, h("floor", "hub_took", "p99_s")], "s", 2),
            (f"hub, {n} users: hub CPU per spawn", [h("operator", "hub_cpu_per_spawn_ms"), h("kubespawner", "hub_cpu_per_spawn_ms"), None, h("floor", "hub_cpu_per_spawn_ms")], "ms", 1),
            (f"hub, {n} users: hub peak RSS", [h("operator", "hub_peak_rss_mib"), h("kubespawner", "hub_peak_rss_mib"), None, h("floor", "hub_peak_rss_mib")], "MiB", 0),
            (f"hub, {n} users: API writes per spawn, every client", [_per_spawn(hub, "operator", n), _per_spawn(hub, "kubespawner", n), None, _per_spawn(hub, "floor", n)], "", 1),
        ]  # fmt: skip
    burst, kf, idle, mem = sc.get("burst"), sc.get("kubeflow"), sc.get("idle"), sc.get("memory")
    if burst or kf:
        kb = (kf or {}).get("burst") or {}
        ins = (burst or {}).get("instances") or {}
        direct = (burst or {}).get("direct_pods") or {}
        req = ins.get("operator_requests_in_namespace") or {}
        op_writes = sum(v for k, v in req.items() if k.split()[0] in ("create", "patch", "update", "delete"))
        n = (burst or {}).get("count") or kb.get("count")
        kf_writes = (kb.get("writes_per_notebook_by_client") or {}).get("kubeflow-controller")
        rows += [
            (f"burst of {n:,} (no hub): all Ready", [ins.get("all_ready_s"), None, kb.get("all_ready_s"), direct.get("all_ready_s")], "s", 1),
            (f"burst of {n:,}: controller CPU", [ins.get("operator_cpu_s"), None, (kb.get("cpu_s") or {}).get("kubeflow-controller"), None], "s", 1),
            (f"burst of {n:,}: kube-apiserver CPU", [(ins.get("cpu_s") or {}).get("kube-apiserver"), None, (kb.get("cpu_s") or {}).get("kube-apiserver"), (direct.get("cpu_s") or {}).get("kube-apiserver")], "s", 1),
            (f"burst of {n:,}: all processes' CPU", [(ins.get("cpu_s") or {}).get("total"), None, (kb.get("cpu_s") or {}).get("total"), (direct.get("cpu_s") or {}).get("total")], "s", 1),
            ("controller's API writes per object (burst, Events included)", [op_writes / n if n and req else None, None, kf_writes, 1.0], "", 2),
        ]  # fmt: skip
    if idle or kf:
        ki = (kf or {}).get("idle") or {}
        window = (idle or ki).get("window_s", 0)
        ready = (idle or {}).get("ready_instances") or ki.get("ready_notebooks") or 0
        rows.append(
            (
                f"controller's API writes in {window / 60:.0f} min idle, {ready:,} Ready",
                [(idle or {}).get("writes"), None, ki.get("writes"), 0],
                "",
                0,
            )
        )
    if mem or kf:
        ours = {row["ready_instances"]: row["rss_mib"] for row in (mem or {}).get("levels", [])}
        theirs = {r["ready_notebooks"]: r["rss_mib"] for r in (kf or {}).get("memory", []) if r.get("ready_notebooks")}
        for level in sorted(set(ours) | set(theirs)):
            rows.append(
                (f"controller RSS at {level:,} Ready", [ours.get(level), None, theirs.get(level), None], "MiB", 0)
            )
    pm = sc.get("peer-memory")
    if pm:

        def last(who):  # the reading when all were Ready, else at the end of the wait
            r = pm.get(who) or {}
            return (r.get("at_all_ready") or r.get("at_wait_end") or r.get("at_settle") or {}).get("rss_mib")

        rows.append(
            (
                f"controller RSS holding {pm['count']:,} (created at {pm['rate_per_s']:g}/s; read when all were "
                "Ready, else at the end of the wait)",
                [last("operator"), None, last("kubeflow"), None],
                "MiB",
                0,
            )
        )
    lat = sc.get("latency")
    if lat:
        rows.append(
            (
                "sequential spawn, create → Ready, median (no hub)",
                [lat["instance"]["median_ms"], None, None, lat["direct_pod"]["median_ms"]],
                "ms",
                0,
            )
        )
    out = ["| figure | " + " | ".join(SYSTEMS) + " |", "|---" * (len(SYSTEMS) + 1) + "|"]
    for label, values, unit, digits in rows:
        present = [v for v in values if v is not None]
        best = min(present) if present else None
        out.append(f"| {label} | " + " | ".join(_cell(v, best if best else None, unit, digits) for v in values) + " |")
    return out
