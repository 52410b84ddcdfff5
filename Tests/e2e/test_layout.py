"""Layout checks a person would notice at desktop width."""

import pytest
from selenium.webdriver.common.by import By

import gonio_e2e as g

LEFT = "const r = arguments[0].getBoundingClientRect(); const s = getComputedStyle(arguments[0]); " \
       "return r.left + parseFloat(s.paddingLeft);"


@pytest.mark.parametrize("width", [1280])
def test_signed_in_as_lines_up_with_the_header(signed_in, width):
    driver = signed_in("caregiver")
    driver.set_window_size(width, 900)
    driver.get(g.url("/dashboard"))
    row = driver.find_element(By.CSS_SELECTOR, ".site-header .header-row")
    who = driver.find_element(By.CSS_SELECTOR, ".site-header .signed-in-as")
    main = driver.find_element(By.ID, "main")
    row_left, who_left, main_left = (driver.execute_script(LEFT, el) for el in (row, who, main))
    assert abs(row_left - main_left) < 1, (row_left, main_left)
    assert abs(who_left - row_left) < 1, f"'Signed in as' starts at {who_left}px, the header at {row_left}px"


@pytest.mark.parametrize("width", [320, 1280])
def test_page_content_lines_up_with_the_header_signed_out(signed_in, width):
    driver = signed_in(None)
    driver.set_window_size(width, 900)
    driver.get(g.url("/login"))
    row = driver.find_element(By.CSS_SELECTOR, ".site-header .header-row")
    main = driver.find_element(By.ID, "main")
    assert abs(driver.execute_script(LEFT, row) - driver.execute_script(LEFT, main)) < 1
