"""Profiles, the options form built from template variables, and validation of user options."""

import html
import re

import pytest

from notebookinstance_spawner import SpawnError
from notebookinstance_spawner.profiles import options_from_form, profiles_from_config, render_form
from notebookinstance_spawner.variables import TemplateInfo, Variable, check_values

PROFILES = [
    {
        "display_name": "Small",
        "template": "z2jh-default",
        "default": True,
        "variables": {"mem_limit": "1G"},
        "description": "1 GB of memory",
    },
    {"display_name": "Custom image", "slug": "custom", "template": {"name": "custom"}},
]
UNNAMED = [
    {"template": "custom"},
]


@pytest.fixture
async def custom_template(fake, z2jh_template):
    z2jh_template["metadata"]["name"] = "custom"
    z2jh_template["spec"]["displayName"] = "Bring your own image"
    z2jh_template["spec"]["variables"] += [
        {
            "name": "repo",
            "description": "Git repository",
            "pattern": "https://github\\.com/[^/]+/[^/]+",
            "maxLength": 100,
        },
        {"name": "team", "required": True, "maxLength": 10},
    ]
    await fake.put("jupyternotebookinstancetemplates", z2jh_template)
    return z2jh_template


def fields(form: str) -> dict[str, str]:
    """name -> the HTML element (input or select) that carries it."""
    found = {}
    for match in re.finditer(r'<(input|select)[^>]*name="([^"]+)"[^>]*>', form):
        found[html.unescape(match.group(2))] = match.group(0)
    return found


async def test_form_without_profiles_offers_the_templates_free_variables(spawner_factory):
    form = await spawner_factory().get_options_form()
    found = fields(form)
    # the spawner fills username etc.; the rest are the user's to choose
    assert set(found) == {"var..image", "var..cpu_limit", "var..mem_limit", "var..mem_guarantee"}
    assert found["var..image"].startswith("<select")
    assert '<option value="2G" selected>2G</option>' in form
    assert 'name="profile"' not in form


async def test_no_form_when_nothing_can_be_chosen(spawner_factory):
    spawner = spawner_factory(user_variables=[])
    assert await spawner.get_options_form() == ""


async def test_form_with_profiles(spawner_factory, custom_template):
    form = await spawner_factory(profile_list=PROFILES).get_options_form()
    found = fields(form)
    assert 'value="small" checked' in found["profile"] or 'value="small" checked' in form
    assert "<strong>Small</strong>" in form and "1 GB of memory" in form and "<strong>Custom image</strong>" in form
    # without a description of its own, a profile shows its template's
    assert "Jupyter server with a 10 GiB home directory" in form
    # a fixed variable is not offered; text fields carry the declared pattern and length
    assert "var.small.mem_limit" not in found and "var.small.cpu_limit" in found
    repo = found["var.custom.repo"]
    assert 'pattern="https://github\\.com/[^/]+/[^/]+"' in repo and 'maxlength="100"' in repo
    assert " required" not in found["var.custom.team"]  # only the chosen profile's fields matter


async def test_a_profile_without_a_display_name_shows_the_templates(spawner_factory, custom_template):
    form = await spawner_factory(profile_list=UNNAMED + PROFILES[:1]).get_options_form()
    assert 'value="custom"' in form and "<strong>Bring your own image</strong>" in form


async def test_a_profile_with_a_missing_template_is_shown_disabled(spawner_factory):
    form = await spawner_factory(profile_list=PROFILES).get_options_form()
    assert re.search(r'value="custom"[^>]*disabled', form)
    assert "unavailable" in form


def test_form_data_becomes_user_options():
    formdata = {
        "profile": ["custom"],
        "var.custom.repo": ["https://github.com/a/b"],
        "var.custom.team": [""],
        "var.small.cpu_limit": ["4"],
    }
    assert options_from_form(formdata) == {"profile": "custom", "variables": {"repo": "https://github.com/a/b"}}
    assert options_from_form({"var..image": ["x"]}) == {"variables": {"image": "x"}}
    assert options_from_form({}) == {}


async def test_chosen_options_reach_the_instance(spawner_factory, custom_template):
    spawner = spawner_factory(profile_list=PROFILES)
    spawner.user_options = {"profile": "custom", "variables": {"repo": "https://github.com/a/b"}, "team": "red"}
    profile, template, variables = await spawner.plan()
    assert profile.slug == "custom" and template.name == "custom"
    assert variables["repo"] == "https://github.com/a/b" and variables["team"] == "red"

    spawner.user_options = {}
    profile, template, variables = await spawner.plan()
    assert profile.slug == "small" and variables["mem_limit"] == "1G"


@pytest.mark.parametrize(
    "options, message",
    [
        ({"profile": "huge"}, "unknown profile 'huge'; available profiles: 'small', 'custom'"),
        ({"mem_limit": "64G"}, "variable 'mem_limit' cannot be set by users here"),
        ({"username": "root"}, "variable 'username' cannot be set by users here"),
        ({"cpu_limit": "3"}, "variable 'cpu_limit' is '3'; allowed values: '1', '2', '4'"),
        ({"nonsense": "1"}, "does not declare a variable 'nonsense'"),
        ({"variables": "x"}, "must be an object"),
        ({"profile": "custom", "repo": "https://evil.example/x", "team": "red"}, "does not match the pattern"),
        ({"profile": "custom"}, "variable 'team' is required"),
        ({"profile": "custom", "team": "far-too-long-a-name"}, "is 19 characters long; at most 10 are allowed"),
        ({"profile": "custom", "team": 5}, "must be a string, not int"),
    ],
)
async def test_bad_options_are_refused_before_anything_is_created(
    spawner_factory, custom_template, fake, options, message
):
    spawner = spawner_factory(profile_list=PROFILES)
    spawner.user_options = options
    with pytest.raises(SpawnError) as caught:
        await spawner.start()
    assert message in str(caught.value)
    assert str(caught.value).startswith("Cannot start the server: ")
    assert caught.value.jupyterhub_message == str(caught.value)
    assert caught.value.status_code == 400  # the user's to fix
    assert not [r for r in fake.requests if r[0] in ("POST", "PUT", "DELETE")]


