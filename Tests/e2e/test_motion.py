"""Issue 9: camera counting in the guided player. This server has no pose model configured, so
the camera button says so and tapping keeps working; a recorded movement (BlazePose keypoints
made here: seated knee extensions) replayed through the page goes over the counting socket, each
repetition Gonio counts moves the big counter, and the log keeps what was counted."""

import json
import math
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import gonio_e2e as g
from test_practice import click, heading_is, knee_patient, pick, rate


def knee_extensions(reps: int, fps: int = 30) -> list:
    """A person seated side-on, the right knee straightening `reps` times (image pixels, y down)."""
    frames, t = [], 0.0

    def pose(flexion: float) -> list:
        p = [[0, 0, 0, 0.0] for _ in range(33)]
        hip, knee = (300.0, 300.0), (420.0, 300.0)
        for i, xy in ((11, (300, 150)), (12, (300, 150)), (23, hip), (24, hip), (25, knee), (26, knee), (0, (310, 90))):
            p[i] = [xy[0], xy[1], 0, 0.95]
        for i, f in ((27, 90.0), (28, flexion)):  # left ankle still, right one moving
            phi = math.radians(90 - f)
            p[i] = [knee[0] + 120 * math.sin(phi), knee[1] + 120 * math.cos(phi), 0, 0.95]
        return p

    for _ in range(int(0.8 * fps)):
        frames.append({"t": round(t, 4), "p": pose(90)}); t += 1 / fps
    for _ in range(reps):
        n = 2 * fps
        for k in range(n):
            frames.append({"t": round(t, 4), "p": pose(90 - 80 * (1 - math.cos(2 * math.pi * k / n)) / 2)}); t += 1 / fps
        for _ in range(int(0.6 * fps)):
            frames.append({"t": round(t, 4), "p": pose(90)}); t += 1 / fps
    return frames


def api(method, path, token, body=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(g.url(path), method=method, data=json.dumps(body).encode() if body else None, headers=headers)
    with urllib.request.urlopen(request, timeout=15) as r:
        return json.loads(r.read() or b"null")


def test_camera_counting_replayed_through_the_player(new_browser):
    patient, admin, therapist = new_browser(), new_browser(), new_browser()
    patient_id = knee_patient(patient, admin, therapist, f"Rosa {g.unique('Motion')}", g.unique_email("motion"))

    patient.get(g.url(f"/patients/{patient_id}/practice/player"))
    g.wait_ready(patient)
    heading_is(patient, "Today:")
    steps = json.loads(patient.find_element(By.ID, "player-data").get_attribute("textContent"))["steps"]
    tracked = next(i for i, s in enumerate(steps) if s.get("motionSpec") == "seated-knee-extension")
    pick(patient, 0, 1)
    click(patient, "Start")
    for i in range(tracked):
        heading_is(patient, steps[i]["name"])
        click(patient, "Skip this exercise")
    heading_is(patient, steps[tracked]["name"])
    click(patient, "Begin")

    # No pose model on this server: the page says so, and the big button still counts.
    click(patient, "Count with the camera")
    status = patient.find_element(By.CSS_SELECTOR, ".tracking-status")
    WebDriverWait(patient, g.WAIT).until(lambda d: "not set up" in status.text)
    assert "count by tapping" in status.text.lower()
    assert patient.find_element(By.CSS_SELECTOR, ".counter").text.startswith("0 /"), "the big button is still there to tap"

    # A recorded movement through the same socket and screen: four counted repetitions.
    patient.execute_script("window.gonioTracking.replay(arguments[0])", knee_extensions(4))
    WebDriverWait(patient, 25).until(lambda d: d.execute_script("return window.gonioTracking.counted()") == 4)
    assert patient.find_element(By.CSS_SELECTOR, ".counter").text.startswith("4 /"), "each counted repetition moves the counter"
    assert patient.find_element(By.CSS_SELECTOR, "canvas.tracking-overlay").is_displayed()
    assert not g.blocking(g.run_axe(patient, "player-tracking"))
    click(patient, "Finish this exercise now")
    heading_is(patient, "how was it?")
    rate(patient, 1, 1, effort=4)

    # The log keeps what the camera counted.
    token = api("POST", "/api/v1/auth/token", None, {"email": g.DEMO["therapist"], "password": g.DEMO_PASSWORD})["token"]
    def tracked_log():
        logs = api("GET", f"/api/v1/patients/{patient_id}/logs", token)["items"]
        return next((l for l in logs if l.get("motion")), None)
    WebDriverWait(patient, g.WAIT).until(lambda d: tracked_log() is not None)
    motion = tracked_log()["motion"]
    assert motion["spec"] == "seated-knee-extension" and motion["repsCounted"] == 4 and motion["source"] == "camera", motion
    assert motion["romMax"] - motion["romMin"] > 60, motion
