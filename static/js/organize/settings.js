// The settings of a draft contest: PATCH /contests/{id} with the whole form (the API counts only
// what changed); the page reloads to show the new settings.
import { api } from '../lib/api.js';
import { notice } from '../lib/dom.js';
import { clearFailure, showFailure } from '../lib/failures.js';
import { fillChoices, settingsBody } from './settings-form.js';

export function initSettings(config, text) {
  const form = document.getElementById('settings-form');
  if (!form) return;
  const errors = document.getElementById('settings-errors');
  const choices = fillChoices('settings', text);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFailure({ form, list: errors });
    const request = settingsBody(form, await choices, { edit: true });
    if (request.ends_at <= request.starts_at) {
      notice(text.badTimes, 'error');
      return;
    }
    try {
      await api('PATCH', `/contests/${config.contestId}`, request);
      notice(text.saved);
      window.location.reload();
    } catch (error) {
      showFailure(error, text, { form, list: errors, labels: text.errorLabels });
    }
  });
}
