// State and transitions: POST /contests/{id}/transition (a reopen needs a reason) and
// POST /contests/{id}/unfreeze. On success the page reloads to show the new state and its
// transitions; a refusal (409/422) shows the API's message and what is missing.
import { api } from '../lib/api.js';
import { el, notice } from '../lib/dom.js';
import { clearFailure, errorLines, failureText, showFailure } from '../lib/failures.js';

// The transitions the server would refuse now are disabled; each says why and what is missing.
function showBlockers(config, text, names) {
  const list = document.querySelector('#transition-blockers ul');
  if (!list) return;
  list.replaceChildren(...Object.entries(config.refused).map(([to, refusal]) => {
    const error = { reason: refusal.reason, body: { errors: refusal.errors } };
    const li = el('li', { 'data-to': to }, el('strong', {}, `${names[to] ?? to}: `), failureText(error, text));
    const details = errorLines(error, text.errorLabels);
    if (details.length) li.append(el('ul', {}, ...details.map((line) => el('li', {}, line))));
    return li;
  }));
}

export function initLifecycle(config, text) {
  const base = `/contests/${config.contestId}`;
  const errors = document.getElementById('transition-errors');
  const buttons = [...document.querySelectorAll('#lifecycle button:not(:disabled)')];
  showBlockers(config, text, text.transitionNames ?? {});
  document.addEventListener('scheme:imported', () => {  // imported on this page: the start is open now
    if (config.refused.running?.reason !== 'scheme_missing') return;
    delete config.refused.running;
    const start = document.querySelector('button.transition[data-to="running"]');
    start.disabled = false;
    start.removeAttribute('aria-describedby');
    buttons.push(start);
    showBlockers(config, text, text.transitionNames ?? {});
    if (!Object.keys(config.refused).length) document.getElementById('transition-blockers').hidden = true;
  });

  async function post(path, body, done) {
    clearFailure({ list: errors });
    buttons.forEach((button) => { button.disabled = true; });
    try {
      await api('POST', path, body);
      notice(done);
      window.location.reload();
    } catch (error) {
      showFailure(error, text, { list: errors, labels: text.errorLabels });
      buttons.forEach((button) => { button.disabled = false; });
    }
  }

  // Finalising asks first, saying whether the results go public at once or wait for the ceremony.
  const dialog = document.getElementById('finalise-dialog');
  for (const button of document.querySelectorAll('button.transition')) {
    const go = () => post(`${base}/transition`, { to: button.dataset.to }, text.transitioned);
    button.addEventListener('click', () => (button.dataset.to === 'final' && dialog ? dialog.showModal() : go()));
    if (button.dataset.to === 'final' && dialog) {
      document.getElementById('finalise-confirm').addEventListener('click', () => { dialog.close(); go(); });
    }
  }
  document.getElementById('finalise-cancel')?.addEventListener('click', () => dialog.close());
  document.getElementById('ceremony-toggle')?.addEventListener('change', async (event) => {
    clearFailure({ list: errors });
    try {
      await api('PATCH', base, { ceremony: event.target.checked });
      window.location.reload();
    } catch (error) {
      event.target.checked = !event.target.checked;
      showFailure(error, text, { list: errors, labels: text.errorLabels });
    }
  });
  document.getElementById('unfreeze')?.addEventListener('click', () => post(`${base}/unfreeze`, undefined, text.unfrozen));
  document.getElementById('reopen-form')?.addEventListener('submit', (event) => {
    event.preventDefault();
    const reason = document.getElementById('reopen-reason').value.trim();
    if (!reason) {
      notice(text.reasonRequired, 'error');
      return;
    }
    post(`${base}/transition`, { to: 'running_again', reason }, text.transitioned);
  });
}
