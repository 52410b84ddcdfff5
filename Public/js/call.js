// Video visits: the device check, the waiting room and the call itself. The therapist, the
// patient and at most one more person are each connected to each other (a small mesh). The
// server only relays signalling messages over a WebSocket (see CallRoutes.swift); sound and
// video go from browser to browser, or through the TURN server the server names. Nothing is
// loaded from anywhere else, and no STUN server is assumed: only the `iceServers` we are sent.

import { setUpGoniometer } from './goniometer.js';

const data = JSON.parse(document.getElementById('call-data').textContent);
const $ = (id) => document.getElementById(id);

// The automatic low-data mode, from what the connection says it can send (bits per second).
const LOW_VIDEO_BELOW = 300_000;
const SOUND_ONLY_BELOW = 120_000;
const RANK = { audio: 0, low: 1, full: 2 };
const RECONNECT_DELAYS = [1, 2, 4, 8, 15]; // seconds; the last repeats
const KEEPALIVE_MS = 20_000;
const SAMPLE_MS = 5_000;
// Modest sizes: enough to watch a movement, light enough for an older phone.
const CAMERA = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24, max: 30 } };
const MIC = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
const ROLE_NAMES = { therapist: 'therapist', patient: 'patient', caregiver: 'caregiver', interpreter: 'interpreter' };

// ---- Small helpers ---------------------------------------------------------------------------

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'on') for (const [event, fn] of Object.entries(v)) node.addEventListener(event, fn);
    else if (k === 'class') node.className = v;
    else if (v !== false && v != null) node.setAttribute(k, v === true ? '' : v);
  }
  for (const child of children.flat()) if (child != null) node.append(child.nodeType ? child : String(child));
  return node;
}

const live = $('call-live');
let announceTimer;
/** Says something to screen-reader users without moving their focus. */
function announce(text) {
  // Emptied first, so the same sentence twice is still read out.
  clearTimeout(announceTimer);
  live.textContent = '';
  announceTimer = setTimeout(() => { live.textContent = text; }, 60);
}

function setStatus(text, tone = '') {
  const status = $('call-status');
  status.textContent = text;
  status.dataset.tone = tone;
  status.hidden = !text;
}

function showAlert(text) {
  $('call-alert-text').textContent = text || '';
  $('call-alert').hidden = !text;
}

function focusOn(node) {
  node.setAttribute('tabindex', '-1');
  node.focus();
}

