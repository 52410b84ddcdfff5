"""Issue 3: a patient fills in the intake on a 375 px wide phone screen; the screen flags an
answer; the care-team therapist sees the flag on their dashboard and clears it with a reason.

The patient is registered fresh and the admin adds the demo therapist to their care team, so the
test can run again on the same server."""

from selenium.webdriver.common.by import By

import gonio_e2e as g


def fill_intake_on_phone(driver, *, flagged_question: str) -> None:
    driver.set_window_size(375, 900)
    driver.find_element(By.LINK_TEXT, "Fill in your intake").click()
    g.wait_ready(driver)
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    for field_id in ("cat-musculoskeletal", "region-lower-back", "pain-5", "camera-yes", "internet-fair", "space-yes",
                     "assist-independent", "med-beta-blocker"):
        el = driver.find_element(By.ID, field_id)
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
        el.click()
    g.set_value(driver, "onsetDate", "2026-09-01")
    g.fill(driver, "goals", "Carry groceries up the stairs")
    g.fill(driver, "age", "61")
    g.choose(driver, "visitLocation", "California")
    # Part one: save a draft, come back, and find the answers kept.
    g.submit(driver, driver.find_element(By.XPATH, "//button[normalize-space()='Save and finish later']"))
    assert "Your answers are saved" in g.notice_text(driver)
    assert driver.find_element(By.ID, "pain-5").is_selected()
    # Part two: the safety questions, all "no" but one.
    for fieldset in driver.find_elements(By.CSS_SELECTOR, "fieldset.yes-no"):
        no = fieldset.find_element(By.CSS_SELECTOR, "input[value=no]")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", no)
        no.click()
    flagged = driver.find_element(By.ID, f"rf-{flagged_question}-yes")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", flagged)
    flagged.click()
    g.submit(driver, driver.find_element(By.XPATH, "//button[normalize-space()='Submit']"))


def test_patient_intake_is_flagged_and_the_therapist_clears_it(new_browser):
    patient, admin, therapist = new_browser(), new_browser(), new_browser()
    name, email = f"Ines {g.unique('Intake')}", g.unique_email("intake")
    g.register(patient, role="patient", name=name, email=email, location="California")
    fill_intake_on_phone(patient, flagged_question="night-pain")
    text = g.main_text(patient)
    assert "A therapist will review your answers" in text
    assert "Online visits cannot be booked until a therapist clears this." in text
    assert "beta blockers" in text, "the readiness summary lists exercise-relevant medicines"
    assert not g.blocking(g.run_axe(patient, "intake-submitted"))
    patient_id = g.path_of(patient).split("/")[2]

    g.login(admin, g.DEMO["admin"])
    add = admin.find_element(By.ID, f"add-{patient_id}")
    g.submit(admin, add.find_element(By.XPATH, "./following-sibling::button"))
    assert "added to the care team" in g.notice_text(admin)

    g.login(therapist, g.DEMO["therapist"])
    assert "Intakes waiting for your decision" in g.main_text(therapist)
    therapist.find_element(By.XPATH, f"//section[@aria-labelledby='flagged-title']//a[normalize-space()='{name}']").click()
    g.wait_ready(therapist)
    assert not g.blocking(g.run_axe(therapist, "intake-review"))
    therapist.find_element(By.ID, "decision-cleared-for-virtual-care").click()
    g.fill(therapist, "reason", "Night pain eases with position change; no other flags on call.")
    g.submit(therapist, therapist.find_element(By.XPATH, "//button[normalize-space()='Record decision']"))
    assert g.notice_text(therapist) == "Your decision was recorded."

    patient.refresh()
    g.wait_ready(patient)
    assert "Cleared for virtual care" in g.main_text(patient)
    assert "Online visits can go ahead." in g.main_text(patient)


def test_emergency_answer_shows_only_the_call_911_message(new_browser):
    patient = new_browser()
    g.register(patient, role="patient", name=f"Eli {g.unique('Urgent')}", email=g.unique_email("urgent"), location="Oregon")
    fill_intake_on_phone(patient, flagged_question="chest-pain")
    alert = patient.find_element(By.CSS_SELECTOR, "[role=alert].emergency")
    assert "Call 911 now" in alert.text
    assert not patient.find_elements(By.XPATH, "//button[normalize-space()='Submit']")
    assert not g.blocking(g.run_axe(patient, "intake-emergency"))


def test_intake_form_passes_axe_at_phone_width(new_browser):
    patient = new_browser()
    g.register(patient, role="patient", name=f"Ada {g.unique('Axe')}", email=g.unique_email("axe"), location="Washington")
    patient.set_window_size(375, 900)
    patient.find_element(By.LINK_TEXT, "Fill in your intake").click()
    g.wait_ready(patient)
    assert not g.blocking(g.run_axe(patient, "intake-form"))
