"""A user's headless Chromium for the browser test (tests/test_browser.py): Debian's chromium + chromium-driver
driven by Selenium (no browser download), a screenshot and the HTML of each step kept for when a test fails, and
what a user does on JupyterHub's pages (log in, choose on the options form, read the progress page)."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

CHROMIUM = Path(os.environ.get("JNO_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("JNO_CHROMEDRIVER", "/usr/bin/chromedriver"))


def browser_missing() -> str | None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        return f"{', '.join(missing)} missing: install Chromium and its driver with `apt-get install chromium chromium-driver`"
    if not chp_command():
        return (
            "configurable-http-proxy is missing: `npm install -g configurable-http-proxy` (spawner/run-tests does it)"
        )
    return None


def chp_command() -> str | None:
    return os.environ.get("JNO_CHP") or shutil.which("configurable-http-proxy")


# Installed into every page before its own scripts: keeps each progress message the spawn page shows, in order,
# in sessionStorage, which outlives the page's redirect to the server (same origin: everything is behind the proxy).
RECORD_PROGRESS = """
(() => {
  const record = () => {
    const log = document.getElementById('progress-log');
    if (!log) return;
    const save = () => sessionStorage.setItem('jno-progress',
        JSON.stringify(Array.from(log.querySelectorAll('.progress-log-event'), e => e.textContent)));
    new MutationObserver(save).observe(log, {childList: true});
    save();
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', record);
  else record();
  // what happened to the page's event stream and scripts, for a failed test's evidence
  const note = (what) => {
    const seen = JSON.parse(sessionStorage.getItem('jno-page') || '[]');
    seen.push(`${new Date().toISOString()} ${location.pathname}: ${what}`);
    sessionStorage.setItem('jno-page', JSON.stringify(seen));
  };
  window.addEventListener('error', e => note(`error: ${e.message || e.type}`));
  const Original = window.EventSource;
  if (Original) {
    window.EventSource = function (url, init) {
      const source = new Original(url, init);
      note(`event stream opened: ${url.split('?')[0]}`);
      source.addEventListener('open', () => note('event stream connected'));
      source.addEventListener('message', e => note(`event: ${e.data.slice(0, 200)}`));
      source.addEventListener('error', () => note(`event stream error (readyState ${source.readyState})`));
      return source;
    };
    window.EventSource.prototype = Original.prototype;
  }
})();
"""


class Browser:
    """One user's headless Chromium; remembers a screenshot and the HTML of each step."""

    def __init__(self, base: str, name: str):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.base, self.name = base, name
        self.profile = tempfile.mkdtemp(prefix="jno-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        for arg in (
            "--headless=new",
            "--no-sandbox",  # as root
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
            f"--user-data-dir={self.profile}",
        ):
            options.add_argument(arg)
        self.driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        self.driver.set_page_load_timeout(120)
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_PROGRESS})
        self.steps: list[tuple[str, bytes, str]] = []

    def step(self, name: str) -> None:
        try:
            self.steps.append((name, self.driver.get_screenshot_as_png(), self.driver.page_source))
        except Exception as e:  # a screenshot is evidence, not the test
            self.steps.append((f"{name} (no screenshot: {e})", b"", ""))

    def page_notes(self) -> list[str]:
        """What the page recorded about its event stream and script errors, then the browser's console."""
        try:
            notes = json.loads(self.driver.execute_script("return sessionStorage.getItem('jno-page') || '[]'"))
            console = [f"console {e.get('level')}: {e.get('message')}" for e in self.driver.get_log("browser")]
        except Exception as e:  # evidence, not the test
            return [f"(cannot read the page's notes: {e})"]
        return notes + console

    def save(self, directory: Path) -> None:
        self.step("at failure")
        directory.mkdir(parents=True, exist_ok=True)
        notes = self.page_notes()
        (directory / "page-notes.txt").write_text("\n".join(notes) + "\n")
        print(f"what {self.name}'s pages recorded:", *notes, sep="\n  ")
        for i, (name, png, html) in enumerate(self.steps, 1):
            stem = f"{i:02d}-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
            if png:
                (directory / f"{stem}.png").write_bytes(png)
            (directory / f"{stem}.html").write_text(html)

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    # ---- what a user does

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    def wait_for(self, what: str, condition, timeout: float = 60):
        from selenium.webdriver.support.ui import WebDriverWait

        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.2).until(lambda d: condition(d))
        except Exception as e:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; at {self.driver.current_url}") from e

    def css(self, selector: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def all_css(self, selector: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def log_in(self, user: str) -> None:
        self.open("/hub/login")
        self.wait_for("the login form", lambda d: self.all_css("#username_input"))
        self.step("login page")
        self.css("#username_input").send_keys(user)
        self.css("#password_input").send_keys("any password")
        self.css("#login_submit").click()

    def options_form(self):
        self.wait_for("the options form", lambda d: self.all_css("#spawn_form"))
        return self.css("#spawn_form")

    def choose(self, profile: str, values: dict[str, str]) -> None:
        from selenium.webdriver.support.ui import Select

        self.css(f"#jno-profile-{profile}").click()
        for variable, value in values.items():
            control = self.css(f"[name='var.{profile}.{variable}']")
            if control.tag_name == "select":
                Select(control).select_by_value(value)
            else:
                control.clear()
                control.send_keys(value)

    def submit(self) -> None:
        self.css("#spawn_form button[type=submit]").click()

    def progress_messages(self) -> list[str]:
        return json.loads(self.driver.execute_script("return sessionStorage.getItem('jno-progress') || '[]'"))

    def fetch(self, method: str, path: str, body: dict | None = None) -> dict:
        """A request from the page (its cookies, the server's XSRF token), as JupyterLab itself makes them."""
        return self.driver.execute_async_script(
            """
            const [method, path, body, done] = arguments;
            const xsrf = (document.cookie.split('; ').find(c => c.startsWith('_xsrf=')) || '=').split('=')[1];
            fetch(path, {method, headers: {'X-XSRFToken': xsrf, 'Content-Type': 'application/json'},
                         body: body ? JSON.stringify(body) : undefined})
              .then(async r => done({status: r.status, body: await r.text()}))
              .catch(e => done({status: 0, body: String(e)}));
            """,
            method,
            path,
            body,
        )


def lab_config(browser: Browser) -> dict:
    """JupyterLab's page configuration, as the user's server rendered it."""
    browser.wait_for("JupyterLab's page", lambda d: browser.all_css("#jupyter-config-data"), 120)
    return json.loads(
        browser.driver.execute_script("return document.getElementById('jupyter-config-data').textContent")
    )


def failure_text(browser: Browser) -> str:
    """What the spawn page says about a failed spawn: the progress message, or the "Spawn failed" page's text."""
    for selector in ("#progress-message", ".container h1"):
        found = browser.all_css(selector)
        if found and "Spawn failed" in found[0].text:
            return browser.css(".container").text if selector != "#progress-message" else found[0].text
    return ""
