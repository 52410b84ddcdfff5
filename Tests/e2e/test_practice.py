"""Issue 7: a therapist builds a plan from a protocol; the patient does today's session in the
guided player on a 375 px wide screen, one exercise with pain 7/10 and one while offline; the
therapist sees the adherence and the pain alert."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import gonio_e2e as g


def click(driver, text):
    button = driver.find_element(By.XPATH, f"//button[normalize-space()='{text}']")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()


def pick(driver, scale_index, value):
    scale = driver.find_elements(By.CSS_SELECTOR, "fieldset.scale-buttons")[scale_index]
    button = scale.find_element(By.CSS_SELECTOR, f'.scale-button[data-value="{value}"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()


def heading_is(driver, text):
    WebDriverWait(driver, g.WAIT).until(lambda d: text in d.find_element(By.CSS_SELECTOR, "[data-player] h2").text)


def rate(driver, during, now, effort=3):
    pick(driver, 0, during)
    pick(driver, 1, now)
    pick(driver, 2, effort)
    click(driver, "About right")
    click(driver, "Save and continue")


def knee_patient(patient, admin, therapist, name, email):
    """A newly registered patient in California, added to the demo therapist's care team by the
    clinic admin, with a plan the therapist builds from the knee osteoarthritis protocol, phase 1.
    Returns the patient's id."""
    g.register(patient, role="patient", name=name, email=email, location="California")
    patient.find_element(By.LINK_TEXT, "See your questionnaires and scores").click()
    g.wait_ready(patient)
    patient_id = g.path_of(patient).split("/")[2]

    g.login(admin, g.DEMO["admin"])
    add = admin.find_element(By.ID, f"add-{patient_id}")
    g.submit(admin, add.find_element(By.XPATH, "./following-sibling::button"))

    # The therapist starts from the knee osteoarthritis protocol, phase 1, and saves it.
    g.login(therapist, g.DEMO["therapist"])
    therapist.get(g.url(f"/patients/{patient_id}/plan"))
    therapist.find_element(By.LINK_TEXT, "Build a plan").click()
    g.wait_ready(therapist)
    g.choose(therapist, "protocol", "Knee osteoarthritis: phase 1, Daily home routine: settle and start strengthening (weeks 1–4)")
    g.submit(therapist, therapist.find_element(By.XPATH, "//button[normalize-space()='Use this phase']"))
    assert therapist.find_elements(By.CSS_SELECTOR, ".editor-row")
    g.submit(therapist, therapist.find_element(By.XPATH, "//button[normalize-space()='Save the plan']"))
    return patient_id


