// Camera counting for the player. The pose model runs in this browser (MediaPipe Tasks Vision,
// loaded from where the clinic serves it: data.poseModel); only the body keypoints go to Gonio,
// over the counting socket, never the video. Gonio answers each frame with the count and, when
// a repetition ends, its range and any form cue. Where the model cannot load, the player keeps
// counting by tapping and says why. A recorded pose sequence can be replayed through the very
// same socket and screen (tests, demonstrations): window.gonioTracking.replay(frames).

const POINTS = 33; // BlazePose landmarks
const BONES = [[11, 12], [11, 13], [13, 15], [12, 14], [14, 16], [11, 23], [12, 24], [23, 24], [23, 25], [25, 27], [24, 26], [26, 28], [27, 31], [28, 32]];

/** Opens the counting socket for one exercise. `on.rep(message)`, `on.frame(message)`, `on.closed(reason)`. */
function openSocket(socketPath, spec, on) {
  const url = `${location.protocol === 'https:' ? 'wss://' : 'ws://'}${location.host}${socketPath}${socketPath.includes('?') ? '&' : '?'}exercise=${encodeURIComponent(spec)}&skeleton=blazepose33&space=image`;
  const ws = new WebSocket(url);
  const pending = [];
  ws.onopen = () => { for (const m of pending.splice(0)) ws.send(m); };
  ws.onmessage = (e) => {
    let m;
    try { m = JSON.parse(e.data); } catch (_) { return; }
    if (m.type === 'frame' && on.frame) on.frame(m);
    if (m.type === 'rep' && on.rep) on.rep(m);
  };
  ws.onclose = () => { if (on.closed) on.closed(); };
  return {
    send(frame) {
      const text = JSON.stringify(frame);
      if (ws.readyState === WebSocket.OPEN) ws.send(text); else if (ws.readyState === WebSocket.CONNECTING) pending.push(text);
    },
    close() { try { ws.close(); } catch (_) { /* already closed */ } },
  };
}

/** Draws the keypoints as a stick figure over the video (image coordinates in pixels). */
function drawSkeleton(canvas, points) {
  const g = canvas.getContext('2d');
  g.clearRect(0, 0, canvas.width, canvas.height);
  g.lineWidth = Math.max(3, canvas.width / 160);
  g.strokeStyle = '#0b7285';
  g.fillStyle = '#f08c00';
  for (const [a, b] of BONES) {
    const p = points[a], q = points[b];
    if (!p || !q || p[3] < 0.3 || q[3] < 0.3) continue;
    g.beginPath(); g.moveTo(p[0], p[1]); g.lineTo(q[0], q[1]); g.stroke();
  }
  for (const p of points) {
    if (!p || p[3] < 0.3) continue;
    g.beginPath(); g.arc(p[0], p[1], g.lineWidth * 1.2, 0, 2 * Math.PI); g.fill();
  }
}

/**
 * Runs the pose model on a playing `video` (the player's own camera, or the call's) and hands
 * each frame's keypoints in pixels to `onFrame({t, p})`, drawing them on `canvas` if given.
 * Resolves to `{ stop() }`; rejects with a plain reason when the model cannot load.
 */
