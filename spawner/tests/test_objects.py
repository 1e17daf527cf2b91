"""The Secret and the instance built for a server (no API calls)."""

import json

import pytest
from conftest import example

from notebookinstance_spawner.resources import check_name, split_env
from notebookinstance_spawner.variables import TemplateInfo


@pytest.fixture
def template(z2jh_template):
    return TemplateInfo.from_object(z2jh_template)


async def build(spawner):
    profile, template, variables = await spawner.plan()
    return spawner.build_objects(profile, template, variables)


async def test_default_server_objects_follow_the_example(spawner_factory):
    spawner = spawner_factory(extra_variables={"mem_limit": "4G"})
    secret, instance = await build(spawner)
    expected = example("instance.yaml")

    assert instance["apiVersion"] == expected["apiVersion"] and instance["kind"] == expected["kind"]
    assert instance["metadata"]["name"] == "jupyter-ada-lovelace-example-org---7799473f"
    assert instance["metadata"]["namespace"] == "jupyterhub"
    assert instance["metadata"]["labels"]["hub.jupyter.org/username"] == "ada-lovelace-example---7799473f"
    assert instance["metadata"]["annotations"]["hub.jupyter.org/username"] == "ada.lovelace@example.org"
    assert instance["spec"]["template"] == {"name": "z2jh-default"}
    assert instance["spec"]["variables"] == {
        "username": "ada-lovelace-example-org---7799473f",
        "unescaped_username": "ada.lovelace@example.org",
        "servername": "",
        "unescaped_servername": "",
        "user_server": "ada-lovelace-example-org---7799473f",
        "userid": "42",
        "pvc_name": "claim-ada-lovelace-example-org---7799473f",
        "hub_namespace": "jupyterhub",
        "mem_limit": "4G",
    }
    for key in (
        "JUPYTERHUB_USER",
        "JUPYTERHUB_SERVICE_PREFIX",
        "JUPYTERHUB_OAUTH_CALLBACK_URL",
        "JUPYTERHUB_SERVICE_URL",
        "JUPYTERHUB_CLIENT_ID",
    ):
        assert instance["spec"]["env"][key] == expected["spec"]["env"][key], key
    assert instance["spec"]["envSecretRef"] == {"name": secret["metadata"]["name"]}
    assert instance["spec"]["args"] == ["jupyterhub-singleuser"]

    assert secret["metadata"]["name"] == instance["metadata"]["name"]
    assert secret["stringData"] == {"JUPYTERHUB_API_TOKEN": "secret-token-123", "JPY_API_TOKEN": "secret-token-123"}
    assert secret["type"] == "Opaque"


async def test_secrets_never_reach_the_instance(spawner_factory):
    spawner = spawner_factory(
        environment={"S3_SECRET_ACCESS_KEY": "s3cr3t", "DB_PASSWORD": "pw", "PLAIN": '{"json": ["kept", "verbatim"]}'}
    )
    secret, instance = await build(spawner)
    text = json.dumps(instance)
    for value in ("secret-token-123", "s3cr3t", 'pw"'):
        assert value not in text
    assert secret["stringData"]["S3_SECRET_ACCESS_KEY"] == "s3cr3t"
    assert secret["stringData"]["DB_PASSWORD"] == "pw"
    assert instance["spec"]["env"]["PLAIN"] == '{"json": ["kept", "verbatim"]}'


async def test_named_server(spawner_factory):
    spawner = spawner_factory(username="Ada", servername="My GPU")
    secret, instance = await build(spawner)
    variables = instance["spec"]["variables"]
    assert variables["servername"] == "my-gpu---" + variables["servername"].rsplit("---", 1)[1]
    assert variables["unescaped_servername"] == "My GPU"
    assert variables["user_server"] == f"{variables['username']}--{variables['servername']}"
    assert instance["metadata"]["name"] == f"jupyter-{variables['user_server']}"
    assert instance["metadata"]["annotations"]["hub.jupyter.org/servername"] == "My GPU"
    assert instance["spec"]["env"]["JUPYTERHUB_SERVER_NAME"] == "My GPU"
    assert instance["spec"]["env"]["JUPYTERHUB_SERVICE_PREFIX"] == "/user/Ada/My GPU/"

    default_secret, default_instance = await build(spawner_factory(username="Ada"))
    assert default_instance["metadata"]["name"] != instance["metadata"]["name"]
    assert default_secret["metadata"]["name"] != secret["metadata"]["name"]


