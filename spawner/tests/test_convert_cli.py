"""kubespawner-to-template's command line: its four files, its warnings (never a silent drop), its errors."""

from __future__ import annotations

import pytest
import yaml
from z2jh_reference import reference

from notebookinstance_spawner.convert import cli

pytestmark = pytest.mark.skipif(not reference.available(), reason=f"{reference.Z2JH_CHART} is missing")


def run(tmp_path, overlay: dict, *extra: str) -> int:
    values = tmp_path / "values.yaml"
    values.write_text(yaml.safe_dump(overlay))
    args = ["--chart-values", str(reference.Z2JH_CHART / "values.yaml"), "-f", str(reference.RELEASED_TAGS_FILE)]
    return cli.main(
        [*args, "-f", str(values), "--release", "jhub", "--namespace", "hub", "-o", str(tmp_path / "out"), *extra]
    )


def test_writes_templates_chart_values_hub_values_and_warnings(tmp_path, capsys):
    overlay = {
        "singleuser": {
            "extraEnv": {"A": "{username!r}"},
            "profileList": [
                {"display_name": "Lab", "default": True, "kubespawner_override": {"default_url": "/lab"}},
                {
                    "display_name": "Big",
                    "kubespawner_override": {"mem_limit": "8G", "modify_pod_hook": "x"},
                    "allowed_groups": ["admins"],
                },
            ],
        }
    }
    assert run(tmp_path, overlay, "--adopt-kubespawner-claims") == 0
    out = tmp_path / "out"
    templates = list(yaml.safe_load_all((out / "templates.yaml").read_text()))
    assert [t["metadata"]["name"] for t in templates] == ["z2jh-default-lab", "z2jh-default-big"]
    assert all(t["metadata"]["namespace"] == "hub" and t["spec"]["policy"]["adoptKubeSpawnerClaims"] for t in templates)
    chart = yaml.safe_load((out / "jno-values.yaml").read_text())
    assert [t["spec"] for t in chart["templates"]] == [t["spec"] for t in templates]
    hub = yaml.safe_load((out / "z2jh-values.yaml").read_text())["hub"]["config"]["NotebookInstanceSpawner"]
    assert [p["slug"] for p in hub["profile_list"]] == ["lab", "big"] and hub["profile_list"][0]["default"]
    warnings = (out / "warnings.txt").read_text()
    assert "singleuser.profileList[0].kubespawner_override.default_url: a hub setting" in warnings
    assert "modify_pod_hook: ignored (a hook cannot change an admin-owned template" in warnings
    assert "singleuser.profileList[1].allowed_groups: not converted" in warnings
    assert "{username!r:} formatting is dropped" in warnings
    assert capsys.readouterr().err.count("warning: ") == len(warnings.splitlines())
    assert run(tmp_path, overlay, "--strict") == 3


def test_bad_input_is_an_error_naming_it(tmp_path, capsys):
    assert run(tmp_path, {"singleuser": {"memory": {"limit": "2Gi"}}}) == 2
    assert (
        "mem_limit (singleuser.memory.limit or an override): '2Gi' is not an amount of memory KubeSpawner accepts:"
        " a number followed by K, M, G or T (1024-based)" in capsys.readouterr().err
    )
    assert cli.main(["-f", str(reference.RELEASED_TAGS_FILE), "-o", str(tmp_path / "x")]) == 2
    assert "missing --release, --namespace, --chart-version" in capsys.readouterr().err
