"""Typed models of the jupyter-notebook-operator's custom resources (group kubespawner.jupyterhub.org).

Generated from the CRDs (crds/src/) by python-models/generate.py, like the Java model artifact: use them to read
and build JupyterNotebookInstances and JupyterNotebookInstanceTemplates in Python (a JupyterHub spawner, a kopf
controller, a script) instead of untyped dicts.

    from jupyter_notebook_operator_models import JupyterNotebookInstance

    instance = JupyterNotebookInstance.from_dict(obj)          # what the API server or a YAML file gave
    instance.spec.properties["example.org/budget-code"]       # typed access, snake_case fields
    body = instance.to_dict()                                  # camelCase JSON for the API, unchanged on round trip
"""

from .base import KubernetesModel
from .v1 import (
    InstancePhase,
    InstanceResource,
    JupyterNotebookInstance,
    JupyterNotebookInstanceSpec,
    JupyterNotebookInstanceStatus,
    JupyterNotebookInstanceTemplate,
    JupyterNotebookInstanceTemplateSpec,
    JupyterNotebookInstanceTemplateStatus,
    ObjectMeta,
    TemplateReference,
)

GROUP = "kubespawner.jupyterhub.org"
VERSION = "v1"
API_VERSION = f"{GROUP}/{VERSION}"

__all__ = [
    "API_VERSION",
    "GROUP",
    "VERSION",
    "InstancePhase",
    "InstanceResource",
    "JupyterNotebookInstance",
    "JupyterNotebookInstanceSpec",
    "JupyterNotebookInstanceStatus",
    "JupyterNotebookInstanceTemplate",
    "JupyterNotebookInstanceTemplateSpec",
    "JupyterNotebookInstanceTemplateStatus",
    "KubernetesModel",
    "ObjectMeta",
    "TemplateReference",
]
