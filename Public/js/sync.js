// Practice logs kept on this device until the server has them. The player adds each log here
// first and then tries to send it; anything not sent (no connection, signed out) stays and is
// sent when the connection is back or the next page loads. The server accepts each log once
// (by the id made here), so sending twice never counts twice.

const KEY = 'gonio-practice-queue';

export function pending() {
  try { return JSON.parse(localStorage.getItem(KEY) || '[]'); } catch { return []; }
}

function save(queue) {
  try { localStorage.setItem(KEY, JSON.stringify(queue)); } catch { /* storage full or blocked: the log stays in memory */ }
}

export function enqueue(url, body) {
  const queue = pending();
  queue.push({ url, body, queuedAt: new Date().toISOString() });
  save(queue);
}

function csrf() {
  return document.querySelector('meta[name="csrf-token"]')?.content || '';
}

let flushing = null;

/** Sends what is waiting; resolves to {sent, left, answers}. `answers` maps a log id to the server's reply. */
export function flush() {
  if (flushing) return flushing;
  flushing = (async () => {
    let sent = 0;
    const answers = {};
    for (const entry of pending()) {
      let response;
      try {
        response = await fetch(entry.url, {
          method: 'POST', credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf(), Accept: 'application/json' },
          body: JSON.stringify(entry.body),
        });
      } catch {
        break; // offline: try again later, in order
      }
      if (response.status === 401 || response.status === 403 || response.status >= 500) break;
      // Sent (201), already there (200), or refused for good (4xx): it leaves the queue.
      const reply = await response.json().catch(() => ({}));
      answers[entry.body.id] = { status: response.status, reply };
      save(pending().filter((e) => e.body.id !== entry.body.id));
      if (response.ok) sent += 1;
    }
    flushing = null;
    return { sent, left: pending().length, answers };
  })();
  return flushing;
}

export function keepSending(onChange) {
  const run = () => flush().then((r) => onChange && onChange(r));
  window.addEventListener('online', run);
  setInterval(() => { if (pending().length) run(); }, 30000);
  if (pending().length) run();
}
