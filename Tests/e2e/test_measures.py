"""Issue 3: the therapist assigns an ODI; the patient completes it on a 375 px wide screen and
sees the score with its interpretation; a second ODI shows the change since the first."""

from selenium.webdriver.common.by import By

import gonio_e2e as g


def test_patient_completes_an_odi_on_a_phone(new_browser):
    patient, admin, therapist = new_browser(), new_browser(), new_browser()
    name = f"Rui {g.unique('Odi')}"
    g.register(patient, role="patient", name=name, email=g.unique_email("odi"), location="California")
    patient.find_element(By.LINK_TEXT, "See your questionnaires and scores").click()
    g.wait_ready(patient)
    assert "No outcome measures have been assigned yet." in g.main_text(patient)
    patient_id = g.path_of(patient).split("/")[2]

    g.login(admin, g.DEMO["admin"])
    add = admin.find_element(By.ID, f"add-{patient_id}")
    g.submit(admin, add.find_element(By.XPATH, "./following-sibling::button"))

    g.login(therapist, g.DEMO["therapist"])
    therapist.get(g.url(f"/patients/{patient_id}/measures"))
    g.choose(therapist, "code", "Oswestry Disability Index (v2.1a)")
    g.submit(therapist, therapist.find_element(By.XPATH, "//button[normalize-space()='Assign']"))
    assert g.notice_text(therapist) == "The measure was assigned."

    patient.set_window_size(375, 900)
    patient.get(g.url("/dashboard"))
    assert "1 questionnaire(s) to fill in." in g.main_text(patient)
    patient.find_element(By.LINK_TEXT, "See your questionnaires and scores").click()
    g.wait_ready(patient)
    patient.find_element(By.PARTIAL_LINK_TEXT, "Fill in now").click()
    g.wait_ready(patient)
    assert patient.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    assert not g.blocking(g.run_axe(patient, "measure-form"))
    # Answers 2,2,2,2,2,2,1,1,1,1 = 16 of 50 → 32 % (moderate disability).
    for i, value in enumerate([2, 2, 2, 2, 2, 2, 1, 1, 1, 1]):
        radio = patient.find_element(By.ID, f"item-{i}-{value}")
        patient.execute_script("arguments[0].scrollIntoView({block: 'center'})", radio)
        radio.click()
    g.submit(patient, patient.find_element(By.XPATH, "//button[normalize-space()='Save answers']"))
    assert g.notice_text(patient) == "Thank you. Your answers were saved."
    assert "Latest score: 32 (Moderate disability)" in g.main_text(patient)
    assert not g.blocking(g.run_axe(patient, "measures-list"))
