"""Video visits: the demo therapist and Maria meet in a live call.

Maria (on a 375 px phone) checks her camera, microphone and sound, says where she is (first a
state where her therapist holds no licence, which is refused, then California) and waits; the
therapist sees her arrive and admits her by keyboard; each receives the other's video; her
chat message reaches the therapist; the therapist ends the visit and both pages release the
camera and microphone. An interpreter Maria invited opens the private link without an account,
waits, and is let in. Someone signed in but not in the visit is refused, page and socket alike.

The server must let people join any booked visit now: the runner starts it with a large
GONIO_CALL_EARLY_MINUTES (the default lets them in 10 minutes before the start). Chromium
gets fake camera and microphone devices (`g.new_driver(media=True)`); on loopback the two
browsers connect with host candidates, no STUN or TURN needed.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

import gonio_e2e as g

MEDIA_WAIT = 20  # seconds for the first decoded video frames on a busy 2-core machine
CHAT = "My knee feels better today"


# ---- The API, for finding (or, on a re-run, booking) the visit ---------------------------------

def api(method: str, path: str, token: str | None = None, body: dict | None = None):
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    request = urllib.request.Request(g.url(path), data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            text = response.read()
    except urllib.error.HTTPError as err:
        raise AssertionError(f"{method} {path} answered {err.code}: {err.read().decode()[:500]}") from None
    return json.loads(text) if text else None


def token(email: str) -> str:
    return api("POST", "/api/v1/auth/token", body={"email": email, "password": g.DEMO_PASSWORD})["token"]


def marias_visits() -> list[dict]:
    return api("GET", "/api/v1/visits", token(g.DEMO["patient"]))["items"]


def next_video_visit() -> str:
    """Maria's next booked video visit. Ending a call completes its visit, so a second run
    against the same server finds none left: then the therapist books one at the first open
    slot, through the same API as the visits page."""
    visits = marias_visits()
    booked = sorted((v for v in visits if v["status"] == "booked" and v["modality"] == "video"), key=lambda v: v["start"])
    if booked:
        return booked[0]["id"]
    assert visits, "Maria has no visits at all: start the server with fresh demo data (see README.md)"
    therapist = token(g.DEMO["therapist"])
    therapist_id, patient_id = visits[0]["therapistId"], visits[0]["patientId"]
    slots = api("GET", f"/api/v1/therapists/{therapist_id}/slots?visitType=follow-up", therapist)
    slot = next((s for s in slots if s["modality"] in ("video", "either")), None)
    assert slot, "the demo therapist has no open video slot in the next two weeks"
    visit = api("POST", "/api/v1/visits", therapist, {
        "therapistId": therapist_id, "patientId": patient_id, "start": slot["start"], "visitType": "follow-up",
        "modality": "video", "patientLocation": {"country": "US", "region": "CA"}})
    return visit["id"]


# ---- Browsers with a fake camera and microphone ------------------------------------------------

@pytest.fixture
def media_browser(request):
    """Like `new_browser`, with fake media devices and the console kept."""
    made = []

    def make():
        driver = g.new_driver(media=True)
        made.append(driver)
        # conftest.py saves a screenshot and the HTML of these when the test fails.
        request.node._e2e_drivers = getattr(request.node, "_e2e_drivers", []) + [driver]
        return driver

    yield make
    for driver in made:
        driver.quit()


def state(driver) -> str | None:
    try:
        return driver.execute_script("return window.gonioCall ? window.gonioCall.state() : null")
    except WebDriverException:
        return None


def wait_state(driver, wanted: str, timeout: float = g.WAIT) -> None:
    try:
        WebDriverWait(driver, timeout).until(lambda d: state(d) == wanted)
    except Exception:
        raise AssertionError(f"expected call state {wanted!r}, still {state(driver)!r}\n{g.main_text(driver)[:800]}") from None


def stats(driver) -> dict:
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1]; window.gonioCall.stats().then(done, (e) => done({error: String(e)}));")


def wait_for_video(driver, who: str) -> dict:
    try:
        WebDriverWait(driver, MEDIA_WAIT, poll_frequency=0.5).until(lambda d: stats(d).get("framesDecoded", 0) > 0)
    except Exception:
        raise AssertionError(f"{who} decoded no video in {MEDIA_WAIT} s: {stats(driver)}") from None
    return stats(driver)


def press(driver, element_id: str) -> None:
    button = driver.find_element(By.ID, element_id)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()


def text_of(driver, element_id: str) -> str:
    return driver.find_element(By.ID, element_id).get_attribute("textContent").strip()


def open_call(driver, visit_id: str) -> None:
    driver.get(g.url(f"/visits/{visit_id}/call"))
    g.wait_ready(driver)
    wait_state(driver, "check")
    assert not driver.find_element(By.CSS_SELECTOR, "[data-call-fallback]").is_displayed(), "the no-JavaScript message is hidden"


def start_devices(driver) -> None:
    press(driver, "media-start")
    WebDriverWait(driver, g.WAIT).until(lambda d: d.find_element(By.ID, "join").is_displayed())
    assert not driver.find_element(By.ID, "media-problem").is_displayed(), text_of(driver, "media-problem")


# ---- The visit ---------------------------------------------------------------------------------

def test_therapist_and_patient_meet_in_a_video_visit(media_browser):
    visit_id = next_video_visit()
    therapist, patient = media_browser(), media_browser()
    g.login(therapist, g.DEMO["therapist"])
    g.login(patient, g.DEMO["patient"])
    for driver in (therapist, patient):
        g.console_errors(driver)  # only the call page's own messages count below
    patient.set_window_size(375, 800)
    assert patient.execute_script("return window.innerWidth") == 375

    # Maria's device check, on her phone.
    open_call(patient, visit_id)
    assert "Dana Whitaker" in g.heading(patient)
    WebDriverWait(patient, g.WAIT).until(lambda d: "Checking" not in text_of(d, "net-result"))
    assert text_of(patient, "net-result").startswith(("Good", "Fair", "Slow")), text_of(patient, "net-result")
    start_devices(patient)
    WebDriverWait(patient, g.WAIT).until(lambda d: d.execute_script("return document.getElementById('self-video').videoWidth > 0"))
    # Chromium's fake microphone beeps: the meter hears it.
    WebDriverWait(patient, 12).until(lambda d: "we can hear you" in text_of(d, "mic-result"))
    press(patient, "tone-play")
    WebDriverWait(patient, g.WAIT).until(lambda d: d.find_element(By.ID, "tone-ask").is_displayed())
    press(patient, "tone-yes")
    assert text_of(patient, "tone-result") == "Good: your sound works."
    location = Select(patient.find_element(By.ID, "call-location"))
    assert location.first_selected_option.text == "California", "preselected from the booking"
    assert "licensed where you are" in text_of(patient, "location-hint")
    assert not g.blocking(g.run_axe(patient, "video-check"))
    assert patient.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")

    # Somewhere her therapist holds no licence: the server refuses, the page says why and
    # keeps the check so she can correct it.
    location.select_by_visible_text("New York")
    press(patient, "join")
    wait_state(patient, "refused")
    assert "New York" in text_of(patient, "location-error")
    assert patient.execute_script("return document.activeElement.id") == "call-location"
    assert patient.find_element(By.ID, "check").is_displayed()
    location.select_by_visible_text("California")

    # The therapist starts the visit; Maria joins and waits.
    open_call(therapist, visit_id)
    assert not therapist.find_element(By.ID, "location-field").is_displayed(), "only the patient says where they are"
    start_devices(therapist)
    assert text_of(therapist, "join") == "Start the visit"
    press(therapist, "join")
    wait_state(therapist, "in-call")
    press(patient, "join")
    wait_state(patient, "waiting")
    assert "Your therapist will let you in shortly" in text_of(patient, "waiting-note")
    assert patient.find_element(By.ID, "self-video").is_displayed()
    assert not patient.find_element(By.ID, "chat").is_displayed(), "no chat before being let in"

    # The therapist hears that Maria is waiting and admits her with the keyboard.
    WebDriverWait(therapist, g.WAIT).until(lambda d: "Maria Lopez" in text_of(d, "waiting-list"))
    WebDriverWait(therapist, g.WAIT).until(lambda d: "Maria Lopez is waiting" in text_of(d, "call-live"))
    admit = therapist.find_element(By.XPATH, "//ul[@id='waiting-list']//button[normalize-space()='Admit Maria Lopez']")
    assert not g.blocking(g.run_axe(therapist, "video-host-waiting"))
    admit.send_keys(Keys.ENTER)
    wait_state(patient, "in-call")

    # Each receives the other's video.
    host_sees = wait_for_video(therapist, "the therapist")
    patient_sees = wait_for_video(patient, "the patient")
    assert host_sees["peers"] == 1 and patient_sees["peers"] == 1, (host_sees, patient_sees)
    assert host_sees["framesSent"] > 0 and patient_sees["framesSent"] > 0
    assert "Maria Lopez" in therapist.find_element(By.CSS_SELECTOR, ".remote-tile figcaption").text
    assert "Dana Whitaker" in patient.find_element(By.CSS_SELECTOR, ".remote-tile figcaption").text

    # Maria's chat message reaches the therapist.
    patient.find_element(By.ID, "chat-text").send_keys(CHAT + Keys.ENTER)
    WebDriverWait(therapist, g.WAIT).until(lambda d: CHAT in d.execute_script("return window.gonioCall.chatTexts()"))
    assert CHAT in therapist.find_element(By.ID, "chat-log").text
    assert CHAT in patient.find_element(By.ID, "chat-log").text, "the sender sees it too"

    # Her muting shows on the therapist's side.
    press(patient, "mute")
    WebDriverWait(therapist, g.WAIT).until(
        lambda d: "microphone off" in d.find_element(By.CSS_SELECTOR, ".remote-tile figcaption").text)
    press(patient, "mute")

    assert not g.blocking(g.run_axe(patient, "video-call"))
    assert patient.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    for driver, who in ((therapist, "therapist"), (patient, "patient")):
        assert not g.console_errors(driver), f"console errors on the {who}'s page: {g.console_errors(driver)}"

    # The therapist ends the visit (after confirming); both pages stop their camera and microphone.
    press(therapist, "end")
    assert therapist.execute_script("return document.activeElement.id") == "end-question"
    press(therapist, "end-yes")
    for driver in (therapist, patient):
        wait_state(driver, "ended")
        assert text_of(driver, "over-title") == "The visit has ended"
        assert driver.execute_script("return window.gonioCall.liveTracks()") == 0
        assert not driver.find_elements(By.CSS_SELECTOR, ".remote-tile")
    note = therapist.find_element(By.LINK_TEXT, "Write the visit note")
    assert "/notes/new" in note.get_attribute("href")
    assert not patient.find_elements(By.LINK_TEXT, "Write the visit note")

    # The visit is recorded as done.
    visit = next(v for v in marias_visits() if v["id"] == visit_id)
    assert visit["status"] == "completed", visit


def test_an_interpreter_with_a_link_is_let_in(media_browser):
    """Maria invites an interpreter (withdrawing her caregiver's invitation first: a visit has
    one guest); the interpreter opens the link with no account, checks their devices and
    waits; the therapist lets them in and each sees the other's video."""
    visit_id = next_video_visit()
    maria = token(g.DEMO["patient"])
    for guest in api("GET", f"/api/v1/visits/{visit_id}/guests", maria):
        api("DELETE", f"/api/v1/visits/{visit_id}/guests/{guest['id']}", maria)
    name = g.unique("Luis Interpreter")
    link = api("POST", f"/api/v1/visits/{visit_id}/guests", maria, {"kind": "interpreter", "name": name})["link"]
    path = "/join/" + link.rsplit("/", 1)[-1]

    therapist, guest = media_browser(), media_browser()
    g.login(therapist, g.DEMO["therapist"])
    open_call(therapist, visit_id)
    start_devices(therapist)
    press(therapist, "join")
    wait_state(therapist, "in-call")

    guest.get(g.url(path))
    g.wait_ready(guest)
    wait_state(guest, "check")
    assert "Dana Whitaker" in g.heading(guest)
    assert "Maria" not in g.main_text(guest), "the link does not name the patient"
    assert not guest.find_element(By.ID, "location-field").is_displayed(), "only the patient's side says where the patient is"
    start_devices(guest)
    press(guest, "join")
    wait_state(guest, "waiting")
    WebDriverWait(therapist, g.WAIT).until(lambda d: name in text_of(d, "waiting-list"))
    therapist.find_element(By.XPATH, f"//ul[@id='waiting-list']//button[normalize-space()='Admit {name}']").click()
    wait_state(guest, "in-call")
    assert wait_for_video(guest, "the interpreter")["peers"] == 1
    assert wait_for_video(therapist, "the therapist")["peers"] == 1
    assert "interpreter" in therapist.find_element(By.CSS_SELECTOR, ".remote-tile figcaption").text
    assert not g.blocking(g.run_axe(guest, "video-guest"))
    press(therapist, "end")
    press(therapist, "end-yes")
    wait_state(guest, "ended")

    # The link works only while the invitation stands.
    api("DELETE", f"/api/v1/visits/{visit_id}/guests/{api('GET', f'/api/v1/visits/{visit_id}/guests', maria)[0]['id']}", maria)
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(urllib.request.Request(g.url(path)), timeout=10)
    assert gone.value.code == 404