export async function trackVideo(poseModel, video, onFrame, canvas) {
  if (!poseModel) throw new Error('Camera measuring is not set up on this Gonio yet. Your clinic can turn it on.');
  let vision;
  try {
    vision = await import(`${poseModel}/vision_bundle.mjs`);
  } catch (_) {
    throw new Error('The movement model could not be loaded (check the connection).');
  }
  let landmarker;
  try {
    const files = await vision.FilesetResolver.forVisionTasks(`${poseModel}/wasm`);
    landmarker = await vision.PoseLandmarker.createFromOptions(files, {
      baseOptions: { modelAssetPath: `${poseModel}/pose_landmarker_lite.task` }, runningMode: 'VIDEO', numPoses: 1,
    });
  } catch (_) {
    throw new Error('The movement model could not start on this device.');
  }
  let running = true;
  let last = -1;
  const loop = () => {
    if (!running) return;
    const now = performance.now();
    if (video.readyState >= 2 && video.currentTime !== last) {
      last = video.currentTime;
      const result = landmarker.detectForVideo(video, now);
      const marks = result && result.landmarks && result.landmarks[0];
      if (marks && marks.length === POINTS) {
        // Pixels, so the frame's proportions are kept (normalised x and y would squash angles).
        const w = video.videoWidth, hgt = video.videoHeight;
        const points = marks.map((m) => [m.x * w, m.y * hgt, 0, m.visibility ?? 1]);
        if (canvas) drawSkeleton(canvas, points);
        onFrame({ t: now / 1000, p: points });
      }
    }
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  return { stop() { running = false; landmarker.close(); } };
}

/**
 * Starts counting `step` (its motionSpec) with the camera into `view` (an element the module
 * fills with a video and an overlay). Resolves to a controller `{ stop() }`, or rejects with a
 * plain reason the player shows while it keeps counting by tapping.
 */
export async function startCamera(data, step, view, on) {
  if (!data.poseModel) throw new Error('Camera counting is not set up on this Gonio yet, so count by tapping. Your clinic can turn it on.');
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new Error('This browser cannot use the camera here. Count by tapping.');
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' }, audio: false });
  } catch (err) {
    throw new Error(err && err.name === 'NotAllowedError'
      ? 'The camera was not allowed. Count by tapping, or allow the camera in the browser settings.'
      : 'No camera could be started. Count by tapping.');
  }
  const video = document.createElement('video');
  video.muted = true; video.playsInline = true; video.srcObject = stream;
  video.setAttribute('aria-label', 'Your camera, with the tracked joints drawn on top');
  const canvas = document.createElement('canvas');
  canvas.className = 'tracking-overlay';
  canvas.setAttribute('aria-hidden', 'true');
  view.replaceChildren(video, canvas);
  const stopStream = () => { for (const track of stream.getTracks()) track.stop(); view.replaceChildren(); };
  let tracker;
  try {
    await video.play();
    canvas.width = video.videoWidth; canvas.height = video.videoHeight;
    const socket = openSocket(data.motionSocket, step.motionSpec, on);
    tracker = await trackVideo(data.poseModel, video, (frame) => socket.send(frame), canvas);
    return { stop() { tracker.stop(); socket.close(); stopStream(); } };
  } catch (err) {
    stopStream();
    throw new Error(`${err.message} Count by tapping.`);
  }
}

/**
 * Plays recorded frames (`[{t, p: [[x, y, z, visibility] x 33]}]`) at their own pace, handing
 * each to `onFrame` as if it came from the camera, drawn on `canvas` if given; `finished()`
 * after the last. Returns `{ stop() }`.
 */
export function replayFrames(frames, onFrame, canvas, finished) {
  let i = 0;
  let stopped = false;
  const start = performance.now(), t0 = frames.length ? frames[0].t : 0;
  const tick = () => {
    if (stopped) return;
    const elapsed = (performance.now() - start) / 1000;
    while (i < frames.length && frames[i].t - t0 <= elapsed) {
      if (canvas) drawSkeleton(canvas, frames[i].p);
      onFrame(frames[i]);
      i += 1;
    }
    if (i < frames.length) requestAnimationFrame(tick); else if (finished) setTimeout(finished, 300);
  };
  requestAnimationFrame(tick);
  return { stop() { stopped = true; } };
}

/**
 * Sends a recorded sequence of frames through the counting socket at their own pace, as if
 * they came from the camera.
 */
export function replay(data, step, frames, view, on) {
  const canvas = document.createElement('canvas');
  canvas.className = 'tracking-overlay replay';
  canvas.width = 640; canvas.height = 480;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', 'A recorded movement, replayed');
  view.replaceChildren(canvas);
  const socket = openSocket(data.motionSocket, step.motionSpec, on);
  const player = replayFrames(frames, (frame) => socket.send(frame), canvas, on.finished);
  return { stop() { player.stop(); socket.close(); view.replaceChildren(); } };
}
