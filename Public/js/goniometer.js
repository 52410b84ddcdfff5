// The virtual goniometer of a video visit. The therapist chooses a movement and asks; the
// patient's side agrees, and its browser runs the pose model on its own camera picture and sends
// only the joints' positions over the call's socket. Gonio counts and measures them and everyone
// in the call sees each side's angle, the range held, the count and any cue; when it stops, the
// reading in words (to copy into the visit note). A recorded movement can stand in for the
// camera (tests, demonstrations): window.gonioCall.useRecording(frames).

import { trackVideo, replayFrames } from './tracking.js';

const $ = (id) => document.getElementById(id);
const TRACK_ERRORS = new Set(['no-patient', 'tracking-already', 'exercise-unknown', 'side-invalid', 'skeleton-unknown', 'track-not-requested',
  'track-not-started', 'not-measurable', 'reason-invalid', 'frame-invalid', 'frame-out-of-order']);

function degrees(value) { return typeof value === 'number' ? `${Math.round(value)}°` : '–'; }
function span(range) { return range && typeof range.min === 'number' ? `${Math.round(range.min)}° to ${Math.round(range.max)}°` : null; }
function plural(n, word) { return `${n} ${word}${n === 1 ? '' : 's'}`; }

/**
 * Wires the goniometer panel. `call` gives what it needs from the call page: `data`, `send`,
 * `announce`, `nameOf(peerId)`, `selfId()` and the `video` of this side's camera.
 */