def test_someone_not_in_the_visit_is_refused(media_browser):
    """James, another patient of the same therapist, is signed in but not part of Maria's
    visit: the page answers 404 with no video, and the signalling socket lets him in neither."""
    video = [v for v in marias_visits() if v["modality"] == "video"]
    assert video, "Maria has no video visit: start the server with fresh demo data"
    visit_id = video[0]["id"]
    carer = media_browser()
    g.login(carer, g.DEMO["patient2"])

    carer.get(g.url(f"/visits/{visit_id}/call"))
    g.wait_ready(carer)
    assert g.heading(carer) == "Page not found"
    assert not carer.find_elements(By.TAG_NAME, "video")
    assert carer.execute_script("return window.gonioCall === undefined")

    cookie = carer.get_cookie("gonio_session")
    assert cookie, "signed in"
    request = urllib.request.Request(g.url(f"/visits/{visit_id}/call"), headers={"Cookie": f"gonio_session={cookie['value']}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 404

    # The socket, from a page of the same site (so the browser sends her session cookie).
    seen = carer.execute_async_script("""
        const [path, done] = [arguments[0], arguments[arguments.length - 1]];
        const seen = [];
        const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + path);
        ws.onopen = () => { seen.push('open'); ws.send(JSON.stringify({type: 'join', location: 'US-CA'})); };
        ws.onmessage = (e) => { try { seen.push(JSON.parse(e.data).type); } catch (_) { seen.push('?'); } };
        ws.onclose = () => { seen.push('closed'); done(seen); };
        setTimeout(() => done(seen), 5000);
    """, f"/visits/{visit_id}/signal")
    assert "welcome" not in seen, seen


def test_the_therapist_measures_a_movement_in_the_visit(media_browser):
    """The virtual goniometer (issue 9): the therapist asks to measure Maria's seated knee
    extension; on this server no pose model is set up, so her page says so and the therapist
    hears why; then a recorded movement stands in for her camera, goes over the call's socket,
    and the therapist watches the knee's angle and the count, stops, and gets the reading in
    words for the note. Maria sees the same."""
    from test_motion import knee_extensions

    visit_id = next_video_visit()
    therapist, patient = media_browser(), media_browser()
    g.login(therapist, g.DEMO["therapist"])
    g.login(patient, g.DEMO["patient"])
    open_call(therapist, visit_id)
    start_devices(therapist)
    press(therapist, "join")
    wait_state(therapist, "in-call")
    assert therapist.find_element(By.ID, "measure-form").is_displayed(), "the therapist can measure once in the call"
    open_call(patient, visit_id)
    start_devices(patient)
    press(patient, "join")
    # Let in earlier in this visit (a rerun against the same server), she comes straight back in.
    WebDriverWait(patient, g.WAIT).until(lambda d: state(d) in ("waiting", "in-call"))
    if state(patient) == "waiting":
        WebDriverWait(therapist, g.WAIT).until(lambda d: "Maria Lopez" in text_of(d, "waiting-list"))
        therapist.find_element(By.XPATH, "//ul[@id='waiting-list']//button[normalize-space()='Admit Maria Lopez']").click()
    wait_state(patient, "in-call")
    assert not patient.find_element(By.ID, "measure").is_displayed(), "nothing to measure until asked"

    def ask():
        Select(therapist.find_element(By.ID, "measure-exercise")).select_by_value("seated-knee-extension")
        Select(therapist.find_element(By.ID, "measure-side")).select_by_value("right")
        press(therapist, "measure-ask")
        WebDriverWait(patient, g.WAIT).until(lambda d: d.find_element(By.ID, "measure-request").is_displayed())
        assert "seated knee extension (right side)" in text_of(patient, "measure-request-text")
        assert patient.execute_script("return document.activeElement.id") == "measure-start"

    # No pose model on this server: Maria's page says so, and so does the therapist's.
    ask()
    press(patient, "measure-start")
    WebDriverWait(patient, g.WAIT).until(lambda d: "not set up" in text_of(d, "measure-status"))
    WebDriverWait(therapist, g.WAIT).until(lambda d: "did not start measuring: Camera measuring is not set up" in text_of(d, "measure-status"))
    assert not therapist.find_element(By.ID, "measure-ask").get_attribute("disabled")

    # A recording stands in for her camera: three extensions.
    patient.execute_script("window.gonioCall.useRecording(arguments[0])", knee_extensions(3))
    ask()
    assert not g.blocking(g.run_axe(patient, "video-measure-ask"))
    press(patient, "measure-start")
    WebDriverWait(therapist, g.WAIT).until(lambda d: d.find_element(By.ID, "measure-live").is_displayed())
    assert "Measuring Maria Lopez: seated knee extension" in text_of(therapist, "measure-what")
    WebDriverWait(therapist, 30).until(lambda d: text_of(d, "measure-reps") == "3")
    assert text_of(therapist, "measure-right").endswith("°")
    assert "Range held: Right" in text_of(therapist, "measure-range"), text_of(therapist, "measure-range")
    assert text_of(therapist, "measure-last").startswith("Repetition 3:")
    assert text_of(patient, "measure-reps") == "3", "Maria sees her count too"
    assert not g.blocking(g.run_axe(therapist, "video-measure-live"))

    press(therapist, "measure-stop")
    WebDriverWait(therapist, g.WAIT).until(lambda d: d.find_element(By.ID, "measure-results-area").is_displayed())
    result = text_of(therapist, "measure-results")
    assert "Maria Lopez: Seated knee extension: 3 repetitions. Knee flexion, right " in result, result
    assert "Copy for the note" in result
    WebDriverWait(patient, g.WAIT).until(lambda d: "Seated knee extension: 3 repetitions" in text_of(d, "measure-results"))
    for driver, who in ((therapist, "therapist"), (patient, "patient")):
        assert not g.console_errors(driver), f"console errors on the {who}'s page: {g.console_errors(driver)}"
    press(patient, "leave")
    press(therapist, "leave")

    # The reading is kept with the visit: Maria's visits page shows it.
    patient.get(g.url("/visits"))
    g.wait_ready(patient)
    WebDriverWait(patient, g.WAIT).until(lambda d: "Seated knee extension: 3 repetitions" in g.main_text(d))