function roleName(role) { return ROLE_NAMES[role] || 'guest'; }
function pad(n) { return String(n).padStart(2, '0'); }
function clock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(s / 3600);
  return hours ? `${hours}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}` : `${Math.floor(s / 60)}:${pad(s % 60)}`;
}
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
function socketURL() {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${data.socketPath}`;
}
const quiet = () => {}; // for promises whose failure is already shown another way

// ---- State -----------------------------------------------------------------------------------

// check | connecting | waiting | in-call | reconnecting | refused | ended | left | replaced |
// closed | unsupported (window.gonioCall.state() reports it to tests).
let state = 'check';
function setState(next) {
  state = next;
  $('call').dataset.state = next;
}

const call = {
  selfId: null,
  admitted: false,
  location: null,
  iceServers: [],
  links: new Map(),        // peer id -> PeerLink, for everyone we exchange media with
  people: new Map(),       // peer id -> {name, role}, everyone we have heard of
  waiting: new Map(),      // peer id -> list item (host only)
  letInBefore: new Set(),  // "role|name" of people the host let in on this page
  startedAt: null,         // when the first person was let in: the visit timer counts from it
  mode: 'auto',            // the person's choice: auto | low | audio
  chat: [],                // texts, in order (for tests)
};

const media = {
  audio: null,        // the microphone track
  video: null,        // the camera track
  screen: null,       // the shared screen (host only)
  cameraWanted: true, // the person's own choice with the camera button
  cameras: [],
  facing: 'user',
};

// The automatic low-data mode: the level it chose and when, for stepping back up carefully.
const auto = { level: 'full', downVotes: 0, changedAt: 0, wait: 30_000 };

function level() {
  return call.mode === 'auto' ? auto.level : call.mode;
}

// ---- Local media ---------------------------------------------------------------------------

async function getTrack(kind, deviceId) {
  const video = { ...CAMERA, ...(deviceId ? { deviceId: { exact: deviceId } } : { facingMode: media.facing }) };
  const stream = await navigator.mediaDevices.getUserMedia(kind === 'audio' ? { audio: MIC } : { video });
  return stream.getTracks()[0];
}

/** Plain advice for a camera or microphone that did not start. */
function mediaReason(err, device) {
  switch (err && err.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return `Your browser is not letting this page use your ${device}. Select the camera or lock symbol next to the web address, choose Allow, then select “Try again”.`;
    case 'NotFoundError':
    case 'OverconstrainedError':
      return `We could not find a ${device} on this device.`;
    case 'NotReadableError':
    case 'AbortError':
      return `Your ${device} is being used by another app, such as Zoom, FaceTime or WhatsApp. Close that app, then select “Try again”.`;
    default:
      return `Your ${device} could not be started.`;
  }
}

function stopLocalTracks() {
  for (const key of ['audio', 'video', 'screen']) {
    if (media[key]) media[key].stop();
    media[key] = null;
  }
}

/** The video we send: the shared screen, else the camera, unless the connection is too slow. */
function outgoingVideo() {
  if (media.screen) return media.screen;
  return level() === 'audio' ? null : media.video;
}

/** Opens or closes the camera to match the person's choice and the sound-only mode. */
async function matchCamera() {
  const want = media.cameraWanted && call.mode !== 'audio';
  if (!want && media.video) {
    media.video.stop(); // the camera light goes off too
    media.video = null;
  } else if (want && !media.video) {
    try {
      media.video = await getTrack('video');
      watchEnded(media.video);
    } catch (err) {
      media.cameraWanted = false;
      showAlert(mediaReason(err, 'camera'));
    }
  }
}

// A device unplugged or taken by the system: say so rather than freeze.
function watchEnded(track) {
  track.addEventListener('ended', () => {
    if (state === 'ended' || state === 'left') return;
    if (track === media.video) { media.video = null; media.cameraWanted = false; announce('Your camera stopped.'); }
    if (track === media.audio) { media.audio = null; announce('Your microphone stopped.'); }
    updateOutgoing();
  });
}

/** Shows what we send, and tells every connection about it. */
function updateOutgoing() {
  const preview = media.screen || media.video;
  const self = $('self-video');
  if (preview) {
    if (!self.srcObject || self.srcObject.getVideoTracks()[0] !== preview) self.srcObject = new MediaStream([preview]);
    self.play().catch(quiet);
  } else {
    self.srcObject = null;
  }
  const facing = preview && preview.getSettings ? preview.getSettings().facingMode : undefined;
  // A mirror image feels natural for the front camera only.
  self.classList.toggle('mirrored', !!preview && !media.screen && facing !== 'environment');
  const flags = [];
  if (!media.audio) flags.push('no microphone');
  else if (!media.audio.enabled) flags.push('microphone off');
  if (media.screen) flags.push('sharing your screen');
  else if (!media.video) flags.push('camera off');
  else if (level() === 'audio') flags.push('video paused to keep the sound clear');
  $('self-caption').textContent = flags.length ? `You: ${flags.join(', ')}` : 'You';
  $('self-off').hidden = !!preview;
  for (const link of call.links.values()) link.applyTracks();
  updateControls();
}

async function refreshCameras() {
  try {
    const devices = await navigator.mediaDevices.enumerateDevices();
    media.cameras = devices.filter((d) => d.kind === 'videoinput');
  } catch { media.cameras = []; }
  const many = media.cameras.length > 1;
  $('check-switch').hidden = !many || !media.video;
  $('switch-camera').hidden = !many;
  updateControls();
}

async function switchCamera() {
  const current = media.video && media.video.getSettings().deviceId;
  const index = media.cameras.findIndex((d) => d.deviceId === current);
  const next = media.cameras[(index + 1) % media.cameras.length];
  // Many phones cannot open two cameras at once: close this one first.
  if (media.video) { media.video.stop(); media.video = null; }
  media.facing = media.facing === 'user' ? 'environment' : 'user';
  try {
    // Without device ids (some browsers hide them), the front/back choice is the fallback.
    media.video = await getTrack('video', next && next.deviceId ? next.deviceId : undefined);
  } catch {
    try { media.video = await getTrack('video'); } catch (err) { showAlert(mediaReason(err, 'camera')); }
  }
  if (media.video) { watchEnded(media.video); media.cameraWanted = true; announce('Camera switched.'); }
  updateOutgoing();
}

// ---- Sound: one audio context for the meter, the test tone and the host's chime ----------------

let audioContext;
function audio() {
  if (!audioContext) audioContext = new (window.AudioContext || window.webkitAudioContext)();
  if (audioContext.state === 'suspended') audioContext.resume().catch(quiet);
  return audioContext;
}

/** Plays rising notes; `notes` are frequencies in Hz, each `step` seconds long. */
function tone(notes, step = 0.35, volume = 0.25) {
  try {
    const ctx = audio();
    const now = ctx.currentTime + 0.05;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    notes.forEach((f, i) => osc.frequency.setValueAtTime(f, now + i * step));
    const end = now + notes.length * step;
    gain.gain.setValueAtTime(0.0001, now);
    gain.gain.exponentialRampToValueAtTime(volume, now + 0.04);
    gain.gain.setValueAtTime(volume, end - 0.08);
    gain.gain.exponentialRampToValueAtTime(0.0001, end);
    osc.connect(gain).connect(ctx.destination);
    osc.start(now);
    osc.stop(end + 0.02);
    return true;
  } catch { return false; }
}

let meter = null;
function startMeter(track) {
  stopMeter();
  const result = $('mic-result');
  if (!track) { result.textContent = 'No microphone is on.'; return; }
  try {
    const ctx = audio();
    const source = ctx.createMediaStreamSource(new MediaStream([track]));
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 1024;
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const started = performance.now();
    let heard = false;
    let warned = false;
    let last = 0;
    result.textContent = 'Say something. The bar moves when we can hear you.';
    const tick = (now) => {
      meter.frame = requestAnimationFrame(tick);
      if (now - last < 100) return; // ten updates a second are plenty, and spare the battery
      last = now;
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const v of samples) sum += v * v;
      const value = Math.min(1, Math.sqrt(sum / samples.length) * 6);
      $('mic-meter').value = value;
      if (!heard && value > 0.08) {
        heard = true;
        result.textContent = 'Good: we can hear you.';
      } else if (!heard && !warned && now - started > 10_000) {
        warned = true;
        result.textContent = 'We cannot hear you yet. Check that your microphone is not muted and that the right one is chosen in your device settings.';
      }
    };
    meter = { source, frame: requestAnimationFrame(tick) };
  } catch {
    result.textContent = 'This browser cannot show the microphone level, but your microphone is on.';
  }
}

function stopMeter() {
  if (!meter) return;
  cancelAnimationFrame(meter.frame);
  try { meter.source.disconnect(); } catch { /* already gone */ }
  meter = null;
}

// ---- The device check ------------------------------------------------------------------------

async function startDevices() {
  const start = $('media-start');
  start.disabled = true;
  showAlert('');
  $('media-problem').hidden = true;
  $('media-state').textContent = 'Starting your camera and microphone…';
  stopMeter();
  stopLocalTracks();
  let cameraError = null;
  let micError = null;
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: MIC, video: { ...CAMERA, facingMode: media.facing } });
    media.audio = stream.getAudioTracks()[0] || null;
    media.video = stream.getVideoTracks()[0] || null;
  } catch (err) {
    if (err.name === 'NotAllowedError' || err.name === 'SecurityError') {
      cameraError = micError = err;
    } else {
      // One of them is missing or busy: the other may still work on its own.
      try { media.audio = await getTrack('audio'); } catch (e) { micError = e; }
      try { media.video = await getTrack('video'); } catch (e) { cameraError = e; }
    }
  }
  for (const track of [media.audio, media.video]) if (track) watchEnded(track);
  media.cameraWanted = !!media.video;
  start.disabled = false;
  start.textContent = 'Try again';
  start.hidden = !(cameraError || micError);
  $('media-hint').hidden = start.hidden;

  const problem = [];
  let join;
  if (cameraError && micError && cameraError === micError) {
    problem.push(mediaReason(cameraError, 'camera and microphone'));
  } else {
    if (cameraError) problem.push(mediaReason(cameraError, 'camera'));
    if (micError) problem.push(mediaReason(micError, 'microphone'));
  }
  if (!media.audio && !media.video) {
    problem.push('You can still join: others will not see or hear you, but you can write to them in the chat.');
    join = 'Join without camera or microphone';
  } else if (!media.video) {
    problem.push('You can still join with sound only.');
    join = 'Join with sound only';
  } else if (!media.audio) {
    problem.push('You can still join: others will see you but not hear you. You can write to them in the chat.');
    join = 'Join without microphone';
  } else {
    join = data.host ? 'Start the visit' : 'Join the visit';
  }
  $('media-problem-text').textContent = problem.join(' ');
  $('media-problem').hidden = !problem.length;
  $('media-state').textContent = media.video ? 'Your camera is on. Only you can see this picture for now.'
    : media.audio ? 'Your microphone is on. Your camera is off.' : '';
  $('join').textContent = join;
  $('join-area').hidden = false;
  $('sound-check').hidden = !media.audio;
  updateOutgoing();
  startMeter(media.audio);
  await refreshCameras();
  // The start button may have gone: move focus to the result so it is heard.
  focusOn(problem.length ? $('media-problem') : $('media-state'));
}

function playTestSound() {
  $('tone-result').textContent = '';
  if (!tone([523.25, 659.25, 783.99])) {
    $('tone-result').textContent = 'This browser cannot play the test sound. You will hear the others once the visit starts.';
    return;
  }
  $('tone-ask').hidden = false;
}

function heardTone(yes) {
  $('tone-ask').hidden = true;
  $('tone-result').textContent = yes ? 'Good: your sound works.'
    : 'Turn up the volume, check that your device is not on silent, or plug in headphones, then play the sound again. If you still cannot hear it, you can join and use the chat.';
  $('tone-play').focus();
}

// ---- The network estimate --------------------------------------------------------------------

/** Round trips over the call's own socket (the server answers a ping with a pong). */
function pingOverSocket(count) {
  return new Promise((resolve, reject) => {
    let ws;
    try { ws = new WebSocket(socketURL()); } catch (err) { reject(err); return; }
    const times = [];
    let sentAt = 0;
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.onmessage = ws.onclose = null;
      try { ws.close(1000); } catch { /* already closed */ }
      if (times.length) resolve(times); else reject(new Error('no pong'));
    };
    const timer = setTimeout(done, 6000);
    const ping = () => { sentAt = performance.now(); ws.send(JSON.stringify({ type: 'ping' })); };
    ws.onopen = ping;
    ws.onmessage = (event) => {
      let msg;
      try { msg = JSON.parse(event.data); } catch { return; }
      if (msg.type !== 'pong') { done(); return; } // e.g. a server that wants `join` first
      times.push(performance.now() - sentAt);
      if (times.length >= count) done(); else setTimeout(ping, 200);
    };
    ws.onclose = done;
  });
}

/** Round trips over plain requests for a tiny file, when the socket does not answer pings. */
async function pingOverHttp(count) {
  const url = document.querySelector('link[rel="icon"]')?.href || location.href;
  const times = [];
  for (let i = 0; i <= count; i += 1) {
    const t = performance.now();
    const response = await fetch(url, { cache: 'no-store', credentials: 'same-origin' });
    await response.arrayBuffer();
    if (i > 0) times.push(performance.now() - t); // the first one also opens the connection
  }
  return times;
}

function rateRoundTrip(ms) {
  const type = navigator.connection && navigator.connection.effectiveType;
  if (ms > 400 || type === '2g' || type === 'slow-2g') return 'poor';
  if (ms > 150 || type === '3g') return 'fair';
  return 'good';
}

const NETWORK_ADVICE = {
  good: 'Good: your connection is fast enough for video.',
  fair: 'Fair: video may sometimes pause or look blurry. It helps to move closer to your Wi-Fi router and close other apps that use the internet.',
  poor: 'Slow: video may freeze. Move closer to your Wi-Fi router if you can. Gonio lowers the video by itself to keep the sound clear, and you can choose “Sound only” during the visit.',
};

async function checkNetwork() {
  const result = $('net-result');
  result.textContent = 'Checking your connection…';
  let times = await pingOverSocket(5).catch(() => null);
  if (!times) times = await pingOverHttp(4).catch(() => null);
  if (!times || !times.length) {
    result.textContent = 'We could not check your connection. You can still try to join.';
    return;
  }
  const ms = Math.round(median(times));
  const rating = rateRoundTrip(ms);
  result.dataset.quality = rating;
  result.textContent = `${NETWORK_ADVICE[rating]} (Round trip: ${ms} ms.)`;
}

// ---- Where the patient is --------------------------------------------------------------------

function buildLocation() {
  const loc = data.location || {};
  const field = $('location-field');
  if (!loc.required) { field.hidden = true; return; }
  if (loc.question) field.querySelector('label').textContent = loc.question;
  const select = $('call-location');
  select.required = true;
  select.append(h('option', { value: '' }, 'Choose a place'));
  for (const place of loc.options || []) select.append(h('option', { value: place.code }, place.name));
  select.value = loc.current && (loc.options || []).some((p) => p.code === loc.current) ? loc.current : '';
  select.addEventListener('change', () => setLocationError(''));
  field.hidden = false;
}

function setLocationError(text) {
  const select = $('call-location');
  $('location-error').textContent = text;
  $('location-error').hidden = !text;
  if (text) select.setAttribute('aria-invalid', 'true'); else select.removeAttribute('aria-invalid');
}

// ---- Joining ---------------------------------------------------------------------------------

function join() {
  if (data.location && data.location.required) {
    const select = $('call-location');
    if (!select.value) {
      setLocationError('Choose where you are right now.');
      select.focus();
      return;
    }
    call.location = select.value;
  }
  showAlert('');
  stopMeter();
  if (audioContext) audio(); // resumed inside this click, so sound may play later
  $('check').hidden = true;
  $('room').hidden = false;
  $('stage').append($('self-tile'));
  updateOutgoing();
  setRoomTitle('Joining the visit');
  focusOn($('room-title'));
  setState('connecting');
  setStatus('Connecting to the visit…');
  keepAwake();
  sock.wanted = true;
  sock.failures = 0;
  connect();
}

/** Back to the check after the server refused us: the person can fix it and try again. */
function backToCheck(message, code) {
  closeLinks();
  sock.wanted = false;
  closeSocket();
  setState('refused');
  setStatus('');
  $('room').hidden = true;
  $('check').hidden = false;
  $('self-slot').append($('self-tile'));
  updateOutgoing();
  startMeter(media.audio);
  $('join').textContent = 'Try again';
  showAlert(message);
  if (code === 'not-licensed-in-location' || code === 'location-required') {
    setLocationError(message);
    $('call-location').focus();
  } else {
    $('call-alert').focus();
  }
}

function setRoomTitle(text) {
  $('room-title').textContent = text;
}

// ---- The signalling socket -------------------------------------------------------------------

const sock = {
  ws: null,
  wanted: false,   // false once we leave, end, or are refused: no reconnecting then
  welcomed: false, // the current socket got its welcome
  everWelcomed: false,
  attempts: 0,
  failures: 0,     // attempts in a row that never opened
  retry: null,
  keepalive: null,
  pingAt: 0,
  pongAt: 0,
  rtt: null,
  lastError: null,
};

function connect() {
  clearTimeout(sock.retry);
  closeSocket();
  let ws;
  try { ws = new WebSocket(socketURL()); } catch { scheduleReconnect(); return; }
  sock.ws = ws;
  sock.welcomed = false;
  sock.lastError = null;
  let opened = false;
  ws.onopen = () => {
    opened = true;
    sock.failures = 0;
    ws.send(JSON.stringify({ type: 'join', location: call.location }));
    startKeepalive();
  };
  ws.onmessage = (event) => {
    if (ws !== sock.ws) return; // a socket we already gave up on
    let msg;
    try { msg = JSON.parse(event.data); } catch { return; }
    if (msg && typeof msg.type === 'string') onMessage(msg);
  };
  ws.onclose = (event) => {
    if (ws !== sock.ws) return;
    sock.ws = null;
    stopKeepalive();
    if (!opened) sock.failures += 1;
    onSocketClosed(event.code);
  };
  ws.onerror = quiet; // a close event always follows
}

function closeSocket() {
  stopKeepalive();
  const ws = sock.ws;
  sock.ws = null;
  if (ws) {
    ws.onclose = ws.onmessage = ws.onopen = null;
    try { ws.close(1000); } catch { /* already closed */ }
  }
}

function send(message) {
  if (!sock.ws || sock.ws.readyState !== WebSocket.OPEN || !sock.welcomed) return false;
  sock.ws.send(JSON.stringify(message));
  return true;
}

function onSocketClosed(code) {
  if (!sock.wanted || ['ended', 'left', 'replaced', 'closed', 'refused'].includes(state)) return;
  const error = sock.lastError;
  if (code === 1008 || (error && !sock.welcomed)) {
    // The server refused us on purpose and said why: reconnecting would only repeat it.
    const message = (error && error.message) || 'Gonio could not let you into this visit.';
    if (!sock.welcomed && !sock.everWelcomed) backToCheck(message, error && error.code);
    else finish('closed', message);
    return;
  }
  if (code === 1000 && sock.everWelcomed) {
    // Closed cleanly without "ended": the same person joined from another window or device.
    finish('replaced');
    return;
  }
  scheduleReconnect();
}

function scheduleReconnect() {
  if (!sock.wanted) return;
  if (!sock.everWelcomed && sock.failures >= 4) {
    // Never got in: a retry loop would hide the problem. Say it and let the person retry.
    sock.wanted = false;
    backToCheck('We could not connect to the visit. Check that Wi-Fi or mobile data is on, then select “Try again”. If it keeps happening, reload the page or sign in again.');
    return;
  }
  const delay = RECONNECT_DELAYS[Math.min(sock.attempts, RECONNECT_DELAYS.length - 1)];
  sock.attempts += 1;
  const wait = `trying again in ${delay} second${delay === 1 ? '' : 's'}`;
  if (!sock.everWelcomed) {
    setStatus(`Could not connect yet; ${wait}.`, 'warn');
  } else {
    setState('reconnecting');
    // Online but refused again and again: most likely the sign-in ran out.
    const advice = sock.failures >= 5 && navigator.onLine !== false ? ' If this goes on, reload the page: you may need to sign in again.'
      : sock.attempts > 3 ? ' Check that Wi-Fi or mobile data is on.' : '';
    setStatus(`Reconnecting… Your connection dropped; ${wait}.${advice}`, 'warn');
  }
  sock.retry = setTimeout(connect, delay * 1000);
}

function startKeepalive() {
  stopKeepalive();
  sock.pongAt = performance.now();
  sock.keepalive = setInterval(() => {
    const now = performance.now();
    // Two pings without an answer: the socket is dead even if no close event came.
    if (sock.welcomed && now - sock.pongAt > 2 * KEEPALIVE_MS + 5000) {
      const ws = sock.ws;
      closeSocket();
      if (ws) onSocketClosed(4000);
      return;
    }
    sock.pingAt = now;
    send({ type: 'ping' });
  }, KEEPALIVE_MS);
}

function stopKeepalive() {
  clearInterval(sock.keepalive);
  sock.keepalive = null;
}

window.addEventListener('online', () => {
  if (!sock.wanted) return;
  // Back online: try now rather than wait out the backoff.
  if (!sock.ws) { sock.attempts = 0; connect(); return; }
  if (state === 'in-call') updatePeopleStatus('');
  else if (state === 'waiting') setStatus('You are in the waiting room.');
});
window.addEventListener('offline', () => {
  if (sock.wanted) setStatus('You are offline. Gonio reconnects when your connection is back.', 'warn');
});

// ---- Messages from the server ----------------------------------------------------------------

function onMessage(msg) {
  switch (msg.type) {
    case 'welcome': return onWelcome(msg);
    case 'waiting': return addWaiting(msg.peer);
    case 'admitted': return onAdmitted(msg);
    case 'peer-joined': return onPeerJoined(msg.peer);
    case 'peer-left': return onPeerLeft(msg.id);
    case 'signal': return onSignal(msg.from, msg.data);
    case 'chat': return addChat(msg);
    case 'pong':
      sock.pongAt = performance.now();
      if (sock.pingAt) sock.rtt = sock.pongAt - sock.pingAt;
      return undefined;
    case 'ended': return finish('ended');
    case 'error': return goniometer.failed(msg) || onServerError(msg);
    default: return goniometer.handle(msg);
  }
}

function onWelcome(msg) {
  const again = sock.everWelcomed;
  sock.welcomed = true;
  sock.everWelcomed = true;
  sock.attempts = 0;
  sock.pongAt = performance.now();
  call.selfId = String(msg.selfId);
  call.iceServers = Array.isArray(msg.iceServers) ? msg.iceServers : [];
  if (msg.startedAt) call.startedAt = Date.parse(msg.startedAt) || call.startedAt;
  // Peer ids belong to one socket: the connections made over the last one are stale.
  closeLinks();
  clearWaiting();
  for (const peer of Array.isArray(msg.peers) ? msg.peers : []) {
    remember(peer);
    if (data.host && !peer.admitted) addWaiting(peer);
  }
  call.admitted = !!msg.admitted;
  if (call.admitted) {
    enterCall(again ? 'Reconnected.' : '');
  } else {
    setState('waiting');
    setRoomTitle('Waiting room');
    $('waiting-note').hidden = false;
    $('chat').hidden = true;
    setStatus(again ? 'Reconnected. Your therapist will let you back in shortly.' : 'You are in the waiting room.');
    if (!again) focusOn($('room-title'));
  }
  updateStage();
}

function onAdmitted(msg) {
  call.admitted = true;
  if (msg.startedAt) call.startedAt = Date.parse(msg.startedAt) || call.startedAt;
  enterCall('');
  announce('You are in the visit.');
}

function enterCall(prefix) {
  const first = state !== 'in-call' && state !== 'reconnecting';
  setState('in-call');
  $('waiting-note').hidden = true;
  $('chat').hidden = false;
  $('call-meta').hidden = false;
  setRoomTitle('Your video visit');
  updatePeopleStatus(prefix);
  if (first) focusOn($('room-title'));
  startLoops();
  goniometer.show(true);
}

function onServerError(msg) {
  sock.lastError = msg;
  if (msg.code === 'replaced') { finish('replaced'); return; }
  const text = typeof msg.message === 'string' && msg.message ? msg.message : 'Something went wrong.';
  // Before the welcome the server refuses and closes; onSocketClosed shows it where it helps.
  if (sock.welcomed) showAlert(text);
}

function remember(peer) {
  if (peer && peer.id) call.people.set(String(peer.id), { name: String(peer.name || 'Someone'), role: String(peer.role || '') });
}
function nameOf(id) { return (call.people.get(id) || { name: 'Someone' }).name; }

function onPeerJoined(peer) {
  if (!peer || !peer.id) return;
  const id = String(peer.id);
  remember(peer);
  removeWaiting(id);
  if (data.host) call.letInBefore.add(`${peer.role}|${peer.name}`);
  if (!call.startedAt) call.startedAt = Date.now();
  if (!call.links.has(id)) call.links.set(id, new PeerLink(id));
  announce(`${nameOf(id)} joined the visit.`);
  updateStage();
  updatePeopleStatus('');
}

function onPeerLeft(id) {
  id = String(id);
  if (call.waiting.has(id)) {
    removeWaiting(id);
    return;
  }
  const link = call.links.get(id);
  if (!link) return;
  link.close();
  call.links.delete(id);
  const person = call.people.get(id);
  const back = person && person.role === 'therapist' ? ' Stay on this page: they may come back.' : '';
  announce(`${nameOf(id)} left the visit.${back}`);
  updateStage();
  updatePeopleStatus('');
}

function onSignal(from, payload) {
  if (!from || !payload || typeof payload !== 'object') return;
  const id = String(from);
  let link = call.links.get(id);
  // An offer can overtake the server's "peer-joined": start the connection then.
  if (!link && payload.description && payload.description.type === 'offer' && call.admitted) {
    link = new PeerLink(id);
    call.links.set(id, link);
    updateStage();
  }
  if (link) link.receive(payload);
}

function closeLinks() {
  for (const link of call.links.values()) link.close();
  call.links.clear();
  updateStage();
}

function updatePeopleStatus(prefix) {
  if (state !== 'in-call') return;
  const others = [...call.links.keys()].map(nameOf);
  const text = others.length ? `In the visit with ${others.join(' and ')}.`
    : data.host ? 'You are in the visit. No one else has joined yet.' : 'You are in the visit. Waiting for the others; please stay on this page.';
  setStatus(`${prefix ? `${prefix} ` : ''}${text}`);
}

// ---- The host's waiting list -----------------------------------------------------------------

function addWaiting(peer) {
  if (!data.host || !peer || !peer.id) return;
  const id = String(peer.id);
  remember(peer);
  if (call.waiting.has(id) || call.links.has(id)) return;
  // Someone let in earlier on this page whose connection dropped: let them straight back in.
  if (call.letInBefore.has(`${peer.role}|${peer.name}`) && send({ type: 'admit', id })) {
    announce(`${peer.name} is back and was let in again.`);
    return;
  }
  const name = String(peer.name || 'Someone');
  const button = h('button', { type: 'button', class: 'admit-button' }, 'Admit', h('span', { class: 'visually-hidden' }, ` ${name}`));
  button.addEventListener('click', () => {
    if (!send({ type: 'admit', id })) { showAlert('Cannot let anyone in while reconnecting. Try again in a moment.'); return; }
    button.disabled = true;
    button.firstChild.textContent = 'Letting in…';
    // If the server did not act on it, let the host try again.
    setTimeout(() => { if (call.waiting.has(id)) { button.disabled = false; button.firstChild.textContent = 'Admit'; } }, 6000);
  });
  const item = h('li', { class: 'waiting-item' }, h('span', {}, name, ' ', h('span', { class: 'muted' }, `(${roleName(peer.role)})`)), button);
  call.waiting.set(id, item);
  $('waiting-list').append(item);
  updateWaiting();
  announce(`${name} is waiting to join. Select “Admit” to let them in.`);
  tone([659.25, 880], 0.18, 0.15); // a soft chime, for a host looking away
}

function removeWaiting(id) {
  const item = call.waiting.get(id);
  if (!item) return;
  item.remove();
  call.waiting.delete(id);
  updateWaiting();
}

function clearWaiting() {
  for (const item of call.waiting.values()) item.remove();
  call.waiting.clear();
  updateWaiting();
}

function updateWaiting() {
  const count = call.waiting.size;
  $('host-waiting').hidden = !count;
  $('waiting-title').textContent = count === 1 ? 'Waiting to join: 1 person' : `Waiting to join: ${count} people`;
  // The tab title too, for a host who is in another tab.
  document.title = `${count ? `(${count} waiting) ` : ''}${baseTitle}`;
}
const baseTitle = document.title;

// ---- One connection to one other person ------------------------------------------------------

class PeerLink {
  constructor(id) {
    this.id = id;
    // Perfect negotiation: the higher id gives way when both offer at once.
    this.polite = call.selfId > id;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.queue = Promise.resolve();
    this.params = Promise.resolve();
    this.senders = {};
    this.channel = null;
    this.remoteState = {};
    this.remote = new MediaStream();
    this.changedAt = performance.now();
    this.connectedAt = 0;
    this.last = { lost: 0, received: 0 };
    this.closed = false;
    try {
      this.pc = new RTCPeerConnection({ iceServers: call.iceServers });
    } catch {
      // A server list this browser cannot read: direct connections may still work.
      this.pc = new RTCPeerConnection({ iceServers: [] });
    }
    const pc = this.pc;
    pc.ontrack = ({ track }) => {
      this.remote.addTrack(track);
      track.addEventListener('unmute', () => this.updateTile());
      track.addEventListener('mute', () => this.updateTile());
      // Setting srcObject again would restart playback; a second track joins the stream by itself.
      if (this.tile.video.srcObject !== this.remote) this.tile.video.srcObject = this.remote;
      this.play();
    };
    pc.onicecandidate = ({ candidate }) => { if (candidate) this.send({ candidate: candidate.toJSON() }); };
    pc.onnegotiationneeded = () => this.offer();
    pc.oniceconnectionstatechange = () => {
      // A changed network (Wi-Fi to mobile data): look for a new path without starting over.
      if (pc.iceConnectionState === 'failed' && pc.restartIce) pc.restartIce();
    };
    pc.onconnectionstatechange = () => this.onConnectionState();
    this.tile = this.makeTile();
    // The lower id makes the first offer; the other side answers with what it has.
    if (call.selfId < id) this.start();
  }

  get name() { return nameOf(this.id); }

  /** Adds the sound and video sections and the state channel: the offer follows. */
  start() {
    for (const kind of ['audio', 'video']) {
      const t = this.pc.addTransceiver(kind, { direction: directionFor(kind) });
      this.senders[kind] = t.sender;
    }
    this.openChannel();
    this.applyTracks();
  }

  send(payload) {
    send({ type: 'signal', to: this.id, data: payload });
  }

  async offer() {
    if (this.closed) return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      this.send({ description: this.pc.localDescription.toJSON() });
    } catch { /* the next negotiation or the watchdog tries again */ } finally {
      this.makingOffer = false;
    }
  }

  receive(payload) {
    // One at a time, in order: a candidate must not overtake its description.
    this.queue = this.queue.then(() => this.handle(payload)).catch(quiet);
  }

  async handle({ description, candidate }) {
    if (this.closed) return;
    const pc = this.pc;
    if (description) {
      const collision = description.type === 'offer' && (this.makingOffer || pc.signalingState !== 'stable');
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) return;
      await pc.setRemoteDescription(description); // rolls back our own offer if we are polite
      if (description.type === 'offer') {
        this.attachLocal();
        await pc.setLocalDescription();
        this.send({ description: pc.localDescription.toJSON() });
      }
    } else if (candidate) {
      try {
        await pc.addIceCandidate(candidate);
      } catch (err) {
        if (!this.ignoreOffer) throw err;
      }
    }
  }

  /** The answering side: send our tracks on the sections the other side offered. */
  attachLocal() {
    const live = this.pc.getTransceivers().filter((t) => !t.stopped && t.currentDirection !== 'stopped');
    for (const t of live) {
      if (t.mid) continue;
      // Our own sections from an offer that lost a collision: the other side's are used instead.
      const kind = t.receiver.track.kind;
      if (this.senders[kind] === t.sender) delete this.senders[kind];
      try { t.stop(); } catch { /* already stopping */ }
    }
    for (const t of live) {
      const kind = t.receiver.track.kind;
      if (!t.mid || (this.senders[kind] && this.senders[kind] !== t.sender)) continue;
      this.senders[kind] = t.sender;
      t.direction = directionFor(kind);
    }
    this.openChannel();
    this.applyTracks();
  }

  openChannel() {
    if (this.channel) return;
    // Negotiated on both sides with the same id: no extra round trip, nothing for the server.
    const channel = this.pc.createDataChannel('state', { negotiated: true, id: 0 });
    channel.onopen = () => this.sendState();
    channel.onmessage = (event) => {
      try { this.remoteState = JSON.parse(event.data) || {}; } catch { return; }
      this.updateTile();
    };
    this.channel = channel;
  }

  sendState() {
    if (!this.channel || this.channel.readyState !== 'open') return;
    this.channel.send(JSON.stringify({
      audio: !!media.audio && media.audio.enabled,
      video: !!outgoingVideo(),
      screen: !!media.screen,
      soundOnly: call.mode === 'audio',
      slow: level() === 'audio' && !!media.video,
    }));
  }

  /** Puts our current tracks on the senders (no renegotiation) and the bitrate for the level. */
  applyTracks() {
    const { audio: a, video: v } = this.senders;
    const sound = media.audio;
    const video = outgoingVideo();
    const swaps = [];
    if (a && a.track !== sound) swaps.push(a.replaceTrack(sound).catch(quiet));
    if (v && v.track !== video) swaps.push(v.replaceTrack(video).catch(quiet));
    for (const t of this.pc.getTransceivers()) {
      if (t.mid && t.receiver.track.kind === 'video' && t.direction !== 'stopped' && !t.stopped) {
        const want = directionFor('video');
        if (t.direction !== want) t.direction = want; // a change renegotiates by itself
      }
    }
    // The size and bitrate belong to the new track: set them once it is in place.
    Promise.all(swaps).then(() => this.applyLevel());
    this.sendState();
  }

  applyLevel() {
    const sender = this.senders.video;
    if (!sender) return;
    // One change at a time: two overlapping setParameters calls fail.
    this.params = this.params.then(async () => {
      if (this.closed) return;
      const params = sender.getParameters();
      if (!params.encodings || !params.encodings.length) return; // not negotiated yet
      const low = level() === 'low';
      const screen = !!media.screen;
      params.encodings[0].maxBitrate = low ? 150_000 : screen ? 1_000_000 : 700_000;
      params.encodings[0].scaleResolutionDownBy = low && !screen ? 2 : 1;
      params.encodings[0].maxFramerate = low ? 15 : screen ? 10 : 30;
      await sender.setParameters(params);
    }).catch(quiet);
  }

  onConnectionState() {
    const s = this.pc.connectionState;
    this.changedAt = performance.now();
    if (s === 'connected') {
      if (!this.connectedAt) announce(`Connected to ${this.name}.`);
      this.connectedAt = performance.now();
      this.applyLevel();
    }
    this.updateTile();
  }

  /** Called every few seconds: a connection that does not come up is given another push. */
  watchdog(now) {
    const s = this.pc.connectionState;
    if (this.closed || s === 'connected' || !sock.welcomed || now - this.changedAt < 20_000) return;
    this.changedAt = now;
    if (!this.pc.getTransceivers().length) this.start(); // the first offer never came: make one
    else if (this.pc.restartIce) this.pc.restartIce();
  }

  makeTile() {
    const video = h('video', { autoplay: true, playsinline: true });
    const placeholder = h('p', { class: 'tile-off', hidden: true });
    const caption = h('figcaption', { class: 'tile-caption' });
    const sound = h('button', { type: 'button', class: 'tile-sound', hidden: true }, 'Turn on sound');
    sound.addEventListener('click', () => this.play());
    const figure = h('figure', { class: 'remote-tile', 'data-peer': this.id }, video, placeholder, caption, sound);
    $('remote-grid').append(figure);
    const tile = { figure, video, placeholder, caption, sound };
    this.tile = tile;
    this.updateTile();
    return tile;
  }

  play() {
    this.tile.video.play().then(() => { this.tile.sound.hidden = true; }).catch((err) => {
      // Some browsers block sound until the page is touched: offer a button.
      if (err && err.name === 'NotAllowedError') this.tile.sound.hidden = false;
    });
  }

  updateTile() {
    if (!this.tile) return;
    const s = this.remoteState;
    const conn = this.pc.connectionState;
    const flags = [];
    if (conn === 'new' || conn === 'connecting') flags.push('connecting…');
    else if (conn === 'disconnected' || conn === 'failed') flags.push('connection lost, reconnecting…');
    if (s.audio === false) flags.push('microphone off');
    if (s.screen) flags.push('sharing their screen');
    const person = call.people.get(this.id);
    this.tile.caption.textContent = `${this.name}${person && person.role ? ` (${roleName(person.role)})` : ''}${flags.length ? `: ${flags.join(', ')}` : ''}`;
    const noVideo = s.video === false || call.mode === 'audio';
    this.tile.placeholder.hidden = !noVideo;
    this.tile.placeholder.textContent = call.mode === 'audio' ? 'Video is off: you chose sound only.'
      : s.soundOnly ? `${this.name} chose sound only.`
        : s.slow ? `${this.name}'s video is paused: their connection is slow.`
          : `${this.name}'s camera is off.`;
    this.tile.figure.classList.toggle('no-video', noVideo);
    this.tile.sound.textContent = `Turn on sound for ${this.name}`;
  }

  /** Raw counters for the quality check and for tests. */
  async readStats() {
    const report = await this.pc.getStats();
    let pairId = null;
    let nominated = null;
    const out = { lost: 0, received: 0, framesDecoded: 0, frameWidth: 0, framesSent: 0, outBps: null, rtt: null };
    report.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
      else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') nominated = nominated || s;
      else if (s.type === 'inbound-rtp') {
        out.lost += s.packetsLost || 0;
        out.received += s.packetsReceived || 0;
        if (s.kind === 'video') {
          out.framesDecoded += s.framesDecoded || 0;
          out.frameWidth = Math.max(out.frameWidth, s.frameWidth || 0);
        }
      } else if (s.type === 'outbound-rtp' && s.kind === 'video') out.framesSent += s.framesSent || 0;
    });
    const pair = (pairId && report.get(pairId)) || nominated;
    if (pair) {
      out.outBps = typeof pair.availableOutgoingBitrate === 'number' ? pair.availableOutgoingBitrate : null;
      out.rtt = typeof pair.currentRoundTripTime === 'number' ? pair.currentRoundTripTime : null;
    }
    return out;
  }

  /** What changed since the last sample: the share of packets lost, and the pair's figures. */
  async sample() {
    const s = await this.readStats();
    const lost = Math.max(0, s.lost - this.last.lost);
    const received = Math.max(0, s.received - this.last.received);
    this.last = { lost: s.lost, received: s.received };
    return { outBps: s.outBps, rtt: s.rtt, loss: lost + received > 0 ? lost / (lost + received) : 0 };
  }

  close() {
    this.closed = true;
    try { if (this.channel) this.channel.close(); } catch { /* closing anyway */ }
    try { this.pc.close(); } catch { /* closing anyway */ }
    this.tile.video.srcObject = null;
    this.tile.figure.remove();
  }
}

