"""kubespawner-to-template: the command line of the converter (see docs/migration.md).

    kubespawner-to-template --chart-values z2jh-defaults.yaml -f my-values.yaml --release jhub --namespace jupyterhub -o out/

writes out/templates.yaml (the templates, to kubectl apply), out/jno-values.yaml (the same as the operator chart's
``templates:`` value), out/z2jh-values.yaml (the spawner's configuration as Zero-to-JupyterHub values) and
out/warnings.txt (everything that could not be expressed; also printed). Exit status 0, or 3 with --strict when
there are warnings, 2 for bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from . import Options, convert, values

HEADER = "# Written by kubespawner-to-template from Zero-to-JupyterHub values ({source}); see docs/migration.md.\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="kubespawner-to-template",
        description="Convert Zero-to-JupyterHub values (singleuser.*, profileList) into JupyterNotebookInstance"
        "Templates and NotebookInstanceSpawner configuration that start the same pods.",
    )
    p.add_argument(
        "--chart-values",
        type=Path,
        help="the chart's own values.yaml (`helm show values jupyterhub/jupyterhub --version X`); not needed when"
        " -f is complete (`helm get values --all`, or the hub Secret's values.yaml)",
    )
    p.add_argument("-f", "--values", type=Path, action="append", default=[], help="your values files, in order")
    p.add_argument("--release", help="the Helm release name (default: Release.Name in the values)")
    p.add_argument("--namespace", help="the release's namespace, the hub's (default: Release.Namespace)")
    p.add_argument(
        "--chart-version", help="the chart's version (default: Chart.Version, or Chart.yaml beside --chart-values)"
    )
    p.add_argument("--template-name", default="z2jh-default", help="name (prefix, with profiles) of the templates")
    p.add_argument("--template-namespace", help="namespace of the templates (default: the release's)")
    p.add_argument(
        "--adopt-kubespawner-claims",
        action="store_true",
        help="the migration switch: the templates use the home claims KubeSpawner made for the same user"
        " (policy.adoptKubeSpawnerClaims)",
    )
    p.add_argument("-o", "--output", type=Path, required=True, help="directory to write the four files to")
    p.add_argument("--strict", action="store_true", help="exit with status 3 when anything could not be converted")
    return p.parse_args(argv)


def release_of(args: argparse.Namespace) -> values.Release:
    files = ([args.chart_values] if args.chart_values else []) + list(args.values)
    if not files:
        raise ValueError("give the values: --chart-values and/or -f")
    merged = values.load(files)
    meta_release, meta_chart = merged.pop("Release", {}) or {}, merged.pop("Chart", {}) or {}
    version = args.chart_version or meta_chart.get("Version")
    if not version and args.chart_values and (args.chart_values.parent / "Chart.yaml").exists():
        version = yaml.safe_load((args.chart_values.parent / "Chart.yaml").read_text()).get("version")
    name, namespace = args.release or meta_release.get("Name"), args.namespace or meta_release.get("Namespace")
    missing = [f for f, v in (("--release", name), ("--namespace", namespace), ("--chart-version", version)) if not v]
    if missing:
        raise ValueError(f"missing {', '.join(missing)} (not found in the values either)")
    if "singleuser" not in merged:
        raise ValueError("the values have no singleuser section: pass the chart's defaults with --chart-values")
    return values.Release(values=merged, name=name, namespace=namespace, chart_version=str(version))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        release = release_of(args)
        result = convert(
            release,
            Options(
                template_name=args.template_name,
                template_namespace=args.template_namespace,
                adopt_kubespawner_claims=args.adopt_kubespawner_claims,
            ),
        )
    except (ValueError, OSError, yaml.YAMLError) as e:
        print(f"kubespawner-to-template: {e}", file=sys.stderr)
        return 2
    out = args.output
    out.mkdir(parents=True, exist_ok=True)
    header = HEADER.format(
        source=", ".join(str(f) for f in ([args.chart_values] if args.chart_values else []) + args.values)
    )
    dump = lambda data: yaml.safe_dump(data, sort_keys=False, width=120, allow_unicode=True)  # noqa: E731
    (out / "templates.yaml").write_text(header + "---\n".join(dump(t) for t in result.templates))
    chart = {
        "templates": [{"name": t["metadata"]["name"], "namespace": "", "spec": t["spec"]} for t in result.templates]
    }
    (out / "jno-values.yaml").write_text(header + dump(chart))
    (out / "z2jh-values.yaml").write_text(
        header + dump({"hub": {"config": {"NotebookInstanceSpawner": result.spawner_config}}})
    )
    (out / "warnings.txt").write_text("".join(f"{w}\n" for w in result.warnings))
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    names = ", ".join(t["metadata"]["name"] for t in result.templates)
    print(f"{len(result.templates)} template(s) ({names}), {len(result.warnings)} warning(s), written to {out}/")
    return 3 if args.strict and result.warnings else 0


if __name__ == "__main__":
    sys.exit(main())
