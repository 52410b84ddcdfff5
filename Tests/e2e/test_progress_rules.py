"""Issue 10, continued: the clinic's own progression rules (the admin changes one, the therapist
reads it), range of motion measured by hand on the therapist's progress page, and Robert, the
discharged demo patient, reading his summary and his home maintenance program."""

from selenium.webdriver.common.by import By

import gonio_e2e as g
from test_progress import patient_id


def test_the_admin_changes_a_rule_and_the_therapist_reads_it(new_browser):
    admin = new_browser()
    g.login(admin, g.DEMO["admin"])
    admin.find_element(By.LINK_TEXT, "Progression rules").click()
    g.wait_ready(admin)
    assert g.heading(admin).startswith("Progression rules of")
    assert "changed" in g.main_text(admin), "the demo clinic keeps holds to 45 s"
    assert not g.blocking(g.run_axe(admin, "clinic-rules"))
    # The browser refuses a fraction where a whole number goes; Gonio names a value off its scale,
    # and what was typed stays.
    g.fill(admin, "rule-repsStep", "2.5")
    assert admin.execute_script("return document.getElementById('rule-repsStep').validity.stepMismatch")
    g.fill(admin, "rule-repsStep", "2")
    g.fill(admin, "rule-painDuringMax", "12")
    g.submit(admin, admin.find_element(By.XPATH, "//button[normalize-space()='Save the rules']"))
    assert "Highest pain during exercise (0-10)" in admin.find_element(By.ID, "rules-error").text
    assert admin.find_element(By.ID, "rule-painDuringMax").get_attribute("value") == "12"
    g.fill(admin, "rule-painDuringMax", "5")
    g.fill(admin, "rule-repsMax", "14")
    g.submit(admin, admin.find_element(By.XPATH, "//button[normalize-space()='Save the rules']"))
    assert "The rules are saved" in g.notice_text(admin)
    assert admin.find_element(By.ID, "rule-repsMax").get_attribute("value") == "14"

    dana = new_browser()
    g.login(dana, g.DEMO["therapist"])
    dana.get(g.url("/clinic/progression-rules"))
    g.wait_ready(dana)
    rows = {r.find_element(By.TAG_NAME, "th").text: r.find_element(By.TAG_NAME, "td").text
            for r in dana.find_elements(By.CSS_SELECTOR, "table tbody tr")}
    reps = [v for k, v in rows.items() if k.startswith("Most repetitions before a set is added")]
    assert reps == ["14"], rows
    assert not dana.find_elements(By.CSS_SELECTOR, "form.rules-form"), "therapists read, admins change"


def test_the_therapist_records_a_range_of_motion_by_hand(new_browser):
    maria_id = patient_id(g.DEMO["patient"])
    dana = new_browser()
    g.login(dana, g.DEMO["therapist"])
    dana.get(g.url(f"/patients/{maria_id}/progress"))
    g.wait_ready(dana)
    assert "Knee flexion, right (by goniometer)" in g.main_text(dana)
    g.choose(dana, "rom-motion", "Knee flexion (normal 0–135°)")
    left = dana.find_element(By.CSS_SELECTOR, "input[name='side'][value='left']")
    dana.execute_script("arguments[0].scrollIntoView({block: 'center'})", left)
    left.click()
    g.fill(dana, "rom-end", "123")
    g.submit(dana, dana.find_element(By.XPATH, "//button[normalize-space()='Save the measurement']"))
    assert "The measurement is saved" in g.notice_text(dana)
    chart = dana.find_element(By.ID, "chart-rom-goniometer-knee-flexion-left-h").find_element(By.XPATH, "..")
    summary = chart.find_element(By.CSS_SELECTOR, ".chart-table summary")
    dana.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
    summary.click()
    assert "123°" in chart.text and "by hand (goniometer)" in chart.text
    assert not g.blocking(g.run_axe(dana, "progress-rom"))


def test_robert_reads_his_discharge_and_keeps_his_home_program(new_browser):
    robert_id = patient_id(g.DEMO["patient3"])
    robert = new_browser()
    robert.set_window_size(390, 900)
    g.login(robert, g.DEMO["patient3"])
    robert.get(g.url(f"/patients/{robert_id}/discharge"))
    g.wait_ready(robert)
    text = g.main_text(robert)
    assert "Discharged on" in text and "2 of 2 goals met" in text
    assert "Improved by at least the meaningful change" in text, "the ODI, 34 to 14"
    assert "Home maintenance program" in text
    assert "Make this the home maintenance program" not in text
    assert robert.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    assert not g.blocking(g.run_axe(robert, "discharge-patient"))
    robert.get(g.url(f"/patients/{robert_id}/plan"))
    g.wait_ready(robert)
    assert "Home maintenance program" in g.main_text(robert)
