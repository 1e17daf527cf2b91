"""Zero-to-JupyterHub values as the chart sees them: files merged the way Helm merges them, and the names the chart
gives its objects (what its ``z2jh.get_name`` returns in the hub)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


def merge(base: Mapping[str, Any], override: Mapping[str, Any] | None) -> dict[str, Any]:
    """Helm's merge of a values file over another: maps merge key by key, anything else is replaced, and a null
    removes the key (that is how a user turns a chart default off)."""
    result = copy.deepcopy(dict(base))
    for key, value in (override or {}).items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def get(values: Mapping[str, Any] | None, path: str, default: Any = None) -> Any:
    """values["a"]["b"]... for path "a.b", or default when a level is missing or not a map (like z2jh.get_config)."""
    current: Any = values
    for level in path.split("."):
        if not isinstance(current, Mapping) or level not in current:
            return default
        current = current[level]
    return current


def load(paths: list[Path]) -> dict[str, Any]:
    """The values files merged in order (later files win), as `helm -f a.yaml -f b.yaml` does."""
    merged: dict[str, Any] = {}
    for path in paths:
        loaded = yaml.safe_load(Path(path).read_text()) or {}
        if not isinstance(loaded, Mapping):
            raise ValueError(f"{path}: a values file must be a YAML map, not {type(loaded).__name__}")
        merged = merge(merged, loaded)
    return merged


@dataclass(frozen=True)
class Release:
    """One installation of the Zero-to-JupyterHub chart: its values (defaults included), release and namespace."""

    values: Mapping[str, Any]
    name: str
    namespace: str
    chart_version: str
    chart_name: str = "jupyterhub"
    extra: Mapping[str, Any] = field(default_factory=dict)

    def get(self, path: str, default: Any = None) -> Any:
        return get(self.values, path, default)

    @property
    def fullname(self) -> str:
        override = self.values.get("fullnameOverride")
        if isinstance(override, str):
            return override
        name = self.values.get("nameOverride") or self.chart_name
        return self.name if name in self.name else f"{self.name}-{name}"

    def name_of(self, short: str) -> str:
        """The chart's name for one of its objects, e.g. "hub", "proxy", "user-scheduler", "priority"."""
        full = self.fullname
        dash = f"{full}-" if full else ""
        if short == "user-scheduler":  # the scheduler's registered name
            return f"{dash}user-scheduler" if full else f"{self.name}-user-scheduler"
        if short == "priority":
            return full or f"{self.name}-default-priority"
        return f"{dash}{short}"

    @property
    def app_label(self) -> str:
        return (self.values.get("nameOverride") or self.chart_name)[:63].rstrip("-")

    @property
    def chart_label(self) -> str:
        return f"{self.chart_name}-{self.chart_version.replace('+', '_')}"
