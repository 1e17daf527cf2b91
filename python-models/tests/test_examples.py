"""The generated models read every example of crds/examples/ and give back exactly the same JSON."""

import copy
import pathlib

import pytest
import yaml
from pydantic import ValidationError

from jupyter_notebook_operator_models import (
    API_VERSION,
    JupyterNotebookInstance,
    JupyterNotebookInstanceTemplate,
)
from jupyter_notebook_operator_models.v1 import EnvVar, TemplateVariable, WhenDeleted

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "crds" / "examples"
MODELS = {
    "JupyterNotebookInstance": JupyterNotebookInstance,
    "JupyterNotebookInstanceTemplate": JupyterNotebookInstanceTemplate,
}
# Examples of kinds that are not ours (the hub's token Secret): nothing to model.
FOREIGN_KINDS = {"Secret"}


def all_documents():
    for path in sorted(EXAMPLES.glob("*.yaml")):
        for index, doc in enumerate(yaml.safe_load_all(path.read_text())):
            if doc:
                yield f"{path.name}#{index}", doc


def test_every_example_is_of_a_known_kind_and_every_kind_has_one():
    kinds = {doc["kind"] for _, doc in all_documents()}
    assert set(MODELS) <= kinds
    assert kinds <= set(MODELS) | FOREIGN_KINDS, f"an example of an unknown kind: {kinds - set(MODELS)}"


@pytest.mark.parametrize(
    "doc", [pytest.param(doc, id=name) for name, doc in all_documents() if doc["kind"] not in FOREIGN_KINDS]
)
def test_example_round_trips_unchanged(doc):
    original = copy.deepcopy(doc)
    model = MODELS[doc["kind"]].from_dict(doc)
    assert model.api_version == API_VERSION
    assert model.to_dict() == original
    # and again through JSON text
    assert type(model).model_validate_json(model.model_dump_json(by_alias=True, exclude_unset=True)) == model


def example(name):
    return yaml.safe_load((EXAMPLES / name).read_text())


def test_instance_fields_are_typed():
    instance = JupyterNotebookInstance.from_dict(example("instance.yaml"))
    assert instance.metadata.name == "jupyter-ada-lovelace-example-org---7799473f"
    assert instance.spec.template.name == "z2jh-default"
    assert instance.spec.env_secret_ref.name == instance.metadata.name
    assert instance.spec.variables["userid"] == "42"
    assert instance.spec.args == ["jupyterhub-singleuser"]


def test_template_embeds_kubernetes_types():
    template = JupyterNotebookInstanceTemplate.from_dict(example("z2jh-default-template.yaml"))
    pod = template.spec.pods[0]
    container = pod.spec.containers[0]
    assert container.image == "{image}"
    assert isinstance(container.env[0], EnvVar)
    assert container.resources.requests["memory"] == "1Gi"  # Z2JH's "1G", read the way KubeSpawner reads it
    assert template.spec.persistent_volume_claims[0].when_deleted is WhenDeleted.retain
    assert isinstance(template.spec.variables[0], TemplateVariable)
    # reserved words get a trailing underscore in Python and keep their name on the wire
    ingress = template.spec.network_policies[0].spec.ingress[0]
    assert ingress.from_[0].pod_selector.match_labels == {"hub.jupyter.org/network-access-singleuser": "true"}


def test_objects_built_in_python_serialise_to_camel_case():
    instance = JupyterNotebookInstance(
        api_version=API_VERSION,
        kind="JupyterNotebookInstance",
        metadata={"name": "nb", "namespace": "hub"},
        spec={"template": {"name": "t"}, "env_secret_ref": {"name": "nb"}, "properties": {"example.org/a": "1"}},
    )
    assert instance.to_dict() == {
        "apiVersion": API_VERSION,
        "kind": "JupyterNotebookInstance",
        "metadata": {"name": "nb", "namespace": "hub"},
        "spec": {"template": {"name": "t"}, "envSecretRef": {"name": "nb"}, "properties": {"example.org/a": "1"}},
    }


def test_fields_unknown_to_this_version_are_kept():
    doc = example("instance.yaml")
    doc["spec"]["fromANewerServer"] = {"x": 1}
    assert JupyterNotebookInstance.from_dict(copy.deepcopy(doc)).to_dict() == doc


def test_the_crds_limits_are_checked():
    doc = example("instance.yaml")
    doc["spec"]["properties"] = {f"example.org/p{i}": "v" for i in range(33)}
    with pytest.raises(ValidationError, match=r"spec\.properties"):
        JupyterNotebookInstance.from_dict(doc)
    doc["spec"]["properties"] = {"example.org/long": "x" * 1025}
    with pytest.raises(ValidationError, match="1024"):
        JupyterNotebookInstance.from_dict(doc)
    doc = example("instance.yaml")
    del doc["spec"]["template"]
    with pytest.raises(ValidationError, match=r"spec\.template"):
        JupyterNotebookInstance.from_dict(doc)
