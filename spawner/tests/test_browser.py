"""The spawn flow as a user sees it: headless Chromium (Debian's chromium + chromium-driver, driven by Selenium)
against a real JupyterHub 6.1.1 behind a real configurable-http-proxy (npm), with NotebookInstanceSpawner, the
operator's jar and the local control plane; each server is a real jupyterhub-singleuser (with JupyterLab) run by
tests/e2e/kubelet_standin.py on the pod's loopback IP, so the user reaches it through the proxy after JupyterHub's
OAuth, exactly as in a cluster.

What a user does and sees is checked in the page: log in; the options form lists the templates by display name
and description; a non-default choice; the progress page shows the operator's messages in order; JupyterLab of
the user's own server; stop on the home page, start again, and the file saved in the first session is there (the
same home claim is mounted). Failures a user can meet each show a sentence they can act on, never a stack trace
or an internal name only: REFUSALS below (add a case there), and what the admin withholds (a template only a group
may use, a retired one): test_what_the_admin_withholds_...

Screenshots (and the page's HTML) of every step go to spawner/target/browser/<test>/ when a test fails, with what
the pages' event streams received and the hub's log lines about the user.
Skipped, saying how to install them, when Chromium, its driver or configurable-http-proxy are missing;
JNO_BROWSER_REQUIRED=true (set by .ci/run) turns that skip into a failure. Also needs what test_e2e.py needs.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from e2e.browser import Browser, browser_missing, chp_command, failure_text, lab_config
from test_e2e import (
    PORT,
    REPO,
    Process,
    free_port,
    hub_rbac,
    operator_stack,
    wait_until,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ARTIFACTS = REPO / "spawner" / "target" / "browser"
IMAGE = "quay.io/jupyterhub/k8s-singleuser-sample:4.2.0"
FORBIDDEN_IMAGE = "docker.io/example/miner:latest"
PROGRESS_TIMEOUT = "20s"  # the operator's: the unschedulable template fails after it
# What a user must never be shown instead of a sentence.
NOT_FOR_USERS = ("Traceback", "Exception", "io.fabric8", "org.jupyterhub", "java.", "kubernetes_asyncio", "HTTP 500")


def needs_browser():
    reason = browser_missing()
    if reason:
        if os.environ.get("JNO_BROWSER_REQUIRED") == "true":
            pytest.fail(f"the browser test is required but {reason}")
        pytest.skip(reason)


# --------------------------------------------------------------------------------------------- cluster objects

SLUG = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
FILLED = [  # what the spawner fills in
    {"name": "username", "required": True, "pattern": SLUG, "maxLength": 63},
    {"name": "unescaped_username", "required": True, "maxLength": 255},
    {"name": "servername", "default": "", "pattern": f"({SLUG})?", "maxLength": 63},
    {"name": "user_server", "required": True, "pattern": SLUG, "maxLength": 63},
    {"name": "userid", "required": True, "pattern": "[0-9]+"},
]


def browser_template(name: str, namespace: str, display: str, description: str, variables: list, pod: dict) -> dict:
    container = {
        "name": "notebook",
        "image": "{image}" if any(v["name"] == "image" for v in variables) else IMAGE,
        "args": ["jupyterhub-singleuser"],
        "ports": [{"name": "notebook-port", "containerPort": PORT}],
        "env": [{"name": "CPU_LIMIT", "value": "{cpu_limit}"}]
        if any(v["name"] == "cpu_limit" for v in variables)
        else [],
        "volumeMounts": [{"name": "home", "mountPath": "/home/jovyan"}],
    }
    spec = {
        "automountServiceAccountToken": False,
        "containers": [container],
        "volumes": [{"name": "home", "persistentVolumeClaim": {"claimName": "claim-{user_server}"}}],
        **pod,
    }
    return {
        "apiVersion": "kubespawner.jupyterhub.org/v1",
        "kind": "JupyterNotebookInstanceTemplate",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "displayName": display,
            "description": description,
            "variables": FILLED + variables,
            "pods": [
                {
                    "name": "jupyter-{user_server}",
                    "notebook": True,
                    "notebookContainer": "notebook",
                    "notebookPort": PORT,
                    "labels": {"component": "singleuser-server", "hub.jupyter.org/username": "{username}"},
                    "spec": spec,
                }
            ],
            "persistentVolumeClaims": [
                {
                    "name": "claim-{user_server}",
                    "whenDeleted": "Retain",
                    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
                }
            ],
            "policy": {"allowedImages": ["quay.io/jupyterhub/k8s-singleuser-sample:*"], "allowArgs": True},
        },
    }


def templates(namespace: str) -> list[dict]:
    return [
        browser_template(
            "browser-python",
            namespace,
            "Python environment",
            "JupyterLab with a home directory that is kept between sessions.",
            [
                {"name": "cpu_limit", "description": "CPU cores", "default": "1", "enum": ["1", "2"]},
                {"name": "team", "description": "Your team", "default": "data", "pattern": "[a-z]+", "maxLength": 20},
            ],
            {},
        ),
        browser_template(
            "browser-images",
            namespace,
            "Bring your own image",
            "Pick the image your server runs.",
            [{"name": "image", "description": "Image", "default": IMAGE, "enum": [IMAGE, FORBIDDEN_IMAGE]}],
            {},
        ),
        browser_template(
            "browser-unschedulable",
            namespace,
            "GPU node",
            "Runs on a node this cluster does not have.",
            [],
            {"nodeSelector": {"jno-browser-test/gpu": "none-here"}},
        ),
    ]


def policy_objects(namespace: str) -> list[dict]:
    """What the admin withholds: a template counted against a quota of no servers, one only the physics group may
    use, and one retired with a message (each refusal a user can meet, checked in the browser)."""
    full = browser_template(
        "browser-full", namespace, "Course environment", "Counted against the course quota.", [], {}
    )
    physics = browser_template("browser-physics", namespace, "Physics lab", "Only for the physics group.", [], {})
    physics["spec"]["policy"]["access"] = {"groups": ["physics"]}
    retired = browser_template("browser-retired", namespace, "Python 3.9", "The old environment.", [], {})
    retired["spec"]["deprecation"] = {
        "message": "Python 3.9 is no longer maintained",
        "replacement": "browser-python",
        "action": "Refuse",
    }
    quota = {
        "apiVersion": "kubespawner.jupyterhub.org/v1",
        "kind": "JupyterNotebookQuota",
        "metadata": {"name": "course", "namespace": namespace},
        "spec": {"scope": {"templates": ["browser-full"]}, "limits": {"servers": 0}},
    }
    return [full, physics, retired, quota]


def volume(namespace: str, claim: str, directory: Path) -> dict:
    """A volume pre-bound to the claim: the local cluster has no provisioner."""
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": f"{namespace}-{claim}", "labels": {"jno-browser-test": namespace}},
        "spec": {
            "capacity": {"storage": "10Gi"},
            "accessModes": ["ReadWriteOnce"],
            "hostPath": {"path": str(directory / claim)},
            "claimRef": {"namespace": namespace, "name": claim},
            "persistentVolumeReclaimPolicy": "Retain",
        },
    }


# ------------------------------------------------------------------------------------------------- the hub


class ProxiedHub:
    """A real JupyterHub behind a real configurable-http-proxy that the hub starts itself."""

    def __init__(self, workdir: Path, namespace: str, kubeconfig: Path):
        self.workdir = workdir
        port, hub_port, api_port = free_port(), free_port(), free_port()
        self.public = f"http://127.0.0.1:{port}"
        self.api_url = f"http://127.0.0.1:{hub_port}/hub/api"
        self.token = secrets.token_hex(16)
        self.config = workdir / "jupyterhub_config.py"
        self.config.write_text(f"""
