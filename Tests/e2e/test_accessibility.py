"""5. Accessibility: axe-core on every page and state, and reflow at phone widths.

axe: no violation of impact "serious" or "critical" is allowed; every violation (any impact)
is printed and collected in artifacts/axe-report.json and the end-of-run summary.

Reflow (WCAG 1.4.10): at 320 and 375 CSS px wide the page must not scroll sideways. Wide
tables sit in their own scrolling region (.table-scroll), which is allowed.
"""

import pytest
from selenium.webdriver.common.by import By

import gonio_e2e as g


def choose_therapist(driver):
    driver.find_element(By.ID, "role-therapist").click()


def submit_short_password(driver):
    g.fill(driver, "name", "Axe Check")
    g.fill(driver, "email", g.unique_email("axe"))
    g.fill(driver, "password", "short1")
    g.submit(driver, driver.find_element(By.XPATH, "//main//form//button[normalize-space()='Create account']"))
    assert g.error_summary(driver) is not None


def submit_mismatched_passwords(driver):
    g.fill(driver, "currentPassword", "not-checked-first")
    g.fill(driver, "newPassword", "one-long-new-password")
    g.fill(driver, "confirmPassword", "another-long-new-password")
    g.submit(driver, driver.find_element(By.XPATH, "//main//form//button[normalize-space()='Change password']"))
    assert g.error_summary(driver) is not None


def submit_unknown_caregiver(driver):
    g.fill(driver, "caregiverEmail", g.unique_email("nobody"))
    driver.find_element(By.ID, "scope-view").click()
    g.submit(driver, driver.find_element(By.XPATH, "//main//form//button[normalize-space()='Give access']"))
    assert g.error_summary(driver) is not None


# id, signed-in demo user (None: signed out), path, optional step to reach a state of the page.
PAGES = [
    ("landing", None, "/", None),
    ("login", None, "/login", None),
    ("login-signed-out-notice", None, "/login?notice=signed-out", None),
    ("register", None, "/register", None),
    ("register-therapist", None, "/register", choose_therapist),
    ("register-error", None, "/register", submit_short_password),
    ("error-404", None, "/nope", None),
    ("landing-signed-in", "patient", "/", None),
    ("dashboard-patient", "patient", "/dashboard", None),
    ("dashboard-patient-notice", "patient", "/dashboard?notice=caregiver-linked", None),
    ("dashboard-patient-error", "patient", "/dashboard", submit_unknown_caregiver),
    ("dashboard-patient2", "patient2", "/dashboard", None),
    ("dashboard-caregiver", "caregiver", "/dashboard", None),
    ("dashboard-therapist", "therapist", "/dashboard", None),
    ("dashboard-unverified", "unverified", "/dashboard", None),
    ("dashboard-clinic-admin", "admin", "/dashboard", None),
    ("dashboard-platform-admin", "platform", "/dashboard", None),
    ("password", "patient", "/account/password", None),
    ("password-error", "caregiver", "/account/password", submit_mismatched_passwords),
    ("audit", "admin", "/clinic/audit", None),
    ("audit-filtered-empty", "admin", "/clinic/audit?outcome=denied&action=delete-record", None),
    ("error-403", "patient", "/clinic/audit", None),
]


@pytest.mark.parametrize("page_id,user,path,step", PAGES, ids=[p[0] for p in PAGES])
def test_axe_no_serious_or_critical_violations(signed_in, page_id, user, path, step):
    driver = signed_in(user)
    driver.get(g.url(path))
    g.wait_ready(driver)
    if step:
        step(driver)
    violations = g.run_axe(driver, page_id)
    blocking = g.blocking(violations)
    assert not blocking, "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes']]}" for v in blocking)


def test_error_page_has_status_heading(signed_in):
    driver = signed_in(None)
    driver.get(g.url("/nope"))
    assert g.heading(driver) == "Page not found"
    assert driver.title == "Page not found · Gonio"
    driver = signed_in("patient")
    driver.get(g.url("/clinic/audit"))
    assert g.heading(driver) == "Not allowed"


# Pages checked for sideways scrolling at phone widths.
REFLOW_PAGES = [
    ("landing", None, "/"),
    ("login", None, "/login"),
    ("register", None, "/register"),
    ("error-404", None, "/nope"),
    ("dashboard-patient", "patient", "/dashboard"),
    ("dashboard-patient2", "patient2", "/dashboard"),
    ("dashboard-caregiver", "caregiver", "/dashboard"),
    ("dashboard-therapist", "therapist", "/dashboard"),
    ("dashboard-unverified", "unverified", "/dashboard"),
    ("dashboard-clinic-admin", "admin", "/dashboard"),
    ("dashboard-platform-admin", "platform", "/dashboard"),
    ("password", "patient", "/account/password"),
    ("audit", "admin", "/clinic/audit"),
]

# Lists elements that stick out to the right of the viewport and are not inside a scrolling
# region of their own, innermost first, so a failure says what to fix.
OVERFLOWING = """
const limit = document.documentElement.clientWidth;
// Clipped by a scrolling (or clipping) ancestor that fits? An absolutely positioned element is
// clipped only if that ancestor also contains its containing block (offsetParent).
const clipped = el => {
  const escapes = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
  for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    const s = getComputedStyle(p);
    if (['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX) && p.getBoundingClientRect().right <= limit + 0.5) {
      if (!escapes) return true;
      const cb = el.offsetParent;
      if (cb && (cb === p || p.contains(cb))) return true;
    }
  }
  return false;
};
const out = [];
for (const el of document.body.querySelectorAll('*')) {
  const r = el.getBoundingClientRect();
  if (r.right <= limit + 0.5 || clipped(el)) continue;
  if ([...el.children].some(c => c.getBoundingClientRect().right > limit + 0.5 && !clipped(c))) continue;
  const id = el.id ? '#' + el.id : '';
  const cls = el.classList.length ? '.' + [...el.classList].join('.') : '';
  const pos = getComputedStyle(el).position;
  out.push(`${el.tagName.toLowerCase()}${id}${cls}${pos === 'static' ? '' : ' (' + pos + ')'} right=${Math.round(r.right)} "${(el.textContent || '').trim().slice(0, 40)}"`);
}
return out.slice(0, 12);
"""


@pytest.mark.parametrize("page_id,user,path", [pytest.param(*p, id=p[0]) for p in REFLOW_PAGES])
@pytest.mark.parametrize("width", [320, 375])
def test_no_horizontal_scroll_on_phones(signed_in, page_id, user, path, width):
    driver = signed_in(user)
    driver.set_window_size(width, 800)
    driver.get(g.url(path))
    g.wait_ready(driver)
    inner, client, scroll = driver.execute_script(
        "return [window.innerWidth, document.documentElement.clientWidth, document.documentElement.scrollWidth]")
    assert inner == width, f"the window could not be made {width}px wide (innerWidth {inner})"
    culprits = driver.execute_script(OVERFLOWING)
    assert scroll <= inner, f"{page_id} at {width}px: scrollWidth {scroll} > innerWidth {inner}; overflowing: {culprits}"
    # Stricter: also nothing hidden under the vertical scrollbar.
    assert scroll <= client, f"{page_id} at {width}px: scrollWidth {scroll} > clientWidth {client}; overflowing: {culprits}"
