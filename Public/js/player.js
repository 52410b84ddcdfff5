// The guided player: today's session one exercise at a time, with the demonstration, a large
// repetition counter, hold and rest timers with sounds and spoken cues, pause, skip, and a
// report of pain and effort after each exercise. Everything it needs is in the page, so once
// loaded it runs without a connection; logs are kept on the device and sent when they can be.

import { animation, reducedMotion } from './demo.js';
import { enqueue, flush, keepSending, pending } from './sync.js';
import { startCamera, replay } from './tracking.js';

const root = document.querySelector('[data-player]');
const data = JSON.parse(document.getElementById('player-data').textContent);
const live = document.getElementById('player-live');
const prefs = { voice: localStorage.getItem('gonio-voice') !== 'off' };

// ---- Small helpers -------------------------------------------------------------------------

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

function say(text) {
  live.textContent = text;
  if (!prefs.voice || !('speechSynthesis' in window)) return;
  try {
    window.speechSynthesis.cancel();
    const u = new SpeechSynthesisUtterance(text);
    u.rate = 0.95;
    window.speechSynthesis.speak(u);
  } catch { /* no voice on this device */ }
}

let audio;
function beep(high = false) {
  if (!prefs.voice) return;
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = high ? 880 : 587;
    gain.gain.setValueAtTime(0.15, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.35);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.35);
  } catch { /* no sound on this device */ }
}

function show(...nodes) {
  root.replaceChildren(...nodes.filter((n) => n != null));
  const heading = root.querySelector('h2');
  if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus(); }
}

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** A 0-10 scale of big buttons; resolves the chosen number through `onPick`. */
function scale(name, labelText, hint, onPick, labels = {}) {
  const group = h('fieldset', { class: 'scale-buttons' }, h('legend', {}, labelText), hint ? h('p', { class: 'hint' }, hint) : null);
  const row = h('div', { class: 'scale-row', role: 'group', 'aria-label': labelText });
  for (let n = 0; n <= 10; n += 1) {
    const b = h('button', { type: 'button', class: 'scale-button', 'aria-pressed': 'false', 'data-value': n, 'aria-label': `${n}${labels[n] ? `, ${labels[n]}` : ''}`,
      on: { click: () => {
        for (const other of row.querySelectorAll('button')) other.setAttribute('aria-pressed', 'false');
        b.setAttribute('aria-pressed', 'true');
        onPick(n);
      } } }, String(n));
    row.append(b);
  }
  group.append(row);
  if (labels[0] || labels[10]) group.append(h('p', { class: 'scale-ends hint' }, h('span', {}, `0 ${labels[0] || ''}`), h('span', {}, `10 ${labels[10] || ''}`)));
  return group;
}

// ---- Session state --------------------------------------------------------------------------

const session = { painBefore: null, index: 0, done: 0, skipped: 0, stopped: 0, alerts: 0, sentOffline: false };
const steps = data.steps;

function setsFor(step) {
  return step.dose.sets * (step.dose.side === 'each' ? 2 : 1);
}

function sideLabel(step, set) {
  if (step.dose.side === 'each') return set <= step.dose.sets ? 'right side' : 'left side';
  if (step.dose.side === 'left') return 'left side';
  if (step.dose.side === 'right') return 'right side';
  return '';
}

// ---- Screens --------------------------------------------------------------------------------

function start() {
  if (!steps.length) return;
  let chosen = null;
  const go = h('button', { type: 'button', class: 'big-button', disabled: true, on: { click: () => { session.painBefore = chosen; intro(); } } }, 'Start');
  show(
    h('h2', {}, `Today: ${steps.length} exercise${steps.length === 1 ? '' : 's'}`),
    h('p', {}, data.sessions > 1 ? `Session ${data.session} of ${data.sessions} today.` : 'Go at your own pace. You can pause at any time.'),
    scale('pain-before', 'How much pain do you have right now?', '0 is no pain, 10 is the worst pain you can imagine.',
      (n) => { chosen = n; go.disabled = false; }, { 0: 'no pain', 10: 'worst pain' }),
    go,
    voiceToggle(),
  );
}

