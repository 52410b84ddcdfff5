"""Issue 10: secure messaging. Maria writes to her care team about an exercise, with a photo;
the therapist sees it unread in the inbox, opens it and answers; Maria reads the answer. The
notice emails never carry the message (checked in the server tests)."""

import os
import struct
import tempfile
import zlib

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

import gonio_e2e as g


def png_file() -> str:
    """A real 8x8 PNG, written here."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes([11, 114, 133]) * 8 for _ in range(8))
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    path = os.path.join(tempfile.mkdtemp(), "knee.png")
    with open(path, "wb") as f:
        f.write(data)
    return path


def test_maria_and_her_therapist_message_each_other(new_browser):
    subject = g.unique("Knee feels warm")
    maria = new_browser()
    maria.set_window_size(390, 900)
    g.login(maria, g.DEMO["patient"])
    maria.find_element(By.LINK_TEXT, "Messages").click()
    g.wait_ready(maria)
    assert "Sharp pain during sit to stand" in g.main_text(maria), "the demo conversation"
    g.fill(maria, "subject", subject)
    g.fill(maria, "body", "My knee feels warm after the walk. Photo attached.")
    about = Select(maria.find_element(By.ID, "reference"))
    about.select_by_index(1)
    maria.find_element(By.ID, "photo").send_keys(png_file())
    assert not g.blocking(g.run_axe(maria, "messages-compose"))
    g.submit(maria, maria.find_element(By.XPATH, "//button[normalize-space()='Send']"))
    assert g.heading(maria) == subject
    assert "Your message is sent" in g.notice_text(maria)
    photo = maria.find_element(By.CSS_SELECTOR, "img.message-photo")
    WebDriverWait(maria, g.WAIT).until(lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", photo) == 8)
    assert "About: Exercise:" not in g.main_text(maria) and "About:" in g.main_text(maria)

    dana = new_browser()
    g.login(dana, g.DEMO["therapist"])
    dana.find_element(By.LINK_TEXT, "Messages").click()
    g.wait_ready(dana)
    row = dana.find_element(By.XPATH, "//li[a[normalize-space()='Maria Lopez']]")
    assert "unread" in row.text
    row.find_element(By.TAG_NAME, "a").click()
    g.wait_ready(dana)
    dana.find_element(By.LINK_TEXT, subject).click()
    g.wait_ready(dana)
    assert "My knee feels warm" in g.main_text(dana)
    g.fill(dana, "body", "Some warmth after walking is common. Ice for 10 minutes; tell me if it is red or hot to touch.")
    g.submit(dana, dana.find_element(By.XPATH, "//button[normalize-space()='Send']"))
    assert "Ice for 10 minutes" in g.main_text(dana)

    maria.refresh()
    g.wait_ready(maria)
    assert "Ice for 10 minutes" in g.main_text(maria)
    assert not g.blocking(g.run_axe(maria, "messages-thread"))
