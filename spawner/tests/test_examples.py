"""The example template and the operator chart's default template are what kubespawner-to-template writes for
Zero-to-JupyterHub 4.4.0's defaults (crds/examples/regenerate-z2jh-default)."""

from __future__ import annotations

import importlib.machinery
import importlib.util

import pytest
from conftest import REPO
from z2jh_reference import reference


@pytest.mark.skipif(not reference.available(), reason=f"{reference.Z2JH_CHART} is missing")
def test_the_z2jh_default_template_is_the_conversion_of_z2jh_defaults(capsys):
    path = REPO / "crds" / "examples" / "regenerate-z2jh-default"
    loader = importlib.machinery.SourceFileLoader("regenerate_z2jh_default", str(path))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    assert module.main(["--check"]) == 0, capsys.readouterr().out