function voiceToggle() {
  const b = h('button', { type: 'button', class: 'link-button', 'aria-pressed': String(prefs.voice), on: { click: () => {
    prefs.voice = !prefs.voice;
    localStorage.setItem('gonio-voice', prefs.voice ? 'on' : 'off');
    b.setAttribute('aria-pressed', String(prefs.voice));
    b.textContent = prefs.voice ? 'Sound and voice: on' : 'Sound and voice: off';
  } } }, prefs.voice ? 'Sound and voice: on' : 'Sound and voice: off');
  return b;
}

function demo(step) {
  if (!step.drawing || !step.drawing.poses || step.drawing.poses.length < 2) return null;
  const anim = animation(step.drawing, step.name);
  if (reducedMotion()) { return h('div', { class: 'player-demo' }, anim.svg); }
  anim.play();
  return h('div', { class: 'player-demo' }, anim.svg);
}

function progress() {
  return h('p', { class: 'player-progress' }, `Exercise ${session.index + 1} of ${steps.length}`);
}

function intro() {
  const step = steps[session.index];
  if (!step) return finish();
  const details = h('details', {}, h('summary', {}, 'How to do it'), h('ol', {}, step.instructions.map((t) => h('li', {}, t))),
    h('p', {}, h('strong', {}, 'Safety: '), step.safety.join(' ')));
  show(
    progress(),
    h('h2', {}, step.name),
    demo(step),
    h('p', { class: 'player-dose' }, step.doseSummary),
    step.notes ? h('p', { class: 'therapist-note' }, step.notes) : null,
    h('ul', { class: 'cues' }, step.cues.map((c) => h('li', {}, c))),
    details,
    h('div', { class: 'player-actions' },
      h('button', { type: 'button', class: 'big-button', on: { click: () => run(step) } }, 'Begin'),
      h('button', { type: 'button', class: 'secondary', on: { click: () => skip(step) } }, 'Skip this exercise')),
  );
  say(`${step.name}. ${step.doseSummary}.`);
}

