// /organize: fill the new-contest form's choices from the API (occupations, ready promotion
// policies), create the draft with POST /contests and open its page.
import { api } from '../lib/api.js';
import { notice, readJson } from '../lib/dom.js';
import { clearFailure, showFailure } from '../lib/failures.js';
import { fillChoices, settingsBody } from './settings-form.js';

const config = readJson('organize-config');
const text = readJson('organize-text');
const form = document.getElementById('new-contest');
const errors = document.getElementById('new-errors');
const choices = fillChoices('new', text);

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearFailure({ form, list: errors });
  const request = settingsBody(form, await choices);
  if (request.ends_at <= request.starts_at) {
    notice(text.badTimes, 'error');
    return;
  }
  const button = document.getElementById('new-submit');
  button.disabled = true;
  notice(text.creating, 'info');
  try {
    const created = await api('POST', '/contests', request);
    window.location.assign(`${config.contestUrl}${created.id}`);
  } catch (error) {
    showFailure(error, text, { form, list: errors });
    button.disabled = false;
  }
});
