// The organiser's appeals page (/contests/{id}/appeals): record an appeal while the appeal
// window is open, list appeals with their status, record the arbitration decision with a reason.
import { api } from './lib/api.js';
import { cell, notice, readJson } from './lib/dom.js';
import { showFailure } from './lib/failures.js';

const config = readJson('appeals-config');
const text = readJson('appeals-text');
const base = `/contests/${config.contestId}/appeals`;
const names = new Map(config.competitors.map((c) => [c.id, `${c.bib} ${c.name}`]));

function decisionCell(appeal) {
  const td = document.createElement('td');
  if (appeal.decision) {
    td.textContent = appeal.reason;
    return td;
  }
  if (config.state !== 'provisional') return td;
  const form = document.createElement('form');
  form.className = 'decide-form';
  form.dataset.appealId = appeal.id;
  const reason = document.createElement('input');
  reason.name = 'reason';
  reason.placeholder = text.reason;
  reason.setAttribute('aria-label', text.reason);
  reason.maxLength = 2000;
  form.append(reason);
  for (const [decision, label] of [['dismissed', text.dismiss], ['upheld', text.uphold]]) {
    const button = document.createElement('button');
    button.type = 'submit';
    button.value = decision;
    button.className = decision === 'upheld' ? 'button' : 'button secondary';
    button.textContent = label;
    form.append(button);
  }
  form.addEventListener('submit', (event) => decide(event, form, reason));
  td.append(form);
  return td;
}

function render(appeals) {
  const body = document.getElementById('appeal-rows');
  body.replaceChildren();
  if (!appeals.length) {
    const row = document.createElement('tr');
    const empty = cell(text.none, 'muted');
    empty.colSpan = 6;
    row.append(empty);
    body.append(row);
    return;
  }
  for (const appeal of appeals) {
    const row = document.createElement('tr');
    row.dataset.appealId = appeal.id;
    const status = cell(text[appeal.status] ?? appeal.status, `appeal-status status-${appeal.status}`);
    row.append(cell(`#${appeal.id}`), cell(names.get(appeal.competitor_id) ?? appeal.competitor_id),
      cell(appeal.aspect_codes.join(', ')), cell(appeal.grounds), status, decisionCell(appeal));
    body.append(row);
  }
}

async function load() {
  try {
    render(await api('GET', base));
  } catch (error) {
    showFailure(error, text);
  }
}

async function decide(event, form, reason) {
  event.preventDefault();
  const decision = event.submitter?.value;
  if (!reason.value.trim()) {
    notice(text.reasonRequired, 'error');
    reason.focus();
    return;
  }
  try {
    await api('POST', `/appeals/${form.dataset.appealId}/decide`, { decision, reason: reason.value.trim() });
    notice(text.decided);
    await load();
  } catch (error) {
    showFailure(error, text);
  }
}

const appealForm = document.getElementById('appeal-form');
appealForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(appealForm);
  const aspects = data.getAll('aspect_codes');
  if (!aspects.length) {
    notice(text.chooseAspect, 'error');
    return;
  }
  try {
    await api('POST', base, {
      competitor_id: Number(data.get('competitor_id')), aspect_codes: aspects, grounds: data.get('grounds'),
    });
    appealForm.reset();
    notice(text.filed);
    await load();
  } catch (error) {
    showFailure(error, text);
  }
});

load();