function directionFor(kind) {
  // Sound only (chosen): no video either way, which is what saves a data plan.
  return kind === 'video' && call.mode === 'audio' ? 'inactive' : 'sendrecv';
}

function updateStage() {
  const others = call.links.size;
  $('stage').classList.toggle('solo', others === 0);
  $('remote-grid').dataset.count = String(others);
  const empty = $('stage-empty');
  empty.hidden = others > 0 || state === 'waiting' || !call.admitted;
  empty.textContent = data.host ? 'When someone joins, you will see them here.' : 'Waiting for the others to connect…';
}

// ---- Quality: measured every few seconds -----------------------------------------------------

let loops = null;
function startLoops() {
  if (loops) return;
  loops = {
    timer: setInterval(tickTimer, 1000),
    sample: setInterval(() => { sampleQuality().catch(quiet); }, SAMPLE_MS),
    fiveMinutes: false,
  };
  tickTimer();
}

function stopLoops() {
  if (!loops) return;
  clearInterval(loops.timer);
  clearInterval(loops.sample);
  loops = null;
}

function tickTimer() {
  $('call-timer').textContent = call.startedAt ? clock(Date.now() - call.startedAt) : 'not started';
  const end = Date.parse(data.end);
  if (loops && !loops.fiveMinutes && end && end - Date.now() <= 5 * 60_000 && end > Date.now()) {
    loops.fiveMinutes = true;
    announce('About 5 minutes are left in this visit.');
  }
}