async def test_every_problem_is_reported_at_once(spawner_factory, custom_template):
    spawner = spawner_factory(profile_list=PROFILES)
    spawner.user_options = {"profile": "custom", "cpu_limit": "3", "repo": "nope"}
    with pytest.raises(SpawnError) as caught:
        await spawner.plan()
    text = str(caught.value)
    assert "cpu_limit" in text and "repo" in text and "'team' is required" in text


async def test_missing_template_is_a_clear_error(spawner_factory):
    spawner = spawner_factory(template_name="nope")
    with pytest.raises(SpawnError, match="template jupyterhub/nope does not exist"):
        await spawner.start()


async def test_user_variables_restrict_what_users_may_set(spawner_factory):
    spawner = spawner_factory(user_variables=["image"])
    spawner.user_options = {"cpu_limit": "4"}
    with pytest.raises(SpawnError, match=r"'cpu_limit' cannot be set by users here \(settable: image\)"):
        await spawner.plan()


async def test_profile_list_may_be_a_callable(spawner_factory, custom_template):
    async def profiles(spawner):
        return [{"display_name": f"For {spawner.user.name}", "template": "custom"}]

    spawner = spawner_factory(profile_list=profiles)
    spawner.user_options = {"team": "blue"}
    profile, template, _ = await spawner.plan()
    assert profile.slug == "for-ada-lovelace-example-org" and template.name == "custom"


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"display_name": "x"}, "profile_list[0]: 'template'"),
        ({"template": "a", "colour": "red"}, "unknown field(s) ['colour']"),
        ({"template": "a", "variables": {"x": 1}}, "'variables' must map variable names to strings"),
    ],
)
def test_bad_profile_configuration_is_explained(entry, message):
    with pytest.raises(ValueError) as caught:
        profiles_from_config([entry], "", None)
    assert message in str(caught.value)


def test_duplicate_profile_slugs_are_refused():
    with pytest.raises(ValueError, match="slug 'a' is used by another profile"):
        profiles_from_config([{"template": "a"}, {"template": "b", "slug": "a"}], "", None)


def test_variable_rules():
    template = TemplateInfo(
        "t",
        "ns",
        variables=(
            Variable("code", pattern="[a-z]{2}[0-9]"),
            Variable("free"),
            Variable("java_only", pattern="\\p{Alpha}+"),
        ),
    )
    assert check_values(template, {"code": "ab1", "free": "anything {at} all", "java_only": "x"}).ok
    result = check_values(template, {"code": "ab12"})
    assert result.problems == [
        "template ns/t: variable 'code' is 'ab12', which does not match the pattern [a-z]{2}[0-9]"
    ]


def test_render_form_escapes_everything():
    template = TemplateInfo("t", "ns", variables=(Variable("x", description='<script>"', default='"><b>'),))
    profile = profiles_from_config([{"display_name": "<i>P</i>", "template": "t"}], "", None)[0]
    form = render_form([(profile, template)], [])
    assert "<script>" not in form and "<b>" not in form and "<i>" not in form


@pytest.mark.skipif(
    not hasattr(__import__("jupyterhub.spawner").spawner.Spawner, "_run_apply_user_options"),
    reason="JupyterHub < 5.3 has no apply_user_options: start() checks the options",
)
async def test_the_hub_checks_options_before_calling_start(spawner_factory, fake):
    """JupyterHub >= 5.3 runs apply_user_options first: bad options become a 400 with the reason."""
    spawner = spawner_factory()
    spawner.user_options = {"cpu_limit": "64"}
    with pytest.raises(SpawnError) as caught:
        await spawner._run_apply_user_options(spawner.user_options)
    assert caught.value.status_code == 400
    assert "variable 'cpu_limit' is '64'; allowed values: '1', '2', '4'" in caught.value.jupyterhub_message
    spawner.user_options = {"cpu_limit": "4"}
    await spawner._run_apply_user_options(spawner.user_options)  # good options pass
    assert not [r for r in fake.requests if r[0] != "GET"]


async def test_configuration_mistakes_are_reported_as_such(spawner_factory, fake):
    spawner = spawner_factory(profile_list=[{"display_name": "x"}])
    with pytest.raises(SpawnError) as caught:
        await spawner.start()
    assert caught.value.status_code == 500  # not the user's fault
    assert "profile_list[0]: 'template'" in str(caught.value)

    spawner = spawner_factory(instance_name_template="Jupyter_{user_server}")
    with pytest.raises(SpawnError, match="JupyterNotebookInstance name 'Jupyter_ada-lovelace"):
        await spawner.start()
    assert not [r for r in fake.requests if r[0] != "GET"]
