// Progressive enhancement for every page. The pages work without it.
import { keepSending, pending } from './sync.js';

// Registration: show only the section for the chosen role.
function bindRoleSections() {
  const radios = document.querySelectorAll('input[name="role"]');
  const sections = document.querySelectorAll('.role-section');
  if (!radios.length || !sections.length) return;
  const update = () => {
    const chosen = document.querySelector('input[name="role"]:checked')?.value;
    for (const section of sections) section.hidden = !section.dataset.role.split(' ').includes(chosen);
  };
  for (const radio of radios) radio.addEventListener('change', update);
  update();
}

// Move focus to an error summary so screen-reader and keyboard users hear it first.
function focusErrors() {
  const summary = document.getElementById('error-summary');
  if (summary) summary.focus();
}

// Registration: the device's time zone, so "today" is the patient's own day.
function fillTimeZone() {
  const field = document.getElementById('timeZone');
  if (field && !field.value) {
    try { field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch { /* the server picks one */ }
  }
}

bindRoleSections();
fillTimeZone();
focusErrors();

// Print buttons (the handout).
for (const button of document.querySelectorAll('[data-print]')) button.addEventListener('click', () => window.print());

// Practice logs kept on this device while offline are sent from whichever page is open.
if (pending().length) keepSending();