async function sampleQuality() {
  const now = performance.now();
  const readings = [];
  for (const link of call.links.values()) {
    link.watchdog(now);
    if (link.pc.connectionState !== 'connected') continue;
    const s = await link.sample();
    readings.push({ ...s, settled: now - link.connectedAt > 10_000 });
  }
  if (!readings.length) {
    // Nobody else yet: the socket's round trip is all there is to go on.
    showQuality(sock.rtt != null ? { rtt: sock.rtt / 1000, loss: 0, outBps: null } : null);
    return;
  }
  // The worst connection decides: in a mesh, each one carries our video.
  const known = (key) => readings.map((r) => r[key]).filter((v) => typeof v === 'number');
  const outs = known('outBps');
  const rtts = known('rtt');
  const worst = {
    outBps: outs.length ? Math.min(...outs) : null,
    rtt: rtts.length ? Math.max(...rtts) : (sock.rtt != null ? sock.rtt / 1000 : null),
    loss: Math.max(...readings.map((r) => r.loss)),
  };
  // The send estimate starts low and climbs in the first seconds: judge it once settled.
  if (readings.every((r) => r.settled)) autoStep(worst, now);
  showQuality(worst);
}

function autoStep(s, now) {
  let target = s.outBps == null ? 'full' : s.outBps < SOUND_ONLY_BELOW ? 'audio' : s.outBps < LOW_VIDEO_BELOW ? 'low' : 'full';
  if (s.loss > 0.1 && RANK[target] > RANK.low) target = 'low';
  if (RANK[target] < RANK[auto.level]) {
    // Two readings in a row, so that one dip does not turn the video off.
    auto.downVotes += 1;
    if (auto.downVotes < 2) return;
    // Dropping again soon after stepping up: wait longer before the next try.
    auto.wait = auto.changedAt && now - auto.changedAt < 120_000 ? Math.min(auto.wait * 2, 300_000) : 30_000;
    setAutoLevel(target, now);
  } else {
    auto.downVotes = 0;
    // While we send little, the estimate cannot grow: after a calm spell, try one step up.
    if (auto.level !== 'full' && s.loss < 0.02 && now - auto.changedAt >= auto.wait) {
      setAutoLevel(auto.level === 'audio' ? 'low' : 'full', now);
    }
  }
}