function run(step) {
  const total = setsFor(step);
  const state = { set: 1, reps: 0, paused: false, timer: null, remaining: 0, phase: 'work' };
  const counter = h('button', { type: 'button', class: 'counter', 'aria-describedby': 'counter-help' });
  const help = h('p', { class: 'hint', id: 'counter-help' });
  const status = h('p', { class: 'player-status' });
  const pause = h('button', { type: 'button', class: 'secondary', on: { click: togglePause } }, 'Pause');
  const isHold = step.dose.holdSeconds > 0;
  const target = step.dose.reps;

  function clear() { if (state.timer) clearInterval(state.timer); state.timer = null; }

  function countdown(seconds, label, done) {
    clear();
    state.remaining = seconds;
    const tick = () => {
      if (state.paused) return;
      counter.textContent = `${state.remaining}`;
      counter.setAttribute('aria-label', `${label}: ${state.remaining} seconds left`);
      if (state.remaining <= 3 && state.remaining > 0) beep(false);
      if (state.remaining <= 0) { clear(); beep(true); done(); return; }
      state.remaining -= 1;
    };
    tick();
    state.timer = setInterval(tick, 1000);
  }

  function render() {
    const side = sideLabel(step, state.set);
    status.textContent = `Set ${state.set} of ${total}${side ? `, ${side}` : ''}`;
    if (state.phase === 'rest') return;
    if (isHold && target === 0) {
      counter.textContent = 'Start hold';
      counter.setAttribute('aria-label', `Start the ${step.dose.holdSeconds} second hold`);
      help.textContent = `Hold for ${step.dose.holdSeconds} seconds.`;
    } else {
      counter.textContent = `${state.reps} / ${target}`;
      counter.setAttribute('aria-label', `${state.reps} of ${target} repetitions. ${isHold ? 'Tap to start the next hold.' : 'Tap after each repetition.'}`);
      help.textContent = isHold ? `Tap to start each ${step.dose.holdSeconds} second hold.` : 'Tap the big button after each repetition.';
    }
  }

  function setDone() {
    if (state.set >= total) { clear(); return report(step, { outcome: 'completed', setsDone: total, repsDone: total * Math.max(target, 0) }); }
    state.phase = 'rest';
    status.textContent = `Rest before set ${state.set + 1}`;
    help.textContent = 'Breathe easily. The next set starts when the timer ends, or tap to start now.';
    say(`Rest for ${step.dose.restSeconds} seconds.`);
    const next = () => { state.phase = 'work'; state.set += 1; state.reps = 0; render(); say(`Set ${state.set}. ${sideLabel(step, state.set)}`); };
    if (step.dose.restSeconds > 0) countdown(step.dose.restSeconds, 'Rest', next); else next();
  }

  function tap() {
    if (state.paused) return;
    if (state.phase === 'rest') { clear(); state.phase = 'work'; state.set += 1; state.reps = 0; render(); return; }
    if (state.phase === 'hold') return;
    if (isHold) {
      state.phase = 'hold';
      say('Hold');
      countdown(step.dose.holdSeconds, 'Hold', () => {
        state.phase = 'work';
        say('Relax');
        if (target === 0) { setDone(); return; }
        state.reps += 1;
        render();
        if (state.reps >= target) setDone();
      });
      return;
    }
    state.reps += 1;
    beep(state.reps >= target);
    render();
    if (state.reps === target) setDone();
  }

  function togglePause() {
    state.paused = !state.paused;
    pause.textContent = state.paused ? 'Resume' : 'Pause';
    say(state.paused ? 'Paused' : 'Carry on');
  }

  function doneSoFar() {
    const setsDone = state.set - 1 + (state.reps >= target && target > 0 ? 1 : 0);
    return { setsDone, repsDone: (state.set - 1) * target + (state.phase === 'rest' ? 0 : state.reps) };
  }

  counter.addEventListener('click', tap);

  // Camera counting, for exercises Gonio tracks: each repetition the camera sees counts like a
  // tap, and its form cue is spoken. Tapping keeps working all along.
  const tracking = { controller: null, reps: 0, partial: 0, lows: [], highs: [], scores: [] };
  const trackView = h('div', { class: 'tracking-view' });
  const trackStatus = h('p', { class: 'tracking-status', role: 'status' });
  const handlers = {
    rep(m) {
      // The in-session rules run on the server with the clinic's thresholds (form slipping,
      // repetitions short of the range): it says when to rest, once a set.
      const rest = m.advice && m.advice.action === 'rest' ? m.advice.reason : null;
      if (!m.counted) {
        tracking.partial += 1;
        trackStatus.textContent = rest || 'That one was only part of the way: it is not counted.';
        if (rest) say(rest);
        return;
      }
      tracking.reps += 1;
      if (m.rom && m.rom.min != null) tracking.lows.push(m.rom.min);
      if (m.rom && m.rom.max != null) tracking.highs.push(m.rom.max);
      tracking.scores.push(m.formScore);
      const cue = (m.cues || [])[0];
      trackStatus.textContent = cue ? `Counted. ${cue}.` : 'Counted. Good form.';
      if (cue) say(cue);
      if (rest) {
        trackStatus.textContent = rest;
        say(rest);
      }
      // A repetition seen is one done, holds included (the camera saw it held and lowered).
      if (isHold) {
        if (state.phase !== 'work' || state.paused) return;
        state.reps += 1;
        beep(state.reps >= target);
        render();
        if (state.reps >= target) setDone();
      } else {
        tap();
      }
    },
    closed() { if (tracking.controller) trackStatus.textContent = 'Camera counting stopped. Count by tapping.'; },
  };
  step.tracking = tracking;
  const cameraButton = step.motionSpec && target > 0 ? h('button', { type: 'button', class: 'secondary', on: { click: async () => {
    if (tracking.controller) { tracking.controller.stop(); tracking.controller = null; cameraButton.textContent = 'Count with the camera'; return; }
    trackStatus.textContent = 'Starting the camera…';
    try {
      tracking.controller = await startCamera(data, step, trackView, handlers);
      cameraButton.textContent = 'Stop the camera';
      trackStatus.textContent = 'The camera is counting. Only the positions of your joints are sent, never the picture.';
    } catch (err) {
      trackStatus.textContent = err.message;
    }
  } } }, 'Count with the camera') : null;
  window.gonioTracking = step.motionSpec ? {
    replay(frames) {
      if (tracking.controller) tracking.controller.stop();
      trackStatus.textContent = 'Replaying a recorded movement.';
      tracking.controller = replay(data, step, frames, trackView, handlers);
    },
    counted: () => tracking.reps,
  } : undefined;

  const stop = h('button', { type: 'button', class: 'stop-button', on: { click: () => { clear(); report(step, { outcome: 'stopped', ...doneSoFar() }, true); } } },
    'Stop: it hurts or I feel unwell');
  const finishEarly = h('button', { type: 'button', class: 'secondary', on: { click: () => { clear(); report(step, { outcome: 'partial', ...doneSoFar() }); } } },
    'Finish this exercise now');
  show(progress(), h('h2', {}, step.name), demo(step), status, counter, help,
    ...(cameraButton ? [h('div', { class: 'tracking' }, cameraButton, trackStatus, trackView)] : []),
    h('div', { class: 'player-actions' }, pause, finishEarly), stop);
  render();
  say(`Set 1. ${sideLabel(step, 1)} ${isHold ? `Hold for ${step.dose.holdSeconds} seconds` : `${target} repetitions`}.`);
}

