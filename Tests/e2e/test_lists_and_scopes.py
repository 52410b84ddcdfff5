"""Lists that search and page, and a caregiver who may only fill in forms.

The server-house issue: patient lists are searchable by name and paginated on every dashboard,
and web pages ask the gate the same questions as the API, so a caregiver who may only log
practice reaches the intake and questionnaires (and nothing clinical) from the dashboard."""

from selenium.webdriver.common.by import By

import gonio_e2e as g


def test_therapist_searches_patients_by_name(browser):
    g.login(browser, g.DEMO["therapist"])
    text = g.main_text(browser)
    assert "Maria Lopez" in text and "James Chen" in text
    search = browser.find_element(By.ID, "q")
    assert browser.find_element(By.CSS_SELECTOR, "label[for='q']").text == "Find a patient by name"
    search.send_keys("chen")
    g.submit(browser, browser.find_element(By.XPATH, "//form[@role='search']//button"))
    g.wait_for_path(browser, "/dashboard")
    assert "q=chen" in g.query_of(browser)
    rows = [r.find_element(By.TAG_NAME, "th").text for r in browser.find_elements(By.CSS_SELECTOR, "main table tbody tr")
            if r.find_elements(By.TAG_NAME, "th")]
    assert "James Chen" in rows and "Maria Lopez" not in rows, rows
    assert "1 patient match" in g.main_text(browser)
    assert browser.find_element(By.ID, "q").get_attribute("value") == "chen"
    # A name that matches nobody says so.
    browser.get(g.url("/dashboard?q=zzzz-nobody"))
    assert "No patient's name matches." in g.main_text(browser)


def test_admin_searches_patients_and_care_teams(browser):
    g.login(browser, g.DEMO["admin"])
    browser.get(g.url("/dashboard?q=maria"))
    cards = [c.find_element(By.TAG_NAME, "h3").text for c in browser.find_elements(By.CSS_SELECTOR, "article.patient-card")]
    assert cards == ["Maria Lopez"], cards


def test_a_caregiver_who_logs_practice_fills_in_the_intake(new_browser):
    carer, patient = new_browser(width=375), new_browser()
    c_name, c_email = f"Lu {g.unique('Helper')}", g.unique_email("helper")
    p_name, p_email = f"Ada {g.unique('Patient')}", g.unique_email("patient")
    g.register(carer, role="caregiver", name=c_name, email=c_email)
    g.register(patient, role="patient", name=p_name, email=p_email, location="California")
    # Only "log practice on their behalf".
    g.fill(patient, "caregiverEmail", c_email)
    patient.find_element(By.ID, "scope-log-practice").click()
    g.submit(patient, patient.find_element(By.XPATH, "//main//form//button[normalize-space()='Give access']"))
    assert g.notice_text(patient) == "The caregiver was linked."

    carer.get(g.url("/dashboard"))
    cards = carer.find_elements(By.CSS_SELECTOR, "main ul.cards > li")
    assert [c.find_element(By.TAG_NAME, "h2").text for c in cards] == [p_name]
    card = cards[0]
    assert "Log practice on their behalf" in card.text
    links = {a.text.split("\n")[0]: a.get_attribute("href") for a in card.find_elements(By.TAG_NAME, "a")}
    assert any("Fill in the intake" in t for t in links), links
    assert not any("notes" in (h or "") for h in links.values()), "no clinical notes for a form-filler"

    # The intake page opens as a form, and a draft saves.
    intake = next(h for t, h in links.items() if "intake" in t.lower())
    carer.get(intake)
    assert g.heading(carer) == f"Intake for {p_name}"
    g.fill(carer, "goals", "Walk to the park with the grandchildren")
    g.submit(carer, carer.find_element(By.XPATH, "//main//form//button[@value='save']"))
    assert "Your answers are saved." in g.notice_text(carer)
    assert carer.find_element(By.ID, "goals").get_attribute("value") == "Walk to the park with the grandchildren"

    # The notes page is not theirs to see.
    patient_id = intake.rstrip("/").split("/")[-2]
    carer.get(g.url(f"/patients/{patient_id}/notes"))
    assert g.heading(carer) == "Page not found"
