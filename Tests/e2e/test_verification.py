"""2. A clinic admin verifies (or rejects) a therapist through the dashboard.

Each test registers its own therapist through /register, so the demo data (Sam Ortiz stays
pending) and the order of tests do not matter, and the suite can run again on the same server.
"""

from selenium.webdriver.common.by import By

import gonio_e2e as g


def queue_item(driver, name):
    items = driver.find_elements(By.XPATH, f"//li[contains(@class,'queue-item')][h3[normalize-space()='{name}']]")
    assert len(items) == 1, f"expected {name!r} once in the verification queue, found {len(items)}"
    return items[0]


def test_admin_verifies_new_therapist_who_then_sees_patients(new_browser):
    therapist, admin, patient = new_browser(), new_browser(), new_browser()
    t_name, t_email = f"Robin {g.unique('Verify')}, PT", g.unique_email("pt")
    p_name, p_email = f"Lee {g.unique('Patient')}", g.unique_email("patient")

    # The therapist applies and waits.
    g.register_therapist(therapist, t_name, t_email)
    assert "Your application is in." in g.notice_text(therapist)
    assert "Awaiting verification" in g.main_text(therapist)
    assert "Your patients" not in g.main_text(therapist)

    # A patient of the same clinic registers (in California, where the therapist is licensed).
    g.register(patient, role="patient", name=p_name, email=p_email, location="California", dateOfBirth="1970-02-03")

    # The admin verifies the therapist.
    g.login(admin, g.DEMO["admin"])
    item = queue_item(admin, t_name)
    assert t_email in item.text and "CA-E2E-1" in item.text and "(home state)" in item.text
    g.submit(admin, item.find_element(By.CSS_SELECTOR, "button[data-action=verify]"))
    g.wait_for_path(admin, "/dashboard")
    assert g.notice_text(admin) == "The therapist was verified."
    queue = admin.find_element(By.CSS_SELECTOR, "section[aria-labelledby=queue-title]").text
    assert t_name not in queue
    members = admin.find_element(By.CSS_SELECTOR, "section[aria-labelledby=members-title]").text
    assert any(t_name in line and "Verified" in line for line in members.splitlines()), members

    # The admin puts the newly verified therapist on the new patient's care team.
    card = admin.find_element(By.XPATH, f"//article[contains(@class,'patient-card')][h3[normalize-space()='{p_name}']]")
    assert "No therapist yet." in card.text
    add = card.find_element(By.CSS_SELECTOR, "select[name=therapistId]")
    g.choose(admin, add.get_attribute("id"), t_name)
    g.submit(admin, add.find_element(By.XPATH, "./ancestor::form//button[@type='submit']"))
    assert g.notice_text(admin) == "The therapist was added to the care team."
    card = admin.find_element(By.XPATH, f"//article[contains(@class,'patient-card')][h3[normalize-space()='{p_name}']]")
    assert t_name in card.text

    # The therapist, signing in again, is verified and sees that patient.
    g.login(therapist, t_email, g.NEW_PASSWORD)
    text = g.main_text(therapist)
    assert "Awaiting verification" not in text
    assert "Your patients" in text
    assert p_name in text
    assert "Status: verified" in text

    # And the patient sees the therapist on their care team.
    patient.get(g.url("/dashboard"))
    team = patient.find_element(By.CSS_SELECTOR, "section[aria-labelledby=team-title]").text
    assert t_name in team


def test_admin_rejects_new_therapist_with_reason(new_browser):
    therapist, admin = new_browser(), new_browser()
    t_name, t_email = f"Kim {g.unique('Reject')}, PTA", g.unique_email("pt")
    reason = "Licence number not found in the state register"

    g.register_therapist(therapist, t_name, t_email, licence_number="CA-E2E-404")
    g.login(admin, g.DEMO["admin"])
    item = queue_item(admin, t_name)
    reason_input = item.find_element(By.CSS_SELECTOR, "input[name=reason]")
    reason_input.send_keys(reason)
    g.submit(admin, item.find_element(By.CSS_SELECTOR, "button[data-action=reject]"))
    assert g.notice_text(admin).startswith("The therapist's credentials were rejected")
    assert t_name not in admin.find_element(By.CSS_SELECTOR, "section[aria-labelledby=queue-title]").text

    g.login(therapist, t_email, g.NEW_PASSWORD)
    text = g.main_text(therapist)
    assert "Credentials not accepted" in text
    assert f"Reason given: {reason}" in text
    assert "Your patients" not in text and "Awaiting verification" not in text
