"""6. Keyboard: the skip link is the first thing Tab reaches, is visible when focused, and moves
focus to <main>. Also: every control can be reached and shows a focus ring."""

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

import gonio_e2e as g

# The first element, in document order, that Tab can reach (tabindex >= 0, visible, enabled).
FIRST_TABBABLE = """
const candidates = document.querySelectorAll(
  'a[href], button, input:not([type=hidden]), select, textarea, [tabindex], summary, [contenteditable=true]');
for (const el of candidates) {
  if (el.tabIndex < 0 || el.disabled) continue;
  if (el.closest('[hidden], [inert]')) continue;
  const s = getComputedStyle(el);
  if (s.visibility === 'hidden' || s.display === 'none') continue;
  return el;
}
return null;
"""

ACTIVE = "return document.activeElement"

PAGES = [
    ("landing", None, "/"),
    ("login", None, "/login"),
    ("register", None, "/register"),
    ("error-404", None, "/nope"),
    ("dashboard-patient", "patient", "/dashboard"),
    ("dashboard-clinic-admin", "admin", "/dashboard"),
    ("audit", "admin", "/clinic/audit"),
]


@pytest.mark.parametrize("page_id,user,path", PAGES, ids=[p[0] for p in PAGES])
def test_skip_link_is_first_and_moves_focus_to_main(signed_in, page_id, user, path):
    driver = signed_in(user)
    driver.get(g.url(path))
    g.wait_ready(driver)
    skip = driver.find_element(By.CSS_SELECTOR, "a.skip-link")
    assert skip.get_attribute("textContent").strip() == "Skip to main content"
    assert skip.get_attribute("href").endswith("#main")
    assert driver.execute_script(FIRST_TABBABLE) == skip, "the skip link must come first in tab order"

    # Off-screen until focused.
    assert skip.rect["x"] + skip.rect["width"] <= 0

    # The first Tab from a fresh page lands on it, and it is then on screen.
    ActionChains(driver).send_keys(Keys.TAB).perform()
    assert driver.execute_script(ACTIVE) == skip
    rect = driver.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom];", skip)
    width = driver.execute_script("return window.innerWidth")
    assert rect[0] >= 0 and rect[1] >= 0 and rect[2] <= width, f"focused skip link is off screen: {rect}"
    outline = driver.execute_script("const s = getComputedStyle(arguments[0]); return [s.outlineStyle, s.outlineWidth];", skip)
    assert outline[0] != "none" and outline[1] != "0px", f"focused skip link shows no focus ring: {outline}"

    # Enter follows it: focus moves to <main id=main>.
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    main = driver.find_element(By.ID, "main")
    assert main.tag_name == "main"
    assert driver.execute_script(ACTIVE) == main
    assert driver.current_url.endswith("#main")

    # The next Tab goes to the first control inside main, not back to the header.
    ActionChains(driver).send_keys(Keys.TAB).perform()
    assert driver.execute_script("return document.getElementById('main').contains(document.activeElement)")


def test_login_form_by_keyboard_only(browser):
    browser.get(g.url("/login"))
    # Skip link, then the form: email, password, submit.
    ActionChains(browser).send_keys(Keys.TAB, Keys.ENTER, Keys.TAB).perform()
    assert browser.execute_script("return document.activeElement.id") == "email"
    ActionChains(browser).send_keys(g.DEMO["patient2"], Keys.TAB, g.DEMO_PASSWORD, Keys.ENTER).perform()
    g.wait_for_path(browser, "/dashboard")
    assert g.heading(browser) == "Hello, James Chen"


def test_every_header_control_is_reachable_by_tab(signed_in):
    driver = signed_in("caregiver")
    driver.get(g.url("/dashboard"))
    g.wait_ready(driver)
    seen = []
    body = driver.find_element(By.TAG_NAME, "body")
    for _ in range(10):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        el = driver.execute_script(ACTIVE)
        if el == body:
            break
        seen.append(el.get_attribute("textContent").strip())
    assert seen[:9] == ["Skip to main content", "Gonio", "Dashboard", "Visits", "Messages", "Notifications", "Exercises", "Password", "Sign out"], seen


def test_focused_controls_show_a_focus_ring(browser):
    browser.get(g.url("/login"))
    # Skip link, brand, Sign in, Create account, then the form's email, password and button.
    ActionChains(browser).send_keys(Keys.TAB * 7).perform()
    active = browser.execute_script(ACTIVE)
    assert active.get_attribute("type") == "submit" and active.text == "Sign in", active.get_attribute("outerHTML")
    style, width = browser.execute_script(
        "const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth];")
    assert style != "none" and width != "0px", (style, width)
