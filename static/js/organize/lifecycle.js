// State and transitions: POST /contests/{id}/transition (a reopen needs a reason) and
// POST /contests/{id}/unfreeze. On success the page reloads to show the new state and its
// transitions; a refusal (409/422) shows the API's message and what is missing.
import { api } from '../api.js';
import { clearFailure, notice, showFailure } from './common.js';

export function initLifecycle(config, text) {
  const base = `/contests/${config.contestId}`;
  const errors = document.getElementById('transition-errors');
  const buttons = [...document.querySelectorAll('#lifecycle button')];

  async function post(path, body, done) {
    clearFailure(errors);
    buttons.forEach((button) => { button.disabled = true; });
    try {
      await api('POST', path, body);
      notice(done);
      window.location.reload();
    } catch (error) {
      showFailure(error, text, errors, text.errorLabels);
      buttons.forEach((button) => { button.disabled = false; });
    }
  }

  for (const button of document.querySelectorAll('button.transition')) {
    button.addEventListener('click', () => post(`${base}/transition`, { to: button.dataset.to }, text.transitioned));
  }
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
