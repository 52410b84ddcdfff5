"""Fixtures for Gonio's browser end-to-end tests.

- `browser`: a fresh Chromium for one test, quit afterwards.
- `new_browser`: a factory for tests that need several people at once (all quit afterwards).
- `signed_in(user)`: a Chromium kept for the whole run and signed in as a demo user, for
  tests that only read pages (accessibility, reflow). Tests that change data use fresh
  browsers and freshly registered accounts so that they never depend on order.

On a failed test every browser it used saves a screenshot and the page's HTML under
Tests/e2e/artifacts/. The accessibility report of the run is written there too.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request

import pytest

import gonio_e2e as g

ARTIFACTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "artifacts")



def pytest_sessionstart(session):
    try:
        urllib.request.urlopen(g.url("/"), timeout=5).read()
    except urllib.error.HTTPError:
        pass
    except Exception as exc:  # noqa: BLE001
        pytest.exit(f"Gonio is not answering at BASE={g.BASE} ({exc}). Start the server or set BASE.", returncode=2)
    for binary in (g.CHROMIUM, g.CHROMEDRIVER):
        if not os.path.exists(binary):
            pytest.exit(f"{binary} is missing: apt-get install -y chromium chromium-driver fonts-liberation", returncode=2)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    drivers = getattr(item, "_e2e_drivers", [])
    if not drivers:
        return
    os.makedirs(ARTIFACTS, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid.split("::", 1)[-1])[:120]
    for n, driver in enumerate(drivers):
        try:
            driver.save_screenshot(os.path.join(ARTIFACTS, f"{stem}-{n}.png"))
            with open(os.path.join(ARTIFACTS, f"{stem}-{n}.html"), "w", encoding="utf-8") as f:
                f.write(f"<!-- {driver.current_url} -->\n" + driver.page_source)
        except Exception:  # noqa: BLE001  (a dead browser must not hide the real failure)
            pass


def _track(request, driver):
    request.node._e2e_drivers = getattr(request.node, "_e2e_drivers", []) + [driver]


@pytest.fixture
def browser(request):
    driver = g.new_driver()
    _track(request, driver)
    yield driver
    driver.quit()


@pytest.fixture
def new_browser(request):
    made = []

    def make(width: int = 1280, height: int = 900):
        driver = g.new_driver(width, height)
        made.append(driver)
        _track(request, driver)
        return driver

    yield make
    for driver in made:
        driver.quit()


@pytest.fixture(scope="session")
def _browser_pool():
    pool: dict[str, object] = {}
    yield pool
    for driver in pool.values():
        driver.quit()


@pytest.fixture
def signed_in(request, _browser_pool):
    """signed_in("admin") -> a browser signed in as that demo user (None: signed out)."""

    def get(user: str | None):
        key = user or "anonymous"
        driver = _browser_pool.get(key)
        if driver is None:
            driver = g.new_driver()
            _browser_pool[key] = driver
            if user:
                g.login(driver, g.DEMO[user])
        else:
            driver.set_window_size(1280, 900)
            if user:
                # Still signed in? (Another test may not sign this browser out, but be sure.)
                driver.get(g.url("/dashboard"))
                if g.path_of(driver) != "/dashboard":
                    g.login(driver, g.DEMO[user])
        _track(request, driver)
        return driver

    return get


def pytest_terminal_summary(terminalreporter):
    findings = g.AXE_FINDINGS
    if not findings:
        return
    os.makedirs(ARTIFACTS, exist_ok=True)
    with open(os.path.join(ARTIFACTS, "axe-report.json"), "w", encoding="utf-8") as f:
        json.dump(findings, f, indent=2)
    terminalreporter.section("axe-core violations (all impacts, for information)")
    for finding in findings:
        terminalreporter.write_line(
            ("[false positive] " if finding.get("false_positive") else "") +
            f"[{finding['impact']}] {finding['page']}: {finding['rule']} - {finding['help']} "
            f"({len(finding['targets'])} node(s): {', '.join(finding['targets'][:4])})")
