"""The two objects the spawner creates for a server, as pure functions of their inputs.

The hub's sensitive environment (its API token, anything that looks like a secret) goes into a Secret that the
operator only references with envFrom; the instance carries the rest, readable by anyone who may read instances.
Both are built from the typed models generated from the CRDs (python-models/), so a value the CRD would refuse
(too long, too many entries) is a ValueError naming the field here, before anything is sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from jupyter_notebook_operator_models import JupyterNotebookInstance, ObjectMeta
from jupyter_notebook_operator_models.v1 import EnvSecretRef, JupyterNotebookInstanceSpec, TemplateReference

from .kube import GROUP, INSTANCE_KIND, VERSION
from .slugs import ServerNames

# CRD rule for spec.env keys, and the Secret rule for data keys (stricter of the two applies to each side).
_ENV_NAME = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")

MANAGED_BY = "notebookinstance-spawner"
#: names the one instance whose pod may receive a Secret (the operator checks it before mounting the Secret)
INSTANCE_LABEL = "kubespawner.jupyterhub.org/instance"


@dataclass(frozen=True)
class SplitEnv:
    plain: dict[str, str]
    secret: dict[str, str]


def split_env(env: Mapping[str, object], is_secret) -> SplitEnv:
    """Splits the hub's environment: is_secret(name) decides; None values are dropped, others become strings.

    Raises ValueError naming the variable when a name cannot be an environment variable of a container.
    """
    plain: dict[str, str] = {}
    secret: dict[str, str] = {}
    for key, value in env.items():
        if value is None:
            continue
        if not _ENV_NAME.fullmatch(key):
            raise ValueError(
                f"environment variable name {key!r} is not allowed: it must match [-._a-zA-Z][-._a-zA-Z0-9]*"
            )
        (secret if is_secret(key) else plain)[key] = value if isinstance(value, str) else str(value)
    return SplitEnv(plain, secret)


def check_name(kind: str, name: str, max_length: int = 253) -> str:
    """name when it is a valid DNS-1123 subdomain of at most max_length characters, else a clear ValueError."""
    if len(name) > max_length or not _DNS_SUBDOMAIN.fullmatch(name):
        raise ValueError(
            f"{kind} name {name!r} is not valid: it must be lowercase letters, digits, '-' and '.', start and end"
            f" with a letter or digit, and have at most {max_length} characters"
        )
    return name


def common_labels(names: ServerNames, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Labels KubeSpawner puts on its objects (so selectors written for it keep working), plus extra."""
    labels = {
        "app.kubernetes.io/managed-by": MANAGED_BY,
        "hub.jupyter.org/username": names.username_label,
        "hub.jupyter.org/servername": names.servername_label,
    }
    labels.update(extra or {})
    return labels


def common_annotations(names: ServerNames) -> dict[str, str]:
    annotations = {"hub.jupyter.org/username": names.unescaped_username}
    if names.unescaped_servername:
        annotations["hub.jupyter.org/servername"] = names.unescaped_servername
    return annotations


def _metadata(*, name: str, namespace: str, names: ServerNames, labels: Mapping[str, str]) -> ObjectMeta:
    return ObjectMeta(name=name, namespace=namespace, labels=dict(labels), annotations=common_annotations(names))


def secret_body(
    *, name: str, namespace: str, names: ServerNames, env: Mapping[str, str], labels: Mapping[str, str]
) -> dict:
    # A Secret is Kubernetes' own kind, not one of the CRDs: only its metadata has a model here.
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": _metadata(name=name, namespace=namespace, names=names, labels=labels).to_dict(),
        "type": "Opaque",
        "stringData": dict(env),
    }


def instance_body(
    *,
    name: str,
    namespace: str,
    names: ServerNames,
    template_name: str,
    template_namespace: str | None,
    variables: Mapping[str, str],
    env: Mapping[str, str],
    secret_name: str | None,
    args: list[str] | None,
    labels: Mapping[str, str],
) -> dict:
    # Only what is given is set (to_dict() leaves unset fields out), and every field is checked on construction.
    template: dict = {"name": template_name}
    if template_namespace and template_namespace != namespace:
        template["namespace"] = template_namespace
    optional: dict = {}
    if secret_name:
        optional["env_secret_ref"] = EnvSecretRef(name=secret_name)
    if args is not None:
        optional["args"] = list(args)
    spec = JupyterNotebookInstanceSpec(
        template=TemplateReference(**template), variables=dict(variables), env=dict(env), **optional
    )
    return JupyterNotebookInstance(
        api_version=f"{GROUP}/{VERSION}",
        kind=INSTANCE_KIND,
        metadata=_metadata(name=name, namespace=namespace, names=names, labels=labels),
        spec=spec,
    ).to_dict()