c.JupyterHub.bind_url = "{self.public}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.command = {json.dumps(chp_command())}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.JupyterHub.db_url = "sqlite:///{workdir}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{workdir}/cookie_secret"
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
# always show the progress page (by default a spawn done within 10 s goes straight to the server)
c.JupyterHub.tornado_settings = {{"slow_spawn_timeout": 0}}
c.JupyterHub.services = [{{"name": "browser-test", "api_token": "{self.token}"}}]
c.JupyterHub.load_roles = [{{"name": "browser-test", "scopes": ["admin:users", "admin:servers"], "services": ["browser-test"]}}]
c.JupyterHub.spawner_class = "notebookinstance"
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90
c.NotebookInstanceSpawner.namespace = "{namespace}"
c.NotebookInstanceSpawner.kubeconfig = "{kubeconfig}"
c.NotebookInstanceSpawner.port = {PORT}
c.NotebookInstanceSpawner.profile_list = [
    {{"slug": "python", "template": "browser-python", "default": True}},
    {{"slug": "images", "template": "browser-images"}},
    {{"slug": "gpu", "template": "browser-unschedulable"}},
    {{"slug": "full", "template": "browser-full"}},
    {{"slug": "physics", "template": "browser-physics"}},
    {{"slug": "retired", "template": "browser-retired"}},
]
# the tests change what the operator publishes about templates (who may use them) while the hub runs
c.NotebookInstanceSpawner.template_cache_seconds = 0
""")
        self.process: Process | None = None
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {self.token}"

    def start(self) -> None:
        env = {**os.environ}
        env.pop("KUBECONFIG", None)  # the spawner uses only its own, restricted, credentials
        self.process = Process(
            "jupyterhub",
            [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(self.config)],
            self.workdir / "jupyterhub.log",
            env,
            self.workdir,
        )

        def up():
            assert self.process.alive(), f"jupyterhub exited:\n{self.process.tail()}"
            try:  # through the proxy: both are up
                return requests.get(self.public + "/hub/api/", timeout=2).ok
            except requests.ConnectionError:
                return False

        wait_until("the hub to answer through the proxy", up, 90)

    def stop(self) -> None:
        if self.process:
            self.process.stop()

    def server(self, user: str) -> dict | None:
        response = self.session.get(f"{self.api_url}/users/{user}", timeout=30)
        return response.json()["servers"].get("") if response.ok else None

    def stop_server(self, user: str) -> None:
        self.session.delete(f"{self.api_url}/users/{user}/server", timeout=30)
        wait_until(f"{user}'s server to stop", lambda: self.server(user) is None, 120, 0.5)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    needs_browser()

    def objects(namespace: str) -> list[dict]:
        return hub_rbac(namespace) + templates(namespace) + policy_objects(namespace)

    workdir = tmp_path_factory.mktemp("browser")
    operator_args = (f"--progress-timeout={PROGRESS_TIMEOUT}",)
    with operator_stack(workdir, "spawner-browser", objects, operator_args) as s:
        hub = ProxiedHub(s.workdir, s.namespace, s.hub_kubeconfig)
        try:
            hub.start()
            yield {"hub": hub, "kubectl": s.admin, "namespace": s.namespace, "workdir": s.workdir}
        finally:
            hub.stop()
            s.admin("delete", "pv", "-l", f"jno-browser-test={s.namespace}", "--wait=false", check=False)


# ------------------------------------------------------------------------------------------------- the browser


@pytest.fixture
def browsers(request, stack):
    """Opens browsers for the test; saves their steps under spawner/target/browser/<test>/ when it fails."""
    opened: list[Browser] = []

    def open_browser(user: str) -> Browser:
        browser = Browser(stack["hub"].public, user)
        browser.driver.set_script_timeout(60)
        opened.append(browser)
        return browser

    yield open_browser
    report = getattr(request.node, "rep_call", None)
    for browser in opened:
        if report is None or report.failed:
            where = ARTIFACTS / request.node.name / browser.name
            browser.save(where)
            print(f"screenshots of each step in {where}")
            hub_log = stack["hub"].workdir / "jupyterhub.log"
            if hub_log.exists():  # the workdir does not outlive the run: keep what the hub said about this user
                said = [line for line in hub_log.read_text().splitlines() if browser.name in line]
                (where / "jupyterhub.log").write_text("\n".join(said) + "\n")
                print(f"the hub's log about {browser.name}:", *said[-40:], sep="\n  ")
        browser.close()


def assert_for_users(text: str) -> None:
    for word in NOT_FOR_USERS:
        assert word not in text, f"a user was shown {word!r}: {text}"


def in_order(messages: list[str], expected: list[str]) -> None:
    """Each expected prefix appears, in this order (other messages may come between them)."""
    position = 0
    for prefix in expected:
        found = next((i for i in range(position, len(messages)) if messages[i].startswith(prefix)), None)
        assert found is not None, f"{prefix!r} not found after position {position} in {messages}"
        position = found + 1


# ----------------------------------------------------------------------------------------------------- tests


def test_a_user_spawns_stops_and_starts_again_in_the_browser(stack, browsers):
    hub, kubectl, namespace = stack["hub"], stack["kubectl"], stack["namespace"]
    user = "ada"
    kubectl.apply([volume(namespace, f"claim-{user}", stack["workdir"] / "volumes")])
    browser = browsers(user)
    browser.log_in(user)

    # the options form: one choice per template, by display name and description
    form = browser.options_form()
    browser.step("options form")
    for template in templates(namespace):
        spec = template["spec"]
        assert spec["displayName"] in form.text and spec["description"] in form.text, form.text
    assert browser.css("#jno-profile-python").is_selected(), "the default profile is preselected"
    cpu = browser.css("[name='var.python.cpu_limit']")
    assert cpu.get_attribute("value") == "1", "the template's default is preselected"
    browser.choose("python", {"cpu_limit": "2"})  # not the default
    browser.step("choice made")
    browser.submit()

    # the progress page, then the user's own JupyterLab through the proxy (JupyterHub's OAuth done by the server)
    browser.wait_for("the progress page", lambda d: "/hub/spawn-pending/" in d.current_url)
    browser.wait_for("progress messages", lambda d: len(browser.progress_messages()) >= 2)
    browser.step("progress page")
    config = lab_config(browser)
    browser.step("JupyterLab of the user's server")
    assert browser.driver.current_url.startswith(f"{hub.public}/user/{user}/lab"), browser.driver.current_url
    assert config.get("hubUser") == user and config.get("baseUrl") == f"/user/{user}/", config
    messages = browser.progress_messages()
    print("the progress page showed:", *messages, sep="\n  ")
    requested = f"Requested instance jupyter-{user} of template {namespace}/browser-python"
    # the operator's Events in the order it recorded them: each object as it is created (claims before pods), then
    # the verdicts of the status it computes (template found, pod ready) ...
    in_order(
        messages,
        [
            "Server requested",
            requested,
            "ResourceCreated: created PersistentVolumeClaim claim-",
            "ResourceCreated: created Pod jupyter-",
            "PodReady: notebook server ready at http://",
        ],
    )
    in_order(messages, [requested, "TemplateFound: template"])
    # ... and its status, which may overtake Events (they follow their decisions by 250 ms), up to the hub's last word
    in_order(messages, ["Server requested", requested, "Ready: notebook server ready at http://"])
    assert messages[-1].startswith(f"Server ready at /user/{user}/"), messages
    instance = kubectl.get("jni", f"jupyter-{user}")
    assert instance["spec"]["variables"]["cpu_limit"] == "2"
    claim = kubectl.get("pvc", f"claim-{user}")

    # something saved in the first session
    saved = browser.fetch(
        "PUT",
        f"/user/{user}/api/contents/kept.txt",
        {"type": "file", "format": "text", "content": "written before the restart"},
    )
    assert saved["status"] in (200, 201), saved

    # stop on the home page
    browser.open("/hub/home")
    browser.wait_for("the stop button", lambda d: browser.all_css("#stop") and browser.css("#stop").is_displayed())
    browser.step("home page, server running")
    browser.css("#stop").click()
    browser.wait_for(
        "the server to stop",
        lambda d: not browser.css("#stop").is_displayed() and "Start" in browser.css("#start").text,
    )
    browser.step("home page, server stopped")
    wait_until("the instance to be gone", lambda: kubectl.get("jni", f"jupyter-{user}") is None, 60)
    assert kubectl.get("pvc", f"claim-{user}")["metadata"]["uid"] == claim["metadata"]["uid"], "the claim is kept"

    # and start again: the same home claim, with what was saved
    browser.css("#start").click()
    browser.options_form()
    browser.step("options form again")
    browser.submit()
    lab_config(browser)
    browser.step("JupyterLab again")
    again = browser.fetch("GET", f"/user/{user}/api/contents/kept.txt")
    assert again["status"] == 200 and json.loads(again["body"])["content"] == "written before the restart", again
    pod = kubectl.get("pod", f"jupyter-{user}")
    claims = [v["persistentVolumeClaim"]["claimName"] for v in pod["spec"]["volumes"] if "persistentVolumeClaim" in v]
    assert claims == [f"claim-{user}"]
    assert kubectl.get("pvc", f"claim-{user}")["metadata"]["uid"] == claim["metadata"]["uid"]
    hub.stop_server(user)


@dataclass(frozen=True)
class Refusal:
    """A choice a user can make that cannot give a server, and what they must be told (on the progress page, or
    JupyterHub's "Spawn failed" page: the hub checks options after redirecting there)."""

    user: str
    profile: str
    choices: dict[str, str]
    expect: tuple[str, ...]
    # a value the browser's own form check already refuses (pattern, maxlength): checked, then sent anyway
    browser_refuses: str | None = None
    before_failing: tuple[str, ...] = field(default_factory=tuple)


REFUSALS = [
    Refusal(
        user="refused-image",
        profile="images",
        choices={"image": FORBIDDEN_IMAGE},
        expect=("The server could not be started:", FORBIDDEN_IMAGE, "not allowed"),
    ),
    Refusal(
        user="refused-value",
        profile="python",
        choices={"team": "Data Science!"},
        expect=(
            "Cannot start the server:",
            "variable 'team' is 'Data Science!', which does not match the pattern [a-z]+",
        ),
        browser_refuses="team",
    ),
    Refusal(
        user="progress-timeout",
        profile="gpu",
        choices={},
        expect=("The server could not be started:", "progress timeout", "cannot be scheduled"),
        before_failing=("Warning: FailedScheduling:",),
    ),
    Refusal(
        user="over-quota",
        profile="full",
        choices={},
        expect=("The server could not be started:", "quota exceeded", "allows 0 servers"),
    ),
    # a template the user's groups may not use, and a retired one: test_what_the_admin_withholds_...
]


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda r: r.user)
def test_a_refused_spawn_tells_the_user_why(stack, browsers, refusal: Refusal):
    hub, kubectl = stack["hub"], stack["kubectl"]
    # a bound claim, so that what holds a server up is the case's own cause, not a missing volume
    kubectl.apply([volume(stack["namespace"], f"claim-{refusal.user}", stack["workdir"] / "volumes")])
    browser = browsers(refusal.user)
    browser.log_in(refusal.user)
    browser.options_form()
    browser.choose(refusal.profile, refusal.choices)
    if refusal.browser_refuses:
        field_ = browser.css(f"[name='var.{refusal.profile}.{refusal.browser_refuses}']")
        assert browser.driver.execute_script("return !arguments[0].checkValidity()", field_), "the browser checks it"
        hint = browser.driver.execute_script("return arguments[0].validationMessage", field_)
        assert hint, "the browser says why"
        browser.step("the browser refuses the value")
        # a browser that does not check (or a user who gets around it): the hub refuses it with the reason
        browser.driver.execute_script("document.getElementById('spawn_form').noValidate = true")
    browser.step("choice made")
    browser.submit()

    browser.wait_for("the progress page", lambda d: "/hub/spawn-pending/" in d.current_url)
    # the progress bar turns red with the reason; a spawn that failed before the page loaded gets JupyterHub's
    # "Spawn failed" page with the reason instead
    browser.wait_for("the spawn to fail", lambda d: "Spawn failed" in failure_text(browser), timeout=150)
    shown = failure_text(browser)
    log = browser.progress_messages()
    print("the progress page showed:", *log, sep="\n  ")
    for prefix in refusal.before_failing:
        assert any(m.startswith(prefix) for m in log), (prefix, log)
    assert_for_users("\n".join(log))
    browser.step("what the user is told")
    print(f"{refusal.user} was told: {shown}")
    for sentence in refusal.expect:
        assert sentence in shown, (sentence, shown)
    assert_for_users(shown)
    # nothing stays behind
    assert hub.server(refusal.user) is None
    wait_until("the instance to be gone", lambda: kubectl.get("jni", f"jupyter-{refusal.user}") is None, 60)
    assert kubectl.get("secret", f"jupyter-{refusal.user}") is None


