"""The builders make their objects from the CRDs' typed models (python-models/), and the JSON is exactly what the
dict-built version of the same builders gave (kept below as the reference), for every shape of input."""

import json

import pytest

from jupyter_notebook_operator_models import API_VERSION, JupyterNotebookInstance
from notebookinstance_spawner import resources
from notebookinstance_spawner.kube import GROUP, INSTANCE_KIND, VERSION
from notebookinstance_spawner.slugs import ServerNames


def reference_secret(*, name, namespace, names, env, labels):
    """secret_body as it was before the models (dicts)."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": dict(labels),
            "annotations": resources.common_annotations(names),
        },
        "type": "Opaque",
        "stringData": dict(env),
    }


def reference_instance(
    *, name, namespace, names, template_name, template_namespace, variables, env, secret_name, args, labels
):
    """instance_body as it was before the models (dicts)."""
    template = {"name": template_name}
    if template_namespace and template_namespace != namespace:
        template["namespace"] = template_namespace
    spec = {"template": template, "variables": dict(variables), "env": dict(env)}
    if secret_name:
        spec["envSecretRef"] = {"name": secret_name}
    if args is not None:
        spec["args"] = list(args)
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": INSTANCE_KIND,
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": dict(labels),
            "annotations": resources.common_annotations(names),
        },
        "spec": spec,
    }


def server_names(servername=""):
    return ServerNames.of("ada.lovelace@example.org", servername)


def same_json(a, b):
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@pytest.mark.parametrize("servername", ["", "My GPU"])
@pytest.mark.parametrize("template_namespace", [None, "jupyterhub", "templates"])
@pytest.mark.parametrize("secret_name", [None, "", "jupyter-ada"])
@pytest.mark.parametrize("args", [None, [], ["jupyterhub-singleuser", "--debug"]])
def test_instance_json_is_unchanged(servername, template_namespace, secret_name, args):
    names = server_names(servername)
    given = dict(
        name="jupyter-ada",
        namespace="jupyterhub",
        names=names,
        template_name="z2jh-default",
        template_namespace=template_namespace,
        variables={"user_server": "ada", "servername": "", "userid": "42"},
        env={"JUPYTERHUB_API_URL": "http://hub:8081/hub/api", "PLAIN": '{"json": ["kept"]}', "EMPTY": ""},
        secret_name=secret_name,
        args=args,
        labels=resources.common_labels(names, {"team": "a"}),
    )
    built = resources.instance_body(**given)
    same_json(built, reference_instance(**given))
    assert JupyterNotebookInstance.from_dict(built).to_dict() == built


def test_empty_variables_and_env_are_still_sent():
    names = server_names()
    built = resources.instance_body(
        name="n",
        namespace="ns",
        names=names,
        template_name="t",
        template_namespace=None,
        variables={},
        env={},
        secret_name=None,
        args=None,
        labels={},
    )
    assert built["spec"] == {"template": {"name": "t"}, "variables": {}, "env": {}}
    assert built["apiVersion"] == API_VERSION


@pytest.mark.parametrize("servername", ["", "My GPU"])
def test_secret_json_is_unchanged(servername):
    names = server_names(servername)
    given = dict(
        name="jupyter-ada",
        namespace="jupyterhub",
        names=names,
        env={"JUPYTERHUB_API_TOKEN": "t0ken", "JPY_API_TOKEN": "t0ken"},
        labels=resources.common_labels(names),
    )
    same_json(resources.secret_body(**given), reference_secret(**given))


def test_what_the_crd_refuses_is_a_clear_error_before_anything_is_sent():
    names = server_names()
    with pytest.raises(ValueError, match=r"(?s)JupyterNotebookInstanceSpec\nenv\n.*at most 256 items"):
        resources.instance_body(
            name="n",
            namespace="ns",
            names=names,
            template_name="t",
            template_namespace=None,
            variables={},
            env={f"V{i}": "x" for i in range(257)},
            secret_name=None,
            args=None,
            labels={},
        )