function setAutoLevel(next, now) {
  if (next === auto.level) return;
  const before = level();
  auto.level = next;
  auto.changedAt = now;
  auto.downVotes = 0;
  if (call.mode !== 'auto' || before === level()) return;
  updateOutgoing();
  const text = next === 'audio'
    ? 'Your connection is very slow, so your video is paused to keep the sound clear. The others can still hear you.'
    : next === 'low' ? (before === 'audio' ? 'Your video is back, at lower quality.' : 'Your connection is slow, so your video quality was lowered.')
      : 'Your connection is better. Your video is back to normal.';
  $('quality-note').textContent = text;
  announce(text);
}

let shownQuality = null;
function showQuality(s) {
  const el = $('call-quality');
  if (!s) { el.dataset.quality = ''; $('call-quality-text').textContent = 'checking…'; return; }
  let rating = 'good';
  const out = s.outBps;
  if ((s.rtt != null && s.rtt > 0.6) || s.loss > 0.08 || (out != null && out < SOUND_ONLY_BELOW)) rating = 'poor';
  else if ((s.rtt != null && s.rtt > 0.3) || s.loss > 0.02 || (out != null && out < LOW_VIDEO_BELOW) || level() !== 'full') rating = 'fair';
  el.dataset.quality = rating;
  $('call-quality-text').textContent = rating;
  if (rating === 'poor' && shownQuality !== 'poor') announce('Your connection is poor. The sound may break up.');
  shownQuality = rating;
}

