// The contest settings fields (templates/organize/_settings.html), shared by the new-contest form
// and the settings of a draft: their choices from the API and the request body they make.
import { api } from '../lib/api.js';
import { fill, notice, option } from '../lib/dom.js';
import { failureText } from '../lib/failures.js';

// Fill the occupation and promotion-policy choices; returns the ready policies by id.
export async function fillChoices(prefix, text) {
  const policies = new Map();
  const english = document.documentElement.lang === 'en';
  try {
    const [occupations, library] = await Promise.all([api('GET', '/occupations'), api('GET', '/policy-library')]);
    const select = document.getElementById(`${prefix}-occupation`);
    select.append(...occupations.map((o) => option(o.code, `${o.name} ${o.code}${o.direction ? ` (${o.direction})` : ''}`)));
    select.value = select.dataset.value;
    if (!occupations.length) notice(text.noOccupations, 'error');
    const policySelect = document.getElementById(`${prefix}-policy`);
    for (const ready of library) {
      policies.set(ready.id, ready.policy);
      policySelect.append(option(ready.id, english ? ready.title_en : ready.title_zh));
    }
  } catch (error) {
    notice(fill(text.loadFailed, { message: failureText(error, text) }), 'error');
  }
  return policies;
}

// datetime-local gives "YYYY-MM-DDTHH:MM": the API reads naive times in the contest's time zone.
const localTime = (value) => (value.length === 16 ? `${value}:00` : value);

// The body for POST /contests or PATCH /contests/{id}; `edit`: an empty freeze time clears it and
// the policy choice "current" keeps the contest's policy.
export function settingsBody(form, policies, { edit = false } = {}) {
  const data = new FormData(form);
  const out = {
    name: data.get('name').trim(),
    occupation_code: data.get('occupation_code'),
    tier: data.get('tier'),
    timezone: data.get('timezone').trim(),
    starts_at: localTime(data.get('starts_at')),
    ends_at: localTime(data.get('ends_at')),
    visibility: data.get('visibility'),
    precision: Number(data.get('precision')),
    team_size: Number(data.get('team_size')),
    appeal_window_minutes: Number(data.get('appeal_window_minutes')),
    blind: data.get('blind') === 'on',
    ceremony: data.get('ceremony') === 'on',
  };
  if (data.get('freeze_at')) out.freeze_at = localTime(data.get('freeze_at'));
  else if (edit) out.freeze_at = null;
  const policy = data.get('promotion_policy');
  if (policy && policy !== 'current') out.promotion_policy = policies.get(policy);
  else if (!policy && edit) out.promotion_policy = null;
  return out;
}
