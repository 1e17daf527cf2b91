"""SVG plots of benchmark figures (matplotlib), for people who would rather look than read.

A small API any harness can feed, with plain data (no result-file format assumed):

  ready_over_time(path, {"system": [seconds after the first create at which each object was Ready, ...]}, ...)
  latency_distribution(path, {"system": [latency in ms, ...]}, ...)
  memory_against_instances(path, {"system": [(instances, MiB), ...]}, ...)

Each writes one SVG (deterministic: no date, fixed element ids, so a re-plot of the same data diffs clean) and
returns its path. matplotlib is imported when a plot is drawn: the rest of the bench stays standard library only
(bench/plot runs these in a venv that has it). from_result() turns a bench/scale result into those series.
"""

from __future__ import annotations

import os
import statistics

from .workload import nearest_rank

# One look for every plot: a system keeps its colour across plots.
COLOURS = {
    "direct Pods": "#4c72b0",
    "instances (this operator)": "#dd8452",
    "protocol floor (no operator)": "#55a868",
    "NotebookInstanceSpawner + this operator": "#dd8452",
    "KubeSpawner 7.1.0": "#8172b3",
    "hub alone": "#55a868",
    "Kubeflow notebook controller 1.10.0": "#c44e52",
}
PALETTE = ["#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd"]


def _pyplot():
    import matplotlib

    matplotlib.use("svg")
    matplotlib.rcParams.update(
        {
            "svg.hashsalt": "jupyter-notebook-operator",  # stable element ids
            "svg.fonttype": "none",  # text stays text
            "font.size": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
        }
    )
    import matplotlib.pyplot as plt

    return plt


def _colour(label: str, index: int) -> str:
    return COLOURS.get(label) or PALETTE[index % len(PALETTE)]


def _save(fig, path: str, note: str | None) -> str:
    if note:
        fig.text(0.01, -0.02, note, fontsize=7, color="#666666", ha="left", va="top")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, format="svg", metadata={"Date": None}, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path


def ready_over_time(
    path: str,
    series: dict[str, list[float]],
    title: str,
    marks: list[tuple[float, str]] | None = None,
    note: str | None = None,
) -> str:
    """How many objects were Ready, over time, for each system: a step up at each object's Ready time (seconds
    after that system's first create). `marks` draws a labelled vertical line (e.g. a fault) at each time."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    for i, (label, times) in enumerate(series.items()):
        times = sorted(times)
        if not times:
            continue
        ax.step([0.0, *times], range(len(times) + 1), where="post", label=f"{label} ({times[-1]:.1f} s)",
                color=_colour(label, i))  # fmt: skip
    for t, label in marks or []:
        ax.axvline(t, color="#c44e52", linestyle=":", linewidth=1)
        ax.annotate(label, (t, ax.get_ylim()[1] * 0.02), rotation=90, fontsize=7, color="#c44e52",
                    xytext=(2, 0), textcoords="offset points")  # fmt: skip
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("seconds after the first create request")
    ax.set_ylabel("Ready")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.legend(loc="best", frameon=False)
    return _save(fig, path, note)


def latency_distribution(path: str, series: dict[str, list[float]], title: str, note: str | None = None) -> str:
    """Each system's latencies as a cumulative distribution (share of spawns at most this slow), log time axis,
    with the median and p99 marked."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    for i, (label, values) in enumerate(series.items()):
        values = sorted(v for v in values if v is not None)
        if not values:
            continue
        n = len(values)
        median, p99 = statistics.median(values), nearest_rank(values, 99)  # as the tables compute them
        colour = _colour(label, i)
        ax.step(values, [(k + 1) / n for k in range(n)], where="post", color=colour,
                label=f"{label}: median {median:.0f} ms, p99 {p99:.0f} ms (n={n})")  # fmt: skip
        ax.plot([median, p99], [0.5, 0.99], "o", color=colour, markersize=3)
    ax.set_xscale("log")
    ax.set_xlabel("create → Ready, ms (log scale)")
    ax.set_ylabel("share of spawns")
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    ax.legend(loc="lower right", frameon=False)
    return _save(fig, path, note)