// ---- Controls in the call --------------------------------------------------------------------

function updateControls() {
  const mute = $('mute');
  if (!media.audio) mute.textContent = 'Turn microphone on';
  else mute.textContent = media.audio.enabled ? 'Mute microphone' : 'Unmute microphone';
  mute.classList.toggle('is-off', !media.audio || !media.audio.enabled);
  const camera = $('camera');
  camera.textContent = media.video ? 'Turn camera off' : 'Turn camera on';
  camera.classList.toggle('is-off', !media.video);
  camera.disabled = call.mode === 'audio';
  $('switch-camera').hidden = media.cameras.length < 2 || !media.video || !!media.screen;
  const share = $('share');
  share.hidden = !data.host || !(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia);
  share.textContent = media.screen ? 'Stop sharing my screen' : 'Share my screen';
}

async function toggleMute() {
  if (!media.audio) {
    try {
      media.audio = await getTrack('audio');
      watchEnded(media.audio);
      announce('Your microphone is on.');
    } catch (err) { showAlert(mediaReason(err, 'microphone')); }
  } else {
    media.audio.enabled = !media.audio.enabled;
    announce(media.audio.enabled ? 'Your microphone is on.' : 'You are muted. The others cannot hear you.');
  }
  updateOutgoing();
}

async function toggleCamera() {
  media.cameraWanted = !media.video;
  await matchCamera();
  announce(media.video ? 'Your camera is on.' : 'Your camera is off.');
  updateOutgoing();
  refreshCameras();
}