async def test_only_declared_variables_are_sent(spawner_factory, fake, z2jh_template):
    z2jh_template["metadata"]["name"] = "minimal"
    z2jh_template["spec"]["variables"] = [{"name": "user_server", "required": True}]
    await fake.put("jupyternotebookinstancetemplates", z2jh_template)
    spawner = spawner_factory(template_name="minimal", extra_variables={"mem_limit": "4G"})
    _, instance = await build(spawner)
    assert instance["spec"]["variables"] == {"user_server": "ada-lovelace-example-org---7799473f"}


async def test_args_only_when_the_template_allows_them(spawner_factory, fake, z2jh_template):
    z2jh_template["metadata"]["name"] = "no-args"
    z2jh_template["spec"]["policy"]["allowArgs"] = False
    await fake.put("jupyternotebookinstancetemplates", z2jh_template)
    _, instance = await build(spawner_factory(template_name="no-args"))
    assert "args" not in instance["spec"]

    _, instance = await build(spawner_factory(args=["--debug"], cmd=["jupyterhub-singleuser", "--x"]))
    assert instance["spec"]["args"] == ["jupyterhub-singleuser", "--x", "--debug"]

    _, instance = await build(spawner_factory(send_args=False))
    assert "args" not in instance["spec"]


async def test_labels_and_configured_names(spawner_factory):
    spawner = spawner_factory(
        username="bob",
        servername="x",
        extra_labels={"team": "a"},
        instance_name_template="nb-{user_server}",
        secret_name_template="{instance_name}-env",
    )
    secret, instance = await build(spawner)
    assert instance["metadata"]["name"] == "nb-bob--x"
    assert secret["metadata"]["name"] == "nb-bob--x-env"
    labels = {
        "app.kubernetes.io/managed-by": "notebookinstance-spawner",
        "hub.jupyter.org/username": "bob",
        "hub.jupyter.org/servername": "x",
        "team": "a",
    }
    assert instance["metadata"]["labels"] == labels
    # the operator mounts a Secret only into the instance it names (a Secret named otherwise is refused)
    assert secret["metadata"]["labels"] == labels | {"kubespawner.jupyterhub.org/instance": "nb-bob--x"}


async def test_a_template_in_another_namespace_is_referenced_with_it(spawner_factory, fake, z2jh_template):
    z2jh_template["metadata"]["namespace"] = "templates"
    await fake.put("jupyternotebookinstancetemplates", z2jh_template)
    _, instance = await build(spawner_factory(template_namespace="templates"))
    assert instance["spec"]["template"] == {"name": "z2jh-default", "namespace": "templates"}


async def test_settings_jupyterhub_expands_still_expand_with_the_template_namespace_trait(spawner_factory):
    # the trait template_namespace shadows Spawner.template_namespace(), which format_string uses
    spawner = spawner_factory(username="ada", default_url="/lab/tree/{username}")
    assert spawner.format_string("{username} {base_url}") == "ada /user/ada/"
    _, instance = await build(spawner)
    assert instance["spec"]["env"]["JUPYTERHUB_DEFAULT_URL"] == "/lab/tree/ada"


def test_split_env_rejects_names_a_container_cannot_have():
    with pytest.raises(ValueError, match="'1BAD'"):
        split_env({"1BAD": "x"}, lambda k: False)
    env = split_env({"A": 1, "B": None, "TOKEN": "t"}, lambda k: k == "TOKEN")
    assert env.plain == {"A": "1"} and env.secret == {"TOKEN": "t"}


def test_bad_configured_names_are_reported():
    with pytest.raises(ValueError, match="Secret name 'Bad_Name'"):
        check_name("Secret", "Bad_Name")
    assert check_name("Secret", "ok-name.x") == "ok-name.x"
