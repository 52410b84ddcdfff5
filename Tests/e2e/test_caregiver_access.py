"""4. A patient gives a caregiver access from the dashboard, and revokes it.

Both accounts are registered fresh, so the demo link between Maria and Ana is untouched."""

from selenium.webdriver.common.by import By

import gonio_e2e as g


def caregiver_row(driver, name):
    rows = driver.find_elements(
        By.XPATH, f"//section[@aria-labelledby='caregivers-title']//tbody/tr[th[contains(normalize-space(), '{name}')]]")
    assert len(rows) == 1, f"expected one caregiver row for {name!r}, found {len(rows)}\n{g.main_text(driver)}"
    return rows[0]


def test_patient_gives_and_revokes_caregiver_access(new_browser):
    carer, patient = new_browser(), new_browser()
    c_name, c_email = f"Jo {g.unique('Carer')}", g.unique_email("carer")
    p_name, p_email = f"Sol {g.unique('Patient')}", g.unique_email("patient")

    g.register(carer, role="caregiver", name=c_name, email=c_email)
    assert "No patient has given you access yet." in g.main_text(carer)

    g.register(patient, role="patient", name=p_name, email=p_email, location="California")
    assert "Nobody else can see your records." in g.main_text(patient)

    # Give access: two of the four permissions, with the default end date (a year from now).
    g.fill(patient, "caregiverEmail", c_email)
    patient.find_element(By.ID, "scope-view").click()
    patient.find_element(By.ID, "scope-book-visits").click()
    expires = patient.find_element(By.ID, "expiresOn").get_attribute("value")
    assert expires, "the end date has a default"
    g.submit(patient, patient.find_element(By.XPATH, "//main//form//button[normalize-space()='Give access']"))
    g.wait_for_path(patient, "/dashboard")
    assert g.notice_text(patient) == "The caregiver was linked."
    row = caregiver_row(patient, c_name)
    assert c_email in row.text
    assert "See records and plan; Book visits" in row.text
    assert "Log practice" not in row.text
    assert "Active" in row.text
    revoke = row.find_element(By.XPATH, ".//button[starts-with(normalize-space(), 'Revoke access')]")
    assert revoke.get_attribute("textContent").strip() == f"Revoke access for {c_name}"

    # The caregiver now sees the patient, with exactly those permissions.
    carer.get(g.url("/dashboard"))
    cards = carer.find_elements(By.CSS_SELECTOR, "main ul.cards > li")
    assert [c.find_element(By.TAG_NAME, "h2").text for c in cards] == [p_name]
    assert "See records and plan; Book visits" in cards[0].text
    assert "No therapist yet" in cards[0].text

    # Linking the same caregiver twice is refused with a message.
    g.fill(patient, "caregiverEmail", c_email)
    patient.find_element(By.ID, "scope-message").click()
    g.submit(patient, patient.find_element(By.XPATH, "//main//form//button[normalize-space()='Give access']"))
    summary = g.error_summary(patient)
    assert summary is not None and "already linked" in summary.text

    # Revoke.
    patient.get(g.url("/dashboard"))
    row = caregiver_row(patient, c_name)
    g.submit(patient, row.find_element(By.XPATH, ".//button[starts-with(normalize-space(), 'Revoke access')]"))
    g.wait_for_path(patient, "/dashboard")
    assert g.notice_text(patient) == "The caregiver's access was revoked."
    row = caregiver_row(patient, c_name)
    assert "Revoked" in row.text
    assert not row.find_elements(By.TAG_NAME, "button"), "a revoked link has no revoke button"

    # The caregiver no longer sees the patient.
    carer.get(g.url("/dashboard"))
    assert p_name not in g.main_text(carer)
    assert "No patient has given you access yet." in g.main_text(carer)


def test_giving_access_to_unknown_email_shows_error(browser):
    g.register(browser, role="patient", name=f"Ira {g.unique('Patient')}", email=g.unique_email("patient"))
    g.fill(browser, "caregiverEmail", g.unique_email("nobody"))
    browser.find_element(By.ID, "scope-view").click()
    g.submit(browser, browser.find_element(By.XPATH, "//main//form//button[normalize-space()='Give access']"))
    summary = g.error_summary(browser)
    assert summary is not None
    assert "No caregiver account uses that email." in summary.text
    assert browser.title == "Your dashboard · Gonio"


def test_patient_cannot_give_access_to_a_therapist_account(browser):
    g.register(browser, role="patient", name=f"Uma {g.unique('Patient')}", email=g.unique_email("patient"))
    g.fill(browser, "caregiverEmail", g.DEMO["therapist"])
    browser.find_element(By.ID, "scope-view").click()
    g.submit(browser, browser.find_element(By.XPATH, "//main//form//button[normalize-space()='Give access']"))
    summary = g.error_summary(browser)
    assert summary is not None and "No caregiver account uses that email." in summary.text