async function toggleShare() {
  if (media.screen) { stopShare(); return; }
  try {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 10, max: 15 } }, audio: false });
    const track = stream.getVideoTracks()[0];
    if ('contentHint' in track) track.contentHint = 'detail'; // sharp text rather than smooth motion
    track.addEventListener('ended', stopShare); // the browser's own "Stop sharing" button
    media.screen = track;
    announce('You are sharing your screen.');
    updateOutgoing();
  } catch (err) {
    if (err && err.name !== 'NotAllowedError') showAlert('Your screen could not be shared. Try again, or show it with your camera.');
  }
}

function stopShare() {
  if (!media.screen) return;
  media.screen.stop();
  media.screen = null;
  announce('You stopped sharing your screen. The others see your camera again.');
  updateOutgoing();
}

async function setMode(mode) {
  call.mode = mode;
  await matchCamera();
  const text = mode === 'audio' ? 'Sound only: no video is sent or received. This uses the least data.'
    : mode === 'low' ? 'Lower video: smaller, smoother video that uses less data.'
      : 'Automatic: Gonio lowers the video by itself when the connection is slow.';
  $('quality-note').textContent = text;
  updateOutgoing();
  for (const link of call.links.values()) link.updateTile();
}

function sendChat(event) {
  event.preventDefault();
  const input = $('chat-text');
  const text = input.value.trim();
  if (!text) { input.focus(); return; }
  if (text.length > 1000) { showAlert('Messages can be up to 1000 characters.'); return; }
  if (!send({ type: 'chat', text })) {
    showAlert('Your message was not sent: you are not connected right now. Try again in a moment.');
    return;
  }
  showAlert('');
  input.value = '';
  input.focus();
}

