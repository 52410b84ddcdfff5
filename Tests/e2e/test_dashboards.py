"""1. Each demo user signs in through the form and sees their own dashboard with real data."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import gonio_e2e as g

# user, name in the header, role in the header, h1, texts that must show, texts that must not.
CASES = [
    ("patient", "Maria Lopez", "Patient", "Hello, Maria Lopez",
     ["Your care team", "Dana Whitaker, PT, DPT", "People who help you", "Ana Lopez", "caregiver@example.com",
      "Active", "Give a caregiver access", "Riverside Physical Therapy", "California", "1956-04-12"],
     ["James Chen", "Sam Ortiz"]),
    ("patient2", "James Chen", "Patient", "Hello, James Chen",
     ["Dana Whitaker, PT, DPT", "Nobody else can see your records.", "Washington"],
     ["Maria Lopez", "Ana Lopez"]),
    ("caregiver", "Ana Lopez", "Caregiver", "People you help",
     ["Maria Lopez", "See records and plan", "Dana Whitaker, PT, DPT"],
     ["James Chen"]),
    ("therapist", "Dana Whitaker, PT, DPT", "Therapist", "Your practice",
     ["Your patients", "Maria Lopez", "James Chen", "Your credentials", "verified",
      "California", "Oregon", "PT 41872", "OR-PT-2291", "PT Compact privileges", "Washington", "Arizona"],
     ["Awaiting verification", "Credentials not accepted"]),
    ("unverified", "Sam Ortiz, PT", "Therapist", "Your practice",
     ["Awaiting verification", "Your credentials", "pending", "TX-1205533", "Texas"],
     ["Your patients", "Maria Lopez", "James Chen"]),
    ("admin", "Priya Natarajan", "Clinic admin", "Riverside Physical Therapy",
     ["Verification queue", "Sam Ortiz, PT", "unverified@example.com", "TX-1205533",
      "Patients and care teams", "Maria Lopez", "James Chen", "Ana Lopez", "Dana Whitaker, PT, DPT",
      "Members", "therapist@example.com", "View the audit log"],
     []),
    ("platform", "Platform Operator", "Platform admin", "Clinics on this Gonio",
     ["Riverside Physical Therapy", "Harbor Telehealth PT", "Add a clinic", "counts only"],
     ["Maria Lopez", "James Chen"]),
]


@pytest.mark.parametrize("user,name,role,h1,present,absent", CASES, ids=[c[0] for c in CASES])
def test_demo_user_sees_own_dashboard(browser, user, name, role, h1, present, absent):
    g.login(browser, g.DEMO[user])
    assert g.heading(browser) == h1
    assert browser.title == "Your dashboard · Gonio"
    signed_in = browser.find_element(By.CSS_SELECTOR, ".signed-in-as").text
    assert name in signed_in
    assert f"({role})" in signed_in
    text = g.main_text(browser)
    for expected in present:
        assert expected in text, f"{user}: expected {expected!r} on the dashboard"
    for unexpected in absent:
        assert unexpected not in text, f"{user}: {unexpected!r} must not be on the dashboard"
    # The header offers the signed-in navigation, not the sign-in links.
    nav = browser.find_element(By.CSS_SELECTOR, "header nav[aria-label=Account]").text
    assert "Dashboard" in nav and "Sign out" in nav and "Sign in" not in nav


def test_therapist_sees_where_they_may_practise(browser):
    g.login(browser, g.DEMO["therapist"])
    table = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=patients-title] table")
    headers = [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
    column = headers.index("You may practise there")
    rows = {r.find_element(By.CSS_SELECTOR, "th").text: r.find_elements(By.CSS_SELECTOR, "th, td")[column].text
            for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")}
    # Maria is in CA (licence), James in WA (compact privilege): both are allowed.
    assert rows == {"Maria Lopez": "Yes", "James Chen": "Yes", "Robert Okafor": "Yes"}, rows


def test_admin_queue_has_verify_and_reject_for_pending_therapist(browser):
    g.login(browser, g.DEMO["admin"])
    item = browser.find_element(By.XPATH, "//li[contains(@class,'queue-item')][h3[normalize-space()='Sam Ortiz, PT']]")
    verify = item.find_element(By.CSS_SELECTOR, "button[data-action=verify]")
    reject = item.find_element(By.CSS_SELECTOR, "button[data-action=reject]")
    # Buttons name the therapist for screen readers.
    assert verify.get_attribute("textContent").strip() == "Verify Sam Ortiz, PT"
    assert reject.get_attribute("textContent").strip() == "Reject Sam Ortiz, PT"
    reason = item.find_element(By.CSS_SELECTOR, "input[name=reason]")
    label = item.find_element(By.CSS_SELECTOR, f"label[for='{reason.get_attribute('id')}']")
    assert label.text == "Reason for rejecting"
    # The therapist who is already verified is not in the queue.
    queue = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=queue-title]").text
    assert "Dana Whitaker" not in queue


def test_admin_reaches_audit_log_and_filters_it(browser):
    g.login(browser, g.DEMO["admin"])
    g.submit(browser, browser.find_element(By.LINK_TEXT, "View the audit log"))
    g.wait_for_path(browser, "/clinic/audit")
    assert g.heading(browser) == "Audit log"
    rows = browser.find_elements(By.CSS_SELECTOR, "table.audit tbody tr")
    assert rows, "the admin's own dashboard read patient records, so the log has entries"

    g.choose(browser, "patientId", "Maria Lopez")
    g.submit(browser, browser.find_element(By.XPATH, "//main//form//button[normalize-space()='Filter']"))
    g.wait_for_path(browser, "/clinic/audit")
    assert "patientId=" in g.query_of(browser)
    assert Select(browser.find_element(By.ID, "patientId")).first_selected_option.text == "Maria Lopez"
    patients = {r.find_elements(By.TAG_NAME, "td")[3].text
                for r in browser.find_elements(By.CSS_SELECTOR, "table.audit tbody tr")}
    assert patients and patients <= {"Maria Lopez"}, patients

    g.choose(browser, "outcome", "Denied")
    g.submit(browser, browser.find_element(By.XPATH, "//main//form//button[normalize-space()='Filter']"))
    rows = browser.find_elements(By.CSS_SELECTOR, "table.audit tbody tr")
    if rows:
        assert all("denied" in r.find_elements(By.TAG_NAME, "td")[6].text for r in rows)
    else:
        assert "No entries match these filters." in g.main_text(browser)


def test_platform_admin_adds_a_clinic_that_registration_then_offers(browser):
    name = f"E2E Clinic {g.unique('c')}"
    g.login(browser, g.DEMO["platform"])
    g.fill(browser, "clinic-name", name)
    g.choose(browser, "clinic-kind", "Telehealth provider")
    g.submit(browser, browser.find_element(By.XPATH, "//main//form//button[normalize-space()='Add clinic']"))
    g.wait_for_path(browser, "/dashboard")
    assert g.notice_text(browser) == "The clinic was created."
    row = browser.find_element(By.XPATH, f"//section[@aria-labelledby='clinics-title']//tbody/tr[th[normalize-space()='{name}']]")
    assert [c.text for c in row.find_elements(By.TAG_NAME, "td")] == ["Telehealth provider", "0", "0", "0"]
    g.sign_out(browser)
    browser.get(g.url("/register"))
    labels = [o.text for o in Select(browser.find_element(By.ID, "clinicId")).options]
    assert name in labels