function skip(step) {
  stopTracking(step);
  send(step, { outcome: 'skipped', setsDone: 0, repsDone: 0 });
  session.skipped += 1;
  next();
}

function stopTracking(step) {
  if (step.tracking && step.tracking.controller) { step.tracking.controller.stop(); step.tracking.controller = null; }
}

/** What the camera counted for `step`, for its log; nothing when it was not used. */
function motionSummary(step) {
  const t = step.tracking;
  if (!t || t.reps + t.partial === 0) return null;
  const mean = (xs) => xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length * 10) / 10 : null;
  const low = t.lows.length ? Math.round(Math.min(...t.lows) * 10) / 10 : null;
  const high = mean(t.highs);
  return { spec: step.motionSpec, source: 'camera', repsCounted: t.reps, partialReps: t.partial,
    romMin: low, romMax: high != null && low != null && high < low ? low : high,
    formScore: t.scores.length ? Math.round(mean(t.scores)) : null, formScores: t.scores.slice(0, 200) };
}

function report(step, work, stoppedForPain = false) {
  stopTracking(step);
  const answers = { painDuring: null, painAfter: null, effort: null, feeling: null };
  const warning = h('div', { class: 'pain-warning', role: 'alert', hidden: true },
    h('h3', {}, 'Stop this exercise for today'),
    h('p', {}, `Pain above ${data.painLimit} out of 10 is more than this exercise should cause. Rest, and do not do it again today. Your therapist will be told. If the pain is severe or you feel unwell, get medical help.`));
  const save = h('button', { type: 'button', class: 'big-button', disabled: true, on: { click: () => {
    const outcome = answers.painDuring > data.painLimit && work.outcome === 'completed' ? 'stopped' : work.outcome;
    send(step, { ...work, outcome, painDuring: answers.painDuring, painAfter: answers.painAfter, effort: answers.effort,
      feeling: answers.feeling, note: note.value.trim() || null });
    if (outcome === 'stopped') session.stopped += 1; else session.done += 1;
    if (Math.max(answers.painDuring ?? 0, answers.painAfter ?? 0) > data.painLimit) session.alerts += 1;
    next();
  } } }, 'Save and continue');
  const ready = () => { save.disabled = answers.painDuring === null || answers.painAfter === null; };
  const note = h('textarea', { id: 'log-note', rows: 2, maxlength: 1000 });
  const feelings = h('div', { class: 'feeling-row', role: 'group', 'aria-label': 'How hard did it feel?' },
    [['too-easy', 'Too easy'], ['about-right', 'About right'], ['too-hard', 'Too hard']].map(([value, text]) => {
      const b = h('button', { type: 'button', class: 'secondary', 'aria-pressed': 'false', on: { click: () => {
        for (const other of feelings.querySelectorAll('button')) other.setAttribute('aria-pressed', 'false');
        b.setAttribute('aria-pressed', 'true');
        answers.feeling = value;
      } } }, text);
      return b;
    }));
  show(
    progress(),
    h('h2', {}, stoppedForPain ? `You stopped ${step.name}` : `${step.name}: how was it?`),
    scale('pain-during', 'Worst pain during the exercise', null, (n) => {
      answers.painDuring = n;
      warning.hidden = n <= data.painLimit;
      if (n > data.painLimit) say('Stop this exercise for today. Your therapist will be told.');
      ready();
    }, { 0: 'no pain', 10: 'worst pain' }),
    warning,
    scale('pain-after', 'Pain now', null, (n) => { answers.painAfter = n; ready(); }, { 0: 'no pain', 10: 'worst pain' }),
    scale('effort', 'How hard did you work? (effort)', '0 is rest, 10 is the hardest you could ever work.', (n) => { answers.effort = n; },
      { 0: 'rest', 10: 'maximal' }),
    h('fieldset', { class: 'scale-buttons' }, h('legend', {}, 'How did it feel?'), feelings),
    h('div', { class: 'field' }, h('label', { for: 'log-note' }, 'Anything to tell your therapist? (optional)'), note),
    save,
  );
}