function addChat(msg) {
  if (typeof msg.text !== 'string') return;
  const at = new Date(msg.at || Date.now());
  const who = msg.from === call.selfId ? 'You' : String(msg.name || nameOf(String(msg.from)));
  const time = Number.isNaN(at.getTime()) ? '' : at.toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
  const item = h('li', { class: msg.from === call.selfId ? 'chat-item mine' : 'chat-item' },
    h('p', { class: 'chat-who' }, h('strong', {}, who), time ? h('time', { datetime: at.toISOString(), class: 'muted' }, ` ${time}`) : null),
    h('p', { class: 'chat-text' }, msg.text));
  $('chat-list').append(item);
  const log = $('chat-log');
  log.scrollTop = log.scrollHeight;
  $('chat-empty').hidden = true;
  call.chat.push(msg.text);
}

function confirmEnd() {
  $('end-confirm').hidden = false;
  $('end').hidden = true;
  focusOn($('end-question'));
}

function cancelEnd() {
  $('end-confirm').hidden = true;
  $('end').hidden = false;
  $('end').focus();
}

function endVisit() {
  if (!send({ type: 'end' })) {
    showAlert('The visit cannot be ended while Gonio is reconnecting. Try again in a moment.');
    return;
  }
  $('end-yes').disabled = true;
  setStatus('Ending the visit…');
  // The server answers with "ended"; if that is lost, end here anyway.
  setTimeout(() => { if (state !== 'ended') finish('ended'); }, 5000);
}

function leave() {
  finish('left');
}

// ---- The end ---------------------------------------------------------------------------------

let wakeLock = null;
async function keepAwake() {
  // A phone propped up across the room must not lock its screen mid-exercise.
  try { if (navigator.wakeLock && document.visibilityState === 'visible') wakeLock = await navigator.wakeLock.request('screen'); } catch { /* not offered */ }
}
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && ['in-call', 'waiting', 'reconnecting', 'connecting'].includes(state)) keepAwake();
});

/** Stops everything: the socket, every connection, the camera and microphone, the timers. */
function release() {
  sock.wanted = false;
  clearTimeout(sock.retry);
  closeSocket();
  closeLinks();
  stopLoops();
  stopMeter();
  goniometer.stop();
  stopLocalTracks();
  $('self-video').srcObject = null;
  if (wakeLock) { wakeLock.release().catch(quiet); wakeLock = null; }
  if (audioContext) { audioContext.close().catch(quiet); audioContext = null; }
}

const ENDINGS = {
  ended: ['The visit has ended', 'Thank you for joining.'],
  left: ['You left the visit', 'The visit may still be going on. You can rejoin while it is open.'],
  replaced: ['This visit is open somewhere else', 'You joined from another window or device, so the visit was closed here.'],
  closed: ['You were disconnected', ''],
};

function finish(kind, message) {
  if (['ended', 'left', 'replaced', 'closed'].includes(state)) return;
  release();
  setState(kind);
  setStatus('');
  showAlert('');
  $('check').hidden = true;
  $('room').hidden = true;
  const [title, text] = ENDINGS[kind];
  $('over-title').textContent = title;
  $('over-text').textContent = message || (kind === 'ended' && data.host ? 'Everyone has been disconnected.' : text);
  $('over-note').hidden = !(kind === 'ended' && data.host && data.noteLink);
  $('rejoin').hidden = kind === 'ended';
  $('rejoin').textContent = kind === 'replaced' ? 'Use this window instead' : 'Rejoin the visit';
  $('over').hidden = false;
  document.title = baseTitle;
  focusOn($('over-title'));
}

window.addEventListener('pagehide', release);
// Back from the back/forward cache, everything was already released: start afresh.
window.addEventListener('pageshow', (event) => { if (event.persisted) location.reload(); });

// ---- For tests -------------------------------------------------------------------------------

window.gonioCall = {
  state: () => state,
  chatTexts: () => [...call.chat],
  /** Video frames decoded from others and sent to them, how many connections are up, and the
   * widest picture received (in pixels). */
  stats: async () => {
    let framesDecoded = 0;
    let framesSent = 0;
    let frameWidth = 0;
    let peers = 0;
    for (const link of call.links.values()) {
      const s = await link.readStats().catch(() => null);
      if (!s) continue;
      framesDecoded += s.framesDecoded;
      framesSent += s.framesSent;
      frameWidth = Math.max(frameWidth, s.frameWidth);
      if (link.pc.connectionState === 'connected') peers += 1;
    }
    return { framesDecoded, framesSent, peers, frameWidth };
  },
  /** Camera, microphone and screen tracks still running (0 once the visit is over). */
  liveTracks: () => [media.audio, media.video, media.screen].filter((t) => t && t.readyState === 'live').length,
  level: () => level(),
  /** Measure with these recorded frames instead of the camera's (see goniometer.js). */
  useRecording: (frames) => goniometer.useRecording(frames),
};

// ---- Start -----------------------------------------------------------------------------------

const goniometer = setUpGoniometer({
  data, send, announce, nameOf, selfId: () => call.selfId, video: () => $('self-video'),
});

function unsupported(text) {
  setState('unsupported');
  const fallback = document.querySelector('[data-call-fallback]');
  fallback.querySelector('p').textContent = text;
  fallback.hidden = false;
}

function init() {
  if (!window.RTCPeerConnection || !window.WebSocket) {
    unsupported('This browser cannot make video calls. Open this page in an up-to-date Chrome, Edge, Firefox or Safari. If you cannot, call your clinic.');
    return;
  }
  document.querySelector('[data-call-fallback]').hidden = true;
  $('call').hidden = false;
  setState('check');
  buildLocation();
  $('join').textContent = data.host ? 'Start the visit' : 'Join the visit';
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    // No camera access at all here (an old browser, or a page not served securely).
    $('media-start').hidden = true;
    $('media-problem-text').textContent = 'This browser cannot use a camera or microphone on this page. You can still join and use the chat, or open the visit in an up-to-date Chrome, Edge, Firefox or Safari.';
    $('media-problem').hidden = false;
    $('join').textContent = 'Join without camera or microphone';
    $('join-area').hidden = false;
  } else {
    navigator.mediaDevices.addEventListener?.('devicechange', refreshCameras);
  }
  $('media-start').addEventListener('click', startDevices);
  $('check-switch').addEventListener('click', switchCamera);
  $('tone-play').addEventListener('click', playTestSound);
  $('tone-yes').addEventListener('click', () => heardTone(true));
  $('tone-no').addEventListener('click', () => heardTone(false));
  $('join').addEventListener('click', join);
  $('mute').addEventListener('click', toggleMute);
  $('camera').addEventListener('click', toggleCamera);
  $('switch-camera').addEventListener('click', switchCamera);
  $('share').addEventListener('click', toggleShare);
  $('leave').addEventListener('click', leave);
  $('end').addEventListener('click', confirmEnd);
  $('end-yes').addEventListener('click', endVisit);
  $('end-no').addEventListener('click', cancelEnd);
  $('end').hidden = !data.host;
  $('chat-form').addEventListener('submit', sendChat);
  $('rejoin').addEventListener('click', () => location.reload());
  if (data.noteLink) $('note-link').href = data.noteLink;
  for (const radio of document.querySelectorAll('input[name="quality"]')) {
    radio.addEventListener('change', () => { if (radio.checked) setMode(radio.value); });
  }
  updateControls();
  checkNetwork();
}

init();