export function setUpGoniometer(call) {
  const motion = call.data.motion;
  const panel = $('measure');
  const g = { request: null, measuring: null, source: null, recording: null, pending: false, sided: true };
  if (!motion) return { handle: () => false, failed: () => false, show() {}, stop() {}, useRecording() {} };
  const host = !!call.data.host;

  function status(text) { $('measure-status').textContent = text; }

  function showLive(on) {
    $('measure-live').hidden = !on;
    if (on) {
      $('measure-reps').textContent = '0';
      $('measure-partial').textContent = '';
      $('measure-left').textContent = '–';
      $('measure-right').textContent = '–';
      $('measure-range').textContent = '';
      $('measure-last').textContent = '';
    }
  }

  function stopSource() {
    if (g.source) { g.source.stop(); g.source = null; }
  }

  // ---- The therapist asks ----

  if (host) {
    const select = $('measure-exercise');
    for (const e of motion.exercises) select.append(new Option(`${e.name} (${e.measure})`, e.id));
    const sideField = () => {
      const chosen = motion.exercises.find((e) => e.id === select.value);
      $('measure-side-field').hidden = !(chosen && chosen.sided);
    };
    select.addEventListener('change', sideField);
    sideField();
    $('measure-form').hidden = false;
    $('measure-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const chosen = motion.exercises.find((e) => e.id === select.value);
      if (!chosen) return;
      const side = chosen.sided ? $('measure-side').value : '';
      const message = { type: 'track-request', exercise: chosen.id };
      if (side) message.side = side;
      if (!call.send(message)) { status('Not connected just now. Try again in a moment.'); return; }
      g.pending = true;
      g.sided = chosen.sided;
      $('measure-ask').disabled = true;
      $('measure-withdraw').hidden = false;
      status(`Asked to measure ${chosen.name.toLowerCase()}. Waiting for the patient to start…`);
    });
    $('measure-withdraw').addEventListener('click', () => {
      call.send({ type: 'track-stop' });
      resetAsk();
      status('Request withdrawn.');
    });
  }

  function resetAsk() {
    g.pending = false;
    if (!host) return;
    $('measure-ask').disabled = false;
    $('measure-withdraw').hidden = true;
  }

  // ---- The patient's side answers ----

  if (!host) {
    $('measure-start').addEventListener('click', start);
    $('measure-decline').addEventListener('click', () => {
      call.send({ type: 'track-decline', reason: 'Not now.' });
      closeRequest();
      status('You said not now. Your therapist has been told.');
    });
  }

  function closeRequest() {
    g.request = null;
    $('measure-request').hidden = true;
  }

  async function start() {
    const request = g.request;
    if (!request) return;
    $('measure-start').disabled = true;
    $('measure-decline').disabled = true;
    status('Getting ready to measure…');
    const sendFrame = (frame) => {
      // One decimal of a pixel and two of visibility: the same angles in a third of the bytes.
      const p = frame.p.map((q) => (q ? [Math.round(q[0] * 10) / 10, Math.round(q[1] * 10) / 10, 0, Math.round((q[3] ?? 1) * 100) / 100] : null));
      call.send({ type: 'track-frame', t: frame.t, p });
    };
    try {
      g.source = g.recording
        ? replayFrames(g.recording, sendFrame, null, null)
        : await trackVideo(motion.poseModel, call.video(), sendFrame);
    } catch (err) {
      const reason = err && err.message ? err.message : 'The camera could not measure here.';
      call.send({ type: 'track-decline', reason });
      closeRequest();
      status(`${reason} Your therapist has been told.`);
      return;
    } finally {
      $('measure-start').disabled = false;
      $('measure-decline').disabled = false;
    }
    // Sent before the first frame: frames start on the next animation frame.
    call.send({ type: 'track-start', exercise: request.exercise });
    closeRequest();
  }

  // ---- Everyone watches ----

  function onFrame(event) {
    $('measure-reps').textContent = String(event.reps ?? 0);
    $('measure-partial').textContent = event.partialReps ? `(${plural(event.partialReps, 'partial')})` : '';
    const reading = event.reading || {};
    const now = reading.now || {};
    $('measure-left').textContent = degrees(now.left);
    $('measure-right').textContent = degrees(now.right);
    const range = reading.range || {};
    const parts = [['Right', span(range.right)], ['Left', span(range.left)]].filter(([, r]) => r).map(([s, r]) => `${s} ${r}`);
    $('measure-range').textContent = parts.length ? `Range held: ${parts.join('; ')}` : 'Range held: not yet (hold still at the end of the movement for a moment).';
  }

  function onRep(event) {
    const rom = event.rom || {};
    const what = event.counted ? `Repetition ${event.number}` : 'A partial repetition (not counted)';
    const cues = Array.isArray(event.cues) && event.cues.length ? ` ${event.cues.join(' ')}` : '';
    $('measure-last').textContent = `${what}: ${degrees(rom.min)} to ${degrees(rom.max)}, form ${event.formScore}/100.${cues}`;
    if (event.counted) call.announce(plural(event.number, 'repetition') + (cues ? `.${cues}` : ''));
  }

  function addResult(summary, who) {
    const text = typeof summary.text === 'string' ? summary.text : '';
    const item = document.createElement('li');
    const line = document.createElement('p');
    line.textContent = host ? `${who}: ${text}` : text;
    item.append(line);
    if (host) {
      const copy = document.createElement('button');
      copy.type = 'button';
      copy.className = 'secondary';
      copy.textContent = 'Copy for the note';
      copy.addEventListener('click', async () => {
        try { await navigator.clipboard.writeText(text); copy.textContent = 'Copied'; } catch {
          const range = document.createRange(); range.selectNodeContents(line);
          const selection = getSelection(); selection.removeAllRanges(); selection.addRange(range);
          copy.textContent = 'Selected: copy it with your keyboard';
        }
      });
      item.append(copy);
    }
    $('measure-results').append(item);
    $('measure-results-area').hidden = false;
  }

  $('measure-stop').addEventListener('click', () => {
    call.send({ type: 'track-stop' });
    stopSource();
  });

  function handle(msg) {
    switch (msg.type) {
      case 'track-request':
        if (host) return true;
        g.request = msg;
        panel.hidden = false;
        $('measure-request-text').textContent = `Your therapist would like to measure a movement: ${String(msg.exerciseName || 'an exercise').toLowerCase()}${msg.side ? ` (${msg.side} side)` : ''}.`;
        $('measure-request').hidden = false;
        status('');
        call.announce('Your therapist would like to measure a movement with the camera.');
        $('measure-start').focus();
        return true;
      case 'track-cancelled':
        closeRequest();
        status('Your therapist withdrew the request.');
        return true;
      case 'track-declined':
        resetAsk();
        status(`${msg.name || 'The patient'} did not start measuring${msg.reason ? `: ${msg.reason}` : '.'}`);
        call.announce($('measure-status').textContent);
        return true;
      case 'track-started': {
        resetAsk();
        g.measuring = { peer: String(msg.peer), name: String(msg.name || call.nameOf(String(msg.peer))), exercise: String(msg.exerciseName || '') };
        const mine = g.measuring.peer === call.selfId();
        panel.hidden = false;
        $('measure-what').textContent = mine ? `Measuring your ${g.measuring.exercise.toLowerCase()}` : `Measuring ${g.measuring.name}: ${g.measuring.exercise.toLowerCase()} (${msg.measure})`;
        if (host) $('measure-ask').disabled = true;
        status(mine ? 'Do the movement when your therapist says. Hold still for a moment at the end of each one.' : '');
        showLive(true);
        return true;
      }
      case 'tracking':
        if (!g.measuring || !msg.event) return true;
        if (msg.event.type === 'frame') onFrame(msg.event); else if (msg.event.type === 'rep') onRep(msg.event);
        return true;
      case 'track-stopped': {
        const who = g.measuring ? g.measuring.name : call.nameOf(String(msg.peer));
        if (String(msg.peer) === call.selfId()) stopSource();
        g.measuring = null;
        showLive(false);
        if (host) $('measure-ask').disabled = false;
        if (msg.summary) addResult(msg.summary, who);
        status('Measuring stopped.');
        call.announce(msg.summary && msg.summary.text ? msg.summary.text : 'Measuring stopped.');
        return true;
      }
      default:
        return false;
    }
  }

  /** A refusal of a goniometer message: said in the panel, the form ready again. */
  function failed(msg) {
    if (!TRACK_ERRORS.has(msg.code)) return false;
    resetAsk();
    status(typeof msg.message === 'string' ? msg.message : 'That could not be done.');
    return true;
  }

  return {
    handle,
    failed,
    /** The panel shows once the call has started (the host's form), or when asked (the patient's side). */
    show(inCall) { if (host) panel.hidden = !inCall; },
    stop() { stopSource(); },
    useRecording(frames) { g.recording = Array.isArray(frames) ? frames : null; },
  };
}