def test_what_the_admin_withholds_is_not_offered_and_a_forged_choice_is_refused_with_the_reason(stack, browsers):
    hub, kubectl = stack["hub"], stack["kubectl"]
    user = "pauling"  # in no group
    wait_until(
        "the operator to publish who may use browser-physics",
        lambda: ((kubectl.get("jnt", "browser-physics") or {}).get("status") or {}).get("access") is not None,
        90,
        0.5,
    )
    browser = browsers(user)
    browser.log_in(user)
    form = browser.options_form()
    assert not browser.all_css("#jno-profile-physics"), "a template the user may not use is not offered"
    assert "Physics lab" not in form.text
    assert not browser.css("#jno-profile-retired").is_enabled(), "a retired template cannot be chosen"
    assert "Python 3.9 is no longer maintained (use browser-python instead)" in form.text, form.text
    browser.step("options form without what is withheld")

    # a forged form asking for the template anyway: the hub refuses it, saying why, before anything is created
    browser.driver.execute_script(
        """
        const form = document.getElementById('spawn_form');
        form.querySelectorAll("input[name='profile']").forEach(r => { r.checked = false; });
        const forged = document.createElement('input');
        Object.assign(forged, {type: 'hidden', name: 'profile', value: 'physics'});
        form.appendChild(forged);
        form.noValidate = true;
        """
    )
    browser.submit()
    browser.wait_for("the progress page", lambda d: "/hub/spawn-pending/" in d.current_url)
    browser.wait_for("the spawn to fail", lambda d: "Spawn failed" in failure_text(browser), timeout=150)
    shown = failure_text(browser)
    browser.step("what the user is told")
    print(f"{user} was told: {shown}")
    assert "you may not use template" in shown and "browser-physics" in shown, shown
    assert_for_users(shown)
    assert hub.server(user) is None
    assert kubectl.get("jni", f"jupyter-{user}") is None