def test_plan_from_a_protocol_practised_on_a_phone_with_a_pain_alert(new_browser):
    patient, admin, therapist = new_browser(), new_browser(), new_browser()
    patient_id = knee_patient(patient, admin, therapist, f"Ines {g.unique('Knee')}", g.unique_email("knee"))
    assert g.notice_text(therapist) == "The plan was saved. The patient sees this version now."
    assert "Bridges" in g.main_text(therapist)

    # The patient, on a phone, starts today's session from the dashboard.
    patient.set_window_size(375, 800)
    patient.get(g.url("/dashboard"))
    assert "Not started" in g.main_text(patient)
    patient.find_element(By.LINK_TEXT, "Start today's exercises").click()
    g.wait_ready(patient)
    heading_is(patient, "Today:")
    assert not g.blocking(g.run_axe(patient, "player-start"))
    assert patient.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    steps = int(patient.find_element(By.CSS_SELECTOR, "[data-player] h2").text.split()[1])
    assert steps >= 5
    pick(patient, 0, 2)
    click(patient, "Start")

    # First exercise: counted with the big button (and the keyboard), then finished and rated.
    heading_is(patient, "Heel slides")
    click(patient, "Begin")
    counter = patient.find_element(By.CSS_SELECTOR, ".counter")
    assert counter.size["height"] >= 100 and counter.size["width"] >= 300, "a large target for one thumb"
    click(patient, "Finish this exercise now")
    heading_is(patient, "how was it?")
    assert not g.blocking(g.run_axe(patient, "player-report"))
    rate(patient, 2, 1)

    # Second exercise hurts: 7/10 during it. The player says to stop and that the therapist hears.
    click(patient, "Begin")
    for _ in range(3):
        patient.find_element(By.CSS_SELECTOR, ".counter").click()
    click(patient, "Stop: it hurts or I feel unwell")
    heading_is(patient, "You stopped")
    pick(patient, 0, 7)
    warning = patient.find_element(By.CSS_SELECTOR, ".pain-warning")
    assert warning.is_displayed() and "Your therapist will be told" in warning.text
    pick(patient, 1, 6)
    pick(patient, 2, 5)
    click(patient, "Save and continue")

    # One exercise done while the connection is down: kept on the phone, sent later.
    patient.set_network_conditions(offline=True, latency=0, download_throughput=0, upload_throughput=0)
    click(patient, "Begin")
    click(patient, "Finish this exercise now")
    rate(patient, 3, 2)
    WebDriverWait(patient, g.WAIT).until(
        lambda d: d.execute_script("return JSON.parse(localStorage.getItem('gonio-practice-queue') || '[]').length") == 1)
    patient.set_network_conditions(offline=False, latency=0, download_throughput=-1, upload_throughput=-1)

    # The rest: some done, the last skipped.
    for n in range(3, steps):
        patient.find_element(By.XPATH, "//button[normalize-space()='Begin']")
        if n == steps - 1:
            click(patient, "Skip this exercise")
        else:
            click(patient, "Begin")
            click(patient, "Finish this exercise now")
            rate(patient, 2, 1)
    heading_is(patient, "Well done")
    WebDriverWait(patient, 20).until(lambda d: "Saved. Your therapist can see it." in g.main_text(d))
    assert "You reported pain above 5 out of 10" in g.main_text(patient)
    assert patient.execute_script("return localStorage.getItem('gonio-practice-queue')") == "[]"

    # The therapist sees the alert on the list and the adherence on the practice page.
    therapist.get(g.url("/dashboard"))
    assert "1 pain alert(s)" in g.main_text(therapist)
    therapist.get(g.url(f"/patients/{patient_id}/practice"))
    text = g.main_text(therapist)
    assert "Pain alerts" in text and "pain 7/10" in text
    assert "This week" in text and "1 of 2" in text, "session 1 of today's 2 is done"
    assert not g.blocking(g.run_axe(therapist, "practice"))
    g.submit(therapist, therapist.find_element(By.XPATH, "//button[starts-with(normalize-space(), 'Mark as seen')]"))
    assert g.notice_text(therapist) == "The alert was marked as seen."
    assert "Pain alerts" not in g.main_text(therapist)


def test_demo_patient_sees_a_living_practice(signed_in):
    driver = signed_in("patient")
    driver.get(g.url("/dashboard"))
    text = g.main_text(driver)
    assert "Today's exercises" in text and "Not started" in text
    driver.find_element(By.LINK_TEXT, "Your plan").click()
    g.wait_ready(driver)
    assert "Knee osteoarthritis" in g.main_text(driver)
    driver.find_element(By.LINK_TEXT, "Printable handout").click()
    g.wait_ready(driver)
    assert driver.find_elements(By.CSS_SELECTOR, ".handout-item svg.figure")
    assert not g.blocking(g.run_axe(driver, "handout"))
    driver.get(g.url("/exercises?region=knee"))
    assert driver.find_elements(By.CSS_SELECTOR, ".exercise-card svg.figure")
    driver.find_element(By.PARTIAL_LINK_TEXT, "Heel slides").click()
    g.wait_ready(driver)
    WebDriverWait(driver, g.WAIT).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".demo-live svg.figure"))
    assert not g.blocking(g.run_axe(driver, "exercise"))
