"""Access rules as the spawner sees them: the operator's published decision (status.access) filters the options form
and refuses a start before anything is created; every instance says whose it is (spec.user)."""

import asyncio
from types import SimpleNamespace

import pytest

from notebookinstance_spawner import SpawnError
from notebookinstance_spawner.access import PublishedAccess, refusal, user_groups

PROFILES = [
    {"display_name": "Standard", "slug": "standard", "template": "z2jh-default", "default": True},
    {"display_name": "Physics lab", "slug": "lab", "template": {"name": "lab"}},
]


def groups(*names):
    return [SimpleNamespace(name=n) for n in names]


@pytest.fixture
async def lab_template(fake, z2jh_template):
    """A copy of the default template that only group physics and user grace may use (as the operator published)."""
    z2jh_template["metadata"]["name"] = "lab"
    z2jh_template["spec"].setdefault("policy", {})["access"] = {"groups": ["physics"], "users": ["grace"]}
    z2jh_template["status"] = {
        "access": {"users": ["grace"], "groups": ["physics"], "rules": 2, "nextChange": "2027-04-30T18:00:00Z"}
    }
    await fake.put("jupyternotebookinstancetemplates", z2jh_template)
    return z2jh_template


def test_the_published_decision():
    assert PublishedAccess.of({"spec": {}}) is None  # nothing published: the template restricts nothing
    assert PublishedAccess.of({"status": {"access": None}}) is None
    published = PublishedAccess.of({"status": {"access": {"users": ["grace"], "groups": ["physics"]}}})
    assert published.grants("grace", [])
    assert published.grants("curie", ["chemistry", "physics"])
    assert not published.grants("pauling", ["chemistry"])
    assert not published.grants("Grace", [])  # JupyterHub names are compared exactly
    assert PublishedAccess.of({"status": {"access": {"users": ["*"]}}}).grants("anyone", [])
    nobody = PublishedAccess.of({"status": {"access": {}}})
    assert not nobody.grants("grace", ["physics"])
    assert PublishedAccess.of({"status": {"access": {"truncated": True}}}).grants("anyone", []), (
        "a cut list leaves the decision to the operator"
    )


def test_the_refusal_names_the_template_the_user_and_the_groups():
    published = PublishedAccess(frozenset({"grace"}), frozenset({"physics"}), next_change="2027-01-11T08:00:00Z")
    assert refusal("hub/lab", published, "grace", []) is None
    assert refusal("hub/lab", None, "pauling", []) is None
    message = refusal("hub/lab", published, "pauling", ["staff", "chemistry"])
    assert message == (
        "Cannot start the server: you may not use template hub/lab: its access rules grant neither user pauling"
        " nor any of the user's groups (groups chemistry, staff) now (the rules change at 2027-01-11T08:00:00Z)."
        " Ask an administrator for access."
    )
    assert "(no groups)" in refusal("hub/lab", published, "pauling", [])


def test_user_groups_are_names_sorted_once():
    assert user_groups(SimpleNamespace(groups=groups("b", "a", "b"))) == ["a", "b"]
    assert user_groups(SimpleNamespace(name="x")) == []


async def test_the_form_lists_only_what_the_user_may_use(spawner_factory, lab_template):
    member = spawner_factory(username="curie", profile_list=PROFILES)
    member.user.groups = groups("physics")
    form = await member.get_options_form()
    assert 'value="standard"' in form and 'value="lab"' in form

    granted_by_name = spawner_factory(username="grace", profile_list=PROFILES)
    assert 'value="lab"' in await granted_by_name.get_options_form()

    outsider = spawner_factory(username="pauling", profile_list=PROFILES)
    outsider.user.groups = groups("chemistry")
    form = await outsider.get_options_form()
    assert 'value="standard"' in form
    assert 'value="lab"' not in form and "Physics lab" not in form


async def test_no_form_when_the_only_template_is_not_granted(spawner_factory, lab_template):
    outsider = spawner_factory(username="pauling", template_name="lab", user_variables=["image"])
    assert await outsider.get_options_form() == ""  # the hub starts at once, and start() says why not


async def test_a_denied_choice_is_refused_with_the_reason_before_anything_is_created(
    spawner_factory, lab_template, fake
):
    outsider = spawner_factory(username="pauling", profile_list=PROFILES)
    outsider.user.groups = groups("chemistry")
    outsider.user_options = {"profile": "lab"}
    with pytest.raises(SpawnError) as caught:
        await outsider.start()
    assert caught.value.status_code == 403
    assert str(caught.value) == (
        "Cannot start the server: you may not use template jupyterhub/lab: its access rules grant neither user"
        " pauling nor any of the user's groups (groups chemistry) now (the rules change at 2027-04-30T18:00:00Z)."
        " Ask an administrator for access."
    )
    assert not [r for r in fake.requests if r[0] in ("POST", "PUT", "DELETE")]


async def test_every_instance_says_whose_it_is(spawner_factory, lab_template):
    member = spawner_factory(username="Marie Curie", profile_list=PROFILES)
    member.user.groups = groups("staff", "physics")
    member.user_options = {"profile": "lab"}
    profile, template, variables = await member.plan()
    _, instance = member.build_objects(profile, template, variables)
    assert instance["spec"]["user"] == {"name": "Marie Curie", "groups": ["physics", "staff"]}
    assert instance["metadata"]["annotations"]["hub.jupyter.org/username"] == "Marie Curie"

    loner = spawner_factory(username="grace")
    profile, template, variables = await loner.plan()
    _, instance = loner.build_objects(profile, template, variables)
    assert instance["spec"]["user"] == {"name": "grace", "groups": []}, "groups always set, even when empty"


class SpawnPage:
    """Stands in for JupyterHub's spawn page handler (the hub sets the start's request handler)."""


async def test_a_refused_start_from_the_spawn_page_fails_once_the_page_follows_its_progress(
    spawner_factory, lab_template
):
    # JupyterHub answers a progress request that arrives while it cleans up after a failed start with 400 "not
    # starting", and the page then spins for ever: a start from the page fails only once the page listens.
    outsider = spawner_factory(username="pauling", profile_list=PROFILES, failure_grace_seconds=30)
    outsider.user.groups = groups("chemistry")
    outsider.user_options = {"profile": "lab"}
    outsider.handler = SpawnPage()
    start = asyncio.ensure_future(outsider.start())
    await asyncio.sleep(0.2)
    assert not start.done(), "the refusal waits for the page"
    page = outsider.progress()
    with pytest.raises(StopAsyncIteration):  # the page sees the log end, then JupyterHub's "Spawn failed"
        await asyncio.wait_for(anext(page), 5)
    with pytest.raises(SpawnError, match="you may not use template jupyterhub/lab"):
        await asyncio.wait_for(start, 5)


async def test_a_refused_start_from_the_spawn_page_nobody_follows_fails_after_the_grace(spawner_factory, lab_template):
    outsider = spawner_factory(username="pauling", profile_list=PROFILES, failure_grace_seconds=1)
    outsider.user.groups = groups("chemistry")
    outsider.user_options = {"profile": "lab"}
    outsider.handler = SpawnPage()
    loop = asyncio.get_running_loop()
    began = loop.time()
    with pytest.raises(SpawnError, match="you may not use template jupyterhub/lab"):
        await asyncio.wait_for(outsider.start(), 10)
    assert loop.time() - began >= 0.9, "it waited for a page to follow"