function send(step, fields) {
  const motion = fields.outcome === 'skipped' ? null : motionSummary(step);
  const body = { id: uuid(), itemId: step.itemId, performedAt: new Date().toISOString(), painBefore: session.painBefore, ...fields, motion };
  for (const k of Object.keys(body)) if (body[k] === null) delete body[k];
  enqueue(data.logURL, body);
  flush().then((r) => { if (r.left) session.sentOffline = true; });
}

function next() {
  session.index += 1;
  if (session.index >= steps.length) finish(); else intro();
}

function finish() {
  const status = h('p', { class: 'sync-status', role: 'status' }, 'Saving…');
  const update = (r) => {
    const left = r ? r.left : pending().length;
    status.textContent = left ? `Saved on this device. ${left} record${left === 1 ? '' : 's'} will be sent to your therapist when you are back online.`
      : 'Saved. Your therapist can see it.';
  };
  show(
    h('h2', {}, 'Well done'),
    h('p', { class: 'lead' }, 'That is today\'s session finished. Take a moment to rest and have a drink of water.'),
    h('ul', {}, h('li', {}, `${session.done} done`), session.stopped ? h('li', {}, `${session.stopped} stopped`) : null,
      session.skipped ? h('li', {}, `${session.skipped} skipped`) : null),
    session.alerts ? h('p', { class: 'pain-warning' }, `You reported pain above ${data.painLimit} out of 10. Your therapist will be told and will be in touch.`) : null,
    status,
    h('p', {}, h('a', { class: 'button', href: data.practiceURL }, 'See your progress')),
  );
  say('Well done. That is today\'s session finished.');
  flush().then(update);
}

keepSending();
document.addEventListener('keydown', (event) => {
  // Space or Enter on the page (not in a field) taps the counter, for keyboard users.
  const counter = root.querySelector('.counter');
  if (!counter || event.target.closest('input, textarea, button, select, a')) return;
  if (event.key === ' ' || event.key === 'Enter') { event.preventDefault(); counter.click(); }
});
root.hidden = false;
document.querySelector('[data-player-fallback]')?.setAttribute('hidden', '');
start();
