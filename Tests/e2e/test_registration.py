"""3. Registration through /register: a new patient lands on the dashboard; bad input shows an
error summary that gets focus and keeps what was typed."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

import gonio_e2e as g


def sections(driver):
    """{data-role of each .role-section: (hidden attribute set, shown on screen)}."""
    return {s.get_attribute("data-role"): (s.get_attribute("hidden") is not None, s.is_displayed())
            for s in driver.find_elements(By.CSS_SELECTOR, ".role-section")}


def expected_shown(driver, role):
    """A section is for the roles named in its data-role (space-separated)."""
    return {key: role in key.split() for key in sections(driver)}


def test_new_patient_registers_and_lands_on_dashboard(browser):
    name, email = f"Noor {g.unique('New')}", g.unique_email("patient")
    g.register(browser, role="patient", name=name, email=email, location="Oregon", dateOfBirth="1990-07-15")
    assert g.query_of(browser) == "notice=registered"
    assert g.notice_text(browser) == "Your account is ready. Welcome to Gonio."
    assert g.heading(browser) == f"Hello, {name}"
    details = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=profile-title]").text
    assert email in details and "1990-07-15" in details and "Oregon" in details and g.CLINIC in details
    assert "No therapist has been assigned yet." in g.main_text(browser)
    assert name in browser.find_element(By.CSS_SELECTOR, ".signed-in-as").text

    # The account works for signing in again.
    g.sign_out(browser)
    g.login(browser, email, g.NEW_PASSWORD)
    assert g.heading(browser) == f"Hello, {name}"


def test_short_password_shows_error_summary_and_keeps_input(browser):
    name, email = f"Short {g.unique('Pw')}", g.unique_email("short")
    g.register(browser, role="patient", name=name, email=email, password="short1", expect_path=None)
    assert g.path_of(browser) == "/register"
    summary = g.error_summary(browser)
    assert summary is not None, g.main_text(browser)
    assert "There is a problem" in summary.text
    assert "at least 10 characters" in summary.text
    # app.js moves focus to the summary so it is announced first.
    WebDriverWait(browser, 5).until(lambda d: d.execute_script("return document.activeElement.id") == "error-summary")
    # What was typed is kept, except the password.
    assert browser.find_element(By.ID, "name").get_attribute("value") == name
    assert browser.find_element(By.ID, "email").get_attribute("value") == email
    assert browser.find_element(By.ID, "password").get_attribute("value") == ""
    assert Select(browser.find_element(By.ID, "clinicId")).first_selected_option.text == g.CLINIC
    assert browser.title == "Create an account · Gonio"
    # No account was made: still signed out.
    assert "Sign in" in browser.find_element(By.CSS_SELECTOR, "header nav").text


def test_patient_without_clinic_shows_error(browser):
    g.register(browser, role="patient", name="No Clinic", email=g.unique_email("noclinic"), clinic="",
               expect_path=None)
    summary = g.error_summary(browser)
    assert summary is not None and "Choose a clinic from the list." in summary.text
    # The chosen role is kept after the error.
    assert browser.find_element(By.ID, "role-patient").is_selected()


def test_app_js_marks_other_role_sections_hidden(browser):
    browser.get(g.url("/register"))
    assert browser.find_element(By.ID, "role-patient").is_selected()
    assert {"patient", "therapist"} <= {k for key in sections(browser) for k in key.split()}
    for role in ("patient", "therapist", "caregiver", "patient"):
        browser.find_element(By.ID, f"role-{role}").click()
        hidden = {key: flags[0] for key, flags in sections(browser).items()}
        assert hidden == {key: not shown for key, shown in expected_shown(browser, role).items()}, (role, hidden)


def test_only_the_chosen_role_section_is_shown(browser):
    browser.get(g.url("/register"))
    for role in ("patient", "therapist", "caregiver", "patient"):
        browser.find_element(By.ID, f"role-{role}").click()
        shown = {key: flags[1] for key, flags in sections(browser).items()}
        assert shown == expected_shown(browser, role), (role, shown)


def test_new_caregiver_registers_and_sees_empty_state(browser):
    name = f"Alex {g.unique('Care')}"
    g.register(browser, role="caregiver", name=name, email=g.unique_email("caregiver"))
    assert g.heading(browser) == "People you help"
    assert "No patient has given you access yet." in g.main_text(browser)

