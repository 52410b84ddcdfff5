"""Signing in and out, protected pages, and changing a password.

No test here makes a failed sign-in: the server locks an address after five failures in 15
minutes, and repeated runs of the suite from 127.0.0.1 would lock every account out."""

import urllib.error
import urllib.request
from urllib.parse import unquote

from selenium.webdriver.common.by import By

import gonio_e2e as g


def test_sign_out_from_header(browser):
    g.login(browser, g.DEMO["patient2"])
    g.sign_out(browser)
    assert g.notice_text(browser) == "You are signed out."
    assert "Sign in" in browser.find_element(By.CSS_SELECTOR, "header nav").text
    browser.get(g.url("/dashboard"))
    assert g.path_of(browser) == "/login", "after signing out the dashboard asks to sign in again"


def test_protected_page_redirects_to_login_and_back(browser):
    browser.get(g.url("/account/password"))
    g.wait_for_path(browser, "/login")
    assert unquote(g.query_of(browser)) == "next=/account/password"
    assert browser.find_element(By.CSS_SELECTOR, "input[name=next]").get_attribute("value") == "/account/password"
    g.fill(browser, "email", g.DEMO["caregiver"])
    g.fill(browser, "password", g.DEMO_PASSWORD)
    g.submit(browser, browser.find_element(By.XPATH, "//main//form//button[normalize-space()='Sign in']"))
    g.wait_for_path(browser, "/account/password")
    assert g.heading(browser) == "Change your password"


def test_signed_in_user_visiting_login_goes_to_dashboard(browser):
    g.login(browser, g.DEMO["patient2"])
    browser.get(g.url("/login"))
    g.wait_for_path(browser, "/dashboard")
    browser.get(g.url("/"))
    assert browser.find_element(By.LINK_TEXT, "Go to your dashboard").get_attribute("href").endswith("/dashboard")


def test_change_password_signs_out_other_sessions(new_browser):
    first, second = new_browser(), new_browser()
    email, name = g.unique_email("pw"), f"Pat {g.unique('Pw')}"
    new_password = "copper-meadow-violet-883"
    g.register(first, role="caregiver", name=name, email=email)
    g.login(second, email, g.NEW_PASSWORD)

    first.get(g.url("/account/password"))
    # Mismatch first: an error summary, nothing changed.
    g.fill(first, "currentPassword", g.NEW_PASSWORD)
    g.fill(first, "newPassword", new_password)
    g.fill(first, "confirmPassword", new_password + "x")
    g.submit(first, first.find_element(By.XPATH, "//main//form//button[normalize-space()='Change password']"))
    summary = g.error_summary(first)
    assert summary is not None and "The new passwords do not match." in summary.text

    g.fill(first, "currentPassword", g.NEW_PASSWORD)
    g.fill(first, "newPassword", new_password)
    g.fill(first, "confirmPassword", new_password)
    g.submit(first, first.find_element(By.XPATH, "//main//form//button[normalize-space()='Change password']"))
    g.wait_for_path(first, "/dashboard")
    assert g.notice_text(first) == "Your password was changed. Other sessions were signed out."

    # The other browser's session has ended.
    second.get(g.url("/dashboard"))
    assert g.path_of(second) == "/login"

    # The new password works.
    g.sign_out(first)
    g.login(first, email, new_password)
    assert g.heading(first) == "People you help"


def test_session_cookie_is_http_only_and_same_site(browser):
    g.login(browser, g.DEMO["patient2"])
    cookies = {c["name"]: c for c in browser.get_cookies()}
    session = cookies.get("gonio_session")
    assert session, cookies.keys()
    assert session["httpOnly"] is True
    assert session.get("sameSite") == "Lax"
    # Not readable from page scripts.
    assert "gonio_session" not in browser.execute_script("return document.cookie")


def test_unknown_page_answers_404_with_the_error_page():
    try:
        urllib.request.urlopen(g.url("/nope"), timeout=10)
        raise AssertionError("/nope answered 2xx")
    except urllib.error.HTTPError as err:
        assert err.code == 404
        body = err.read().decode()
        assert "<h1>Page not found</h1>" in body and 'class="skip-link"' in body
