"""Shared helpers for Gonio's browser end-to-end tests.

Everything here drives Debian's chromium through Debian's chromedriver. Nothing is ever
downloaded: Selenium is told exactly where both binaries are.
"""

from __future__ import annotations

import datetime
import os
import uuid
from urllib.parse import urlparse

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = os.environ.get("BASE", "http://127.0.0.1:8080").rstrip("/")
CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/lib/chromium/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")

DEMO_PASSWORD = "gonio-demo-2026"
CLINIC = "Riverside Physical Therapy"
# Long, uncommon and not an email address: passes the server's password rules.
NEW_PASSWORD = "quiet-otter-lantern-417"

DEMO = {
    "admin": "admin@example.com",
    "therapist": "therapist@example.com",
    "unverified": "unverified@example.com",
    "patient": "patient@example.com",
    "patient2": "patient2@example.com",
    "patient3": "patient3@example.com",
    "caregiver": "caregiver@example.com",
    "platform": "platform@example.com",
}

WAIT = 10

# axe-core findings that are wrong, each with why. Nodes matching one are reported, not failed.
AXE_FALSE_POSITIVES = [
    # axe-core before 4.2 (axe-selenium-python 2.x bundles 3.1.1) rejects autocomplete=username
    # on type=email; the HTML standard allows it (whatwg/html#5881, axe-core#2727 fixed in #2896).
    ("autocomplete-valid", 'type="email"', 'autocomplete="username"'),
]


def url(path: str) -> str:
    return BASE + path


# Video visits: a generated camera picture and a beeping microphone, permission granted without
# a prompt, and sound allowed to play without a click. Only drivers asked for with media=True.
MEDIA_ARGS = (
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
)


def new_driver(width: int = 1280, height: int = 900, media: bool = False) -> webdriver.Chrome:
    """A headless Chromium. `media=True` adds fake camera and microphone devices and keeps the
    browser console (read it with `console_errors`)."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--disable-extensions",
        "--no-first-run",
        "--lang=en-US",
        f"--window-size={width},{height}",
    ):
        options.add_argument(arg)
    if media:
        for arg in MEDIA_ARGS:
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver


def console_errors(driver) -> list[str]:
    """Console errors since the last call (drivers made with media=True keep the console)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]


def years_from_today(years: int) -> str:
    today = datetime.date.today()
    return today.replace(year=today.year + years, day=min(today.day, 28)).isoformat()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def unique_email(prefix: str) -> str:
    return f"e2e-{unique(prefix)}@example.com"


def path_of(driver) -> str:
    return urlparse(driver.current_url).path


def query_of(driver) -> str:
    return urlparse(driver.current_url).query


def wait_for_path(driver, path: str, timeout: float = WAIT) -> None:
    try:
        WebDriverWait(driver, timeout, ignored_exceptions=(WebDriverException,)).until(
            lambda d: path_of(d) == path and ready(d))
    except TimeoutException:
        raise AssertionError(f"expected to reach {path}, still on {driver.current_url}\n{main_text(driver)[:800]}")


def ready(driver) -> bool:
    try:
        return driver.execute_script("return document.readyState") == "complete"
    except WebDriverException:
        return False  # between documents


def wait_ready(driver, timeout: float = WAIT) -> None:
    WebDriverWait(driver, timeout).until(ready)


def submit(driver, button) -> None:
    """Clicks a submit button and waits until a new document has replaced this one and loaded.

    The old page is tagged with a window property; the new one has none. (Selenium's
    staleness_of can fail mid-navigation with chromedriver's "Node with given id does not belong
    to the document", so it is not used.)"""
    driver.execute_script("window.__gonioE2EOldPage = true;")
    button.click()

    def replaced(d):
        try:
            return d.execute_script(
                "return window.__gonioE2EOldPage === undefined && document.readyState === 'complete';")
        except WebDriverException:
            return False  # between documents

    try:
        WebDriverWait(driver, WAIT).until(replaced)
    except TimeoutException:
        raise AssertionError(f"submitting did not load a new page; still on {driver.current_url}")


def main_text(driver) -> str:
    try:
        return driver.find_element(By.ID, "main").text
    except Exception:
        return driver.find_element(By.TAG_NAME, "body").text


def heading(driver) -> str:
    return driver.find_element(By.CSS_SELECTOR, "main h1").text


def fill(driver, field_id: str, value: str) -> None:
    el = driver.find_element(By.ID, field_id)
    el.clear()
    el.send_keys(value)


def set_value(driver, field_id: str, value: str) -> None:
    """Sets an input's value directly (date inputs take keystrokes in a locale format)."""
    el = driver.find_element(By.ID, field_id)
    driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
        "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
        el, value)


