// The animated demonstration of an exercise. The server sends each key pose as points of a
// stick figure (the same points it draws the still pictures from); this moves every point
// smoothly from pose to pose, pausing at each. With reduced motion, or without this script,
// the still pictures stay.

const SVG = 'http://www.w3.org/2000/svg';
const BONES = [
  ['shoulder-l', 'elbow-l'], ['elbow-l', 'hand-l'], ['hip-l', 'knee-l'], ['knee-l', 'ankle-l'], ['ankle-l', 'toe-l'],
  ['neck', 'pelvis'], ['shoulder-l', 'shoulder-r'], ['hip-l', 'hip-r'],
  ['shoulder-r', 'elbow-r'], ['elbow-r', 'hand-r'], ['hip-r', 'knee-r'], ['knee-r', 'ankle-r'], ['ankle-r', 'toe-r'],
];
const MOVE_MS = 1400;
const HOLD_MS = 900;

function el(name, attrs, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}

const ease = (t) => (t < 0.5 ? 2 * t * t : 1 - Math.pow(-2 * t + 2, 2) / 2);

function mix(a, b, t) {
  const out = {};
  for (const key of Object.keys(a)) {
    const p = a[key];
    const q = b[key] || p;
    out[key] = [p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t];
  }
  return out;
}

/** Draws the figure into `svg` and returns a function that moves it to new points. */
export function figure(svg, data) {
  const [x, y, w] = data.viewBox;
  el('line', { class: 'floor', x1: x, y1: 0, x2: x + w, y2: 0 }, svg);
  for (const shape of data.props) {
    const a = shape.at;
    if (shape.kind === 'rect') el('rect', { class: 'prop', x: a[0], y: a[1], width: a[2], height: a[3] }, svg);
    else el('line', { class: 'prop', x1: a[0], y1: a[1], x2: a[2], y2: a[3] }, svg);
  }
  const lines = BONES.map(([a, b]) => [a, b, el('line', { class: a.endsWith('-l') || b.endsWith('-l') ? 'limb far' : 'limb' }, svg)]);
  const head = el('circle', { class: 'head', r: 7 }, svg);
  const held = (data.held || []).map((kind) => [kind, kind === 'ball' ? el('circle', { class: 'held', r: 5 }, svg)
    : kind === 'weights' ? [el('rect', { class: 'held', width: 6, height: 4 }, svg), el('rect', { class: 'held', width: 6, height: 4 }, svg)]
    : el('line', { class: kind === 'band' ? 'band' : 'held' }, svg)]);
  return (points) => {
    for (const [a, b, line] of lines) {
      line.setAttribute('x1', points[a][0]); line.setAttribute('y1', points[a][1]);
      line.setAttribute('x2', points[b][0]); line.setAttribute('y2', points[b][1]);
    }
    head.setAttribute('cx', points.head[0]); head.setAttribute('cy', points.head[1]);
    const l = points['hand-l'], r = points['hand-r'];
    for (const [kind, node] of held) {
      if (kind === 'ball') { node.setAttribute('cx', (l[0] + r[0]) / 2); node.setAttribute('cy', (l[1] + r[1]) / 2); }
      else if (kind === 'weights') { [l, r].forEach((h, i) => { node[i].setAttribute('x', h[0] - 3); node[i].setAttribute('y', h[1] - 2); }); }
      else {
        const from = kind === 'band' && data.anchor ? data.anchor : l;
        node.setAttribute('x1', from[0]); node.setAttribute('y1', from[1]); node.setAttribute('x2', r[0]); node.setAttribute('y2', r[1]);
      }
    }
  };
}

/** An animation of `data` in a new SVG; returns {svg, play, pause, label}. */
export function animation(data, title, onLabel) {
  const svg = el('svg', { class: 'figure', viewBox: data.viewBox.join(' '), role: 'img', 'aria-label': `${title}: demonstration` });
  const draw = figure(svg, data);
  const poses = data.poses;
  draw(poses[0].points);
  let running = false, from = 0, started = 0, frame = 0;
  const step = (now) => {
    if (!running) return;
    if (!started) started = now;
    const to = (from + 1) % poses.length;
    const t = (now - started) / MOVE_MS;
    if (t < 1) {
      draw(mix(poses[from].points, poses[to].points, ease(t)));
    } else if (t < 1 + HOLD_MS / MOVE_MS) {
      draw(poses[to].points);
      if (onLabel) onLabel(poses[to].label);
    } else {
      from = to;
      started = now;
    }
    frame = requestAnimationFrame(step);
  };
  return {
    svg,
    play() { if (!running) { running = true; started = 0; frame = requestAnimationFrame(step); } },
    pause() { running = false; cancelAnimationFrame(frame); },
    get running() { return running; },
  };
}

export const reducedMotion = () => window.matchMedia('(prefers-reduced-motion: reduce)').matches;

/** Turns each `[data-demo]` figure with data into a live demonstration with a pause button. */
export function enhance(root = document) {
  for (const demo of root.querySelectorAll('[data-demo]')) {
    const raw = demo.querySelector('.demo-data');
    if (!raw || demo.dataset.enhanced) continue;
    let data;
    try { data = JSON.parse(raw.textContent); } catch { continue; }
    if (!data.poses || data.poses.length < 2) continue;
    demo.dataset.enhanced = '1';
    if (reducedMotion()) continue;
    const stage = demo.querySelector('.demo-stage');
    const live = document.createElement('div');
    live.className = 'demo-live';
    const label = document.createElement('p');
    label.className = 'muted';
    label.setAttribute('aria-hidden', 'true');
    const anim = animation(data, demo.dataset.title || 'Exercise', (text) => { label.textContent = text; });
    live.append(anim.svg, label);
    const controls = document.createElement('div');
    controls.className = 'demo-controls';
    const toggle = document.createElement('button');
    toggle.type = 'button';
    toggle.className = 'secondary';
    toggle.textContent = 'Pause demonstration';
    toggle.addEventListener('click', () => {
      if (anim.running) { anim.pause(); toggle.textContent = 'Play demonstration'; } else { anim.play(); toggle.textContent = 'Pause demonstration'; }
    });
    const stills = demo.querySelector('.demo-stills');
    const showStills = document.createElement('button');
    showStills.type = 'button';
    showStills.className = 'link-button';
    showStills.textContent = 'Show the key poses';
    showStills.addEventListener('click', () => { stills.hidden = !stills.hidden; showStills.textContent = stills.hidden ? 'Show the key poses' : 'Hide the key poses'; });
    controls.append(toggle, showStills);
    stills.hidden = true;
    stage.prepend(live);
    stage.append(controls);
    anim.play();
  }
}

enhance();