def memory_against_instances(
    path: str, series: dict[str, list[tuple[int, float]]], title: str, note: str | None = None
) -> str:
    """Memory (MiB) against the number of Ready instances, one line per system or measure."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    for i, (label, points) in enumerate(series.items()):
        points = sorted(points)
        if not points:
            continue
        ax.plot([p[0] for p in points], [p[1] for p in points], "o-", label=label, color=_colour(label, i))
        for x, y in points:  # labels above the first line, below the others (lines may nearly coincide)
            ax.annotate(f"{y:.0f}", (x, y), xytext=(0, 5 if i == 0 else -11), textcoords="offset points",
                        fontsize=7, ha="center", color=_colour(label, i))  # fmt: skip
    ax.set_xlabel("Ready instances")
    ax.set_ylabel("MiB")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.legend(loc="lower right", frameon=False)
    return _save(fig, path, note)


# ------------------------------------------------------------------------------------------ from bench/scale results


def from_result(result: dict) -> list[tuple[str, str, dict]]:
    """The plots a bench/scale result holds data for: (file suffix, plot function name, keyword arguments).
    Runs recorded before the per-object Ready times were kept (ready_at_s) have no Ready-over-time plot."""
    run = result.get("run_id", "?")
    load = f"{result['loadavg_start'][0]:.1f}" if result.get("loadavg_start") else "?"
    v = result.get("versions", {})
    note = (
        f"run {run}, {result.get('started_utc', '?')}, commit {v.get('git_commit', '?')}, "
        f"{v.get('machine', {}).get('cpus', '?')} CPUs (shared, load average {load} at start); kwok pods, "
        "local control plane"
    )
    scenarios = result.get("scenarios", {})
    plots = []
    burst, floor = scenarios.get("burst", {}), scenarios.get("floor", {})
    if "ready_at_s" in burst.get("instances", {}):
        series = {
            "direct Pods": burst["direct_pods"]["ready_at_s"],
            "instances (this operator)": burst["instances"]["ready_at_s"],
        }
        if "ready_at_s" in floor:
            series["protocol floor (no operator)"] = floor["ready_at_s"]
        title = f"Burst of {burst['count']}: Ready over time"
        plots.append(("burst-ready", "ready_over_time", {"series": series, "title": title, "note": note}))
    if "latency" in burst.get("instances", {}) and "all_ms" in burst["instances"]["latency"]:
        series = {
            "direct Pods": burst["direct_pods"]["latency"]["all_ms"],
            "instances (this operator)": burst["instances"]["latency"]["all_ms"],
        }
        title = f"Burst of {burst['count']}: create → Ready per object"
        plots.append(("burst-latency", "latency_distribution", {"series": series, "title": title, "note": note}))
    latency = scenarios.get("latency", {})
    if "all_ms" in latency.get("instance", {}):
        series = {
            "direct Pods": latency["direct_pod"]["all_ms"],
            "instances (this operator)": latency["instance"]["all_ms"],
        }
        title = f"{latency['count']} sequential spawns: create → Ready"
        plots.append(("latency", "latency_distribution", {"series": series, "title": title, "note": note}))
    levels = scenarios.get("memory", {}).get("levels")
    if levels:
        series = {
            "RSS": [(r["ready_instances"], r["rss_mib"]) for r in levels],
            "RSS after a full GC": [(r["ready_instances"], r["rss_after_full_gc_mib"]) for r in levels],
            "live heap after a full GC": [(r["ready_instances"], r["heap_live_after_full_gc_mib"]) for r in levels],
        }
        title = "Operator memory against Ready instances"
        plots.append(("memory", "memory_against_instances", {"series": series, "title": title, "note": note}))
    plots += _peer_plots(scenarios, note)
    for name in ("smoke", "kill", "apiserver", "leader"):
        s = scenarios.get(name, {})
        if "ready_at_s" in s:
            marks = [(f["at_s"], "operator killed" if name in ("smoke", "kill", "leader") else "API server restarted")
                     for f in s.get("faults", [])]  # fmt: skip
            title = f"{name}: {s['instances']} instances Ready over time, with the faults"
            plots.append(
                (
                    f"{name}-ready",
                    "ready_over_time",
                    {
                        "series": {"instances (this operator)": s["ready_at_s"]},
                        "title": title,
                        "marks": marks,
                        "note": note,
                    },
                )
            )
    return plots


HUB_LABELS = {
    "floor": "hub alone",
    "kubespawner": "KubeSpawner 7.1.0",
    "operator": "NotebookInstanceSpawner + this operator",
}
KUBEFLOW = "Kubeflow notebook controller 1.10.0"


def _peer_plots(scenarios: dict, note: str) -> list[tuple[str, str, dict]]:
    """The comparisons with KubeSpawner (scenario hub) and Kubeflow (scenario kubeflow, next to this operator's
    burst and memory in the same run)."""
    plots = []
    hub = scenarios.get("hub", {})
    for n in sorted({c["users"] for c in hub.values() if isinstance(c, dict) and "users" in c}):
        cases = {HUB_LABELS[k]: hub[f"{k}-{n}"] for k in HUB_LABELS if f"{k}-{n}" in hub}
        ready = {label: c["ready_s"] for label, c in cases.items() if "ready_s" in c}
        if ready:
            title = f"A JupyterHub spawning {n} users, 20 at a time: Ready in the hub over time"
            plots.append((f"hub{n}-ready", "ready_over_time", {"series": ready, "title": title, "note": note}))
        took = {label: [x * 1000 for x in c["hub_took"].get("all_s", [])] for label, c in cases.items()}
        if any(took.values()):
            title = f"A JupyterHub spawning {n} users: each spawn as the hub times it"
            plots.append((f"hub{n}-latency", "latency_distribution", {"series": took, "title": title, "note": note}))
    kubeflow, burst, floor = scenarios.get("kubeflow", {}), scenarios.get("burst", {}), scenarios.get("floor", {})
    if "ready_s" in kubeflow.get("burst", {}):
        series = {}
        if "ready_at_s" in burst.get("instances", {}):
            series["direct Pods"] = burst["direct_pods"]["ready_at_s"]
            series["instances (this operator)"] = burst["instances"]["ready_at_s"]
        series[KUBEFLOW] = kubeflow["burst"]["ready_s"]
        if "ready_at_s" in floor:
            series["protocol floor (no operator)"] = floor["ready_at_s"]
        title = f"Burst of {kubeflow['burst']['count']}: Ready over time, this operator and Kubeflow"
        plots.append(("peers-ready", "ready_over_time", {"series": series, "title": title, "note": note}))
    if kubeflow.get("memory"):
        series = {}
        levels = scenarios.get("memory", {}).get("levels")
        if levels:
            series["this operator: RSS"] = [(r["ready_instances"], r["rss_mib"]) for r in levels]
        series[f"{KUBEFLOW}: RSS"] = [
            (r["ready_notebooks"], r["rss_mib"]) for r in kubeflow["memory"] if r.get("ready_notebooks")
        ]
        title = "Controller memory against Ready servers"
        plots.append(("peers-memory", "memory_against_instances", {"series": series, "title": title, "note": note}))
    return plots


def together(results: list[dict]) -> dict:
    """Results of runs made one after the other (this operator's burst and memory in one, Kubeflow's in the next)
    as one result, to draw them on the same axes: the scenarios of all (a scenario in two runs: the first's), the
    run ids joined by '+', the first run's start and versions."""
    merged = {**results[0], "run_id": "+".join(r.get("run_id", "?") for r in results), "scenarios": {}}
    for r in results:
        for name, scenario in r.get("scenarios", {}).items():
            merged["scenarios"].setdefault(name, scenario)
    return merged


def plot_result(result: dict, out_dir: str) -> list[str]:
    """Writes every plot of a result into out_dir as <run id>-<plot>.svg; returns the paths."""
    written = []
    for suffix, function, kwargs in from_result(result):
        path = os.path.join(out_dir, f"{result.get('run_id', 'run')}-{suffix}.svg")
        written.append(globals()[function](path, **kwargs))
    return written