def choose(driver, select_id: str, label: str) -> None:
    Select(driver.find_element(By.ID, select_id)).select_by_visible_text(label)


def login(driver, email: str, password: str = DEMO_PASSWORD) -> None:
    """Signs in through the form and waits for the dashboard."""
    driver.delete_all_cookies()
    driver.get(url("/login"))
    fill(driver, "email", email)
    fill(driver, "password", password)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    wait_for_path(driver, "/dashboard")


def sign_out(driver) -> None:
    button = driver.find_element(By.XPATH, "//header//form[@action='/logout']//button[normalize-space()='Sign out']")
    submit(driver, button)
    wait_for_path(driver, "/login")


def register(driver, *, role: str, name: str, email: str, password: str = NEW_PASSWORD,
             clinic: str = CLINIC, expect_path: str | None = "/dashboard", **extra: str) -> None:
    """Fills /register. `extra` keys are field ids (dateOfBirth, location, licenseNumber, ...);
    select fields take the visible label, `licenseIsHome` takes "on". `clinic=""` leaves the
    clinic unchosen."""
    driver.delete_all_cookies()
    driver.get(url("/register"))
    driver.find_element(By.ID, f"role-{role}").click()
    fill(driver, "name", name)
    fill(driver, "email", email)
    fill(driver, "password", password)
    # The clinic field belongs to patients and therapists; app.js hides it for caregivers, who
    # belong to no clinic. (Older pages asked every role for one, so look rather than assume.)
    if clinic and driver.find_element(By.ID, "clinicId").is_displayed():
        choose(driver, "clinicId", clinic)
    for key, value in extra.items():
        el = driver.find_element(By.ID, key)
        if el.tag_name == "select":
            choose(driver, key, value)
        elif el.get_attribute("type") == "checkbox":
            if (value == "on") != el.is_selected():
                el.click()
        elif el.get_attribute("type") == "date":
            set_value(driver, key, value)
        else:
            fill(driver, key, value)
    submit(driver, driver.find_element(By.XPATH, "//main//form//button[normalize-space()='Create account']"))
    if expect_path:
        wait_for_path(driver, expect_path)


def register_therapist(driver, name: str, email: str, licence_number: str = "CA-E2E-1") -> None:
    register(driver, role="therapist", name=name, email=email,
             licenseNumber=licence_number, licenseType="PT", licenseJurisdiction="US-CA",
             licenseExpiresOn=years_from_today(3), licenseIsHome="on")


# Every axe violation seen in this run (all impacts), reported at the end by conftest.py.
AXE_FINDINGS: list[dict] = []
BLOCKING_IMPACTS = ("serious", "critical")


def run_axe(driver, page_id: str) -> list[dict]:
    """Runs axe-core (the copy bundled with axe-selenium-python) on the current page, records and
    prints every violation, and returns them."""
    from axe_selenium_python import Axe

    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    violations = results["violations"]
    for v in violations:
        for node in v["nodes"]:
            node["false_positive"] = any(
                v["id"] == rule and all(part in node["html"] for part in parts)
                for rule, *parts in AXE_FALSE_POSITIVES)
    for v in violations:
        AXE_FINDINGS.append({
            "page": page_id, "url": driver.current_url, "rule": v["id"], "impact": v["impact"],
            "help": v["help"], "helpUrl": v["helpUrl"],
            "targets": [" ".join(map(str, n["target"])) for n in v["nodes"]],
            "html": [n["html"][:300] for n in v["nodes"]],
            "summary": [n.get("failureSummary", "") for n in v["nodes"]],
            "false_positive": all(n.get("false_positive") for n in v["nodes"]),
        })
    if violations:
        print(f"axe on {page_id} ({driver.current_url}):\n" + axe.report(violations))
    else:
        print(f"axe on {page_id}: no violations ({len(results['passes'])} rules passed)")
    return violations


def blocking(violations: list[dict]) -> list[dict]:
    """Serious or critical violations, leaving out nodes that are known false positives."""
    out = []
    for v in violations:
        nodes = [n for n in v["nodes"] if not n.get("false_positive")]
        if v["impact"] in BLOCKING_IMPACTS and nodes:
            out.append({**v, "nodes": nodes})
    return out


def notice_text(driver) -> str:
    found = driver.find_elements(By.CSS_SELECTOR, "main .notice[role=status]")
    return found[0].text if found else ""


def error_summary(driver):
    found = driver.find_elements(By.CSS_SELECTOR, "main #error-summary[role=alert]")
    return found[0] if found else None
