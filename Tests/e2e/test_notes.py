"""Issue 3: the therapist writes and signs a structured initial evaluation; the patient reads it.
axe runs on the editor and the notes page."""

from selenium.webdriver.common.by import By

import gonio_e2e as g


def test_therapist_signs_an_initial_evaluation_the_patient_reads_it(new_browser):
    therapist, patient = new_browser(), new_browser()
    g.login(patient, g.DEMO["patient2"])
    patient.find_element(By.LINK_TEXT, "Read your therapist's notes").click()
    g.wait_ready(patient)
    notes_path = g.path_of(patient)
    patient_id = notes_path.split("/")[2]

    g.login(therapist, g.DEMO["therapist"])
    therapist.get(g.url(f"/patients/{patient_id}/notes/new?kind=initial-evaluation"))
    g.wait_ready(therapist)
    assert not g.blocking(g.run_axe(therapist, "evaluation-editor"))
    unique = g.unique("Dx")
    g.fill(therapist, "subjective", "Neck pain after long desk days.")
    g.choose(therapist, "rom-motion-0", "cervical rotation (normal 0–80°)")
    g.fill(therapist, "rom-degrees-0", "60")
    g.fill(therapist, "diagnosis", f"Mechanical neck pain {unique}")
    g.fill(therapist, "personalFactors", "0")
    g.fill(therapist, "elementsExamined", "2")
    for field_id in ("presentation-stable", "complexity-low"):
        el = therapist.find_element(By.ID, field_id)
        therapist.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
        el.click()
    g.fill(therapist, "reasoning", "No comorbidities; ROM and posture examined; stable.")
    g.fill(therapist, "frequencyPerWeek", "1")
    g.fill(therapist, "durationWeeks", "4")
    g.fill(therapist, "goal-text-0", "Work 2 hours at the desk with pain at most 2/10")
    g.set_value(therapist, "goal-date-0", g.years_from_today(1))
    g.fill(therapist, "goal-text-1", "NDI under 10 %")
    g.set_value(therapist, "goal-date-1", g.years_from_today(1))
    g.submit(therapist, therapist.find_element(By.XPATH, "//button[normalize-space()='Sign']"))
    assert g.notice_text(therapist) == "The note was signed."
    assert not g.blocking(g.run_axe(therapist, "notes"))

    patient.refresh()
    g.wait_ready(patient)
    text = g.main_text(patient)
    assert f"Mechanical neck pain {unique}" in text
    assert "Low (CPT 97161)" in text
    assert "(normal 0–80°)" in text
