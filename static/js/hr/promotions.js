// /hr/promotions: confirm or reject promotion proposals one by one or in batches.
// Every decision carries the row's version; a 409 (someone else decided, or the row changed) shows a
// message and reloads the row from GET /api/v1/promotions/{id}. Each click sends an Idempotency-Key,
// so a retry of the same request cannot decide twice.
import { api, ApiError } from '../lib/api.js';
import { el, fill, readJson } from '../lib/dom.js';
import { failureText } from '../lib/failures.js';
import { previewRatio } from './ratio-preview.js';

const labels = readJson('promo-labels');
const messages = document.getElementById('promo-messages');
const confirmDialog = document.getElementById('confirm-dialog');
const rejectDialog = document.getElementById('reject-dialog');
const reasonInput = document.getElementById('reject-reason');

const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);

function say(text, kind = 'success') {
  messages.replaceChildren(el('p', { className: `flash flash-${kind}` }, text));
}

function rowResult(row, text, kind) {
  const box = row.querySelector('[data-role="result"]');
  box.replaceChildren(text ? el('span', { className: `promo-result-${kind}` }, text) : '');
}

// Bring a row up to date with a promotion as GET /promotions/{id} (or a decision) returns it.
function renderRow(row, promotion) {
  row.dataset.version = promotion.version;
  row.dataset.status = promotion.status;
  row.className = `promo-row promo-row-${promotion.status}`;
  const status = row.querySelector('[data-role="status"]');
  status.replaceChildren(el('span', { className: `promo-tag promo-tag-${promotion.status}` },
    labels.status[promotion.status] || promotion.status));
  if (promotion.status === 'rejected' && promotion.reject_reason) {
    status.append(el('div', { className: 'promo-reason muted hr-small' }, labels.reject_reason + promotion.reject_reason));
  }
  const actions = row.querySelector('[data-role="actions"]');
  actions.replaceChildren();
  if (promotion.status === 'proposed') {
    const confirm = el('button', { type: 'button', className: 'button hr-small' }, labels.confirm);
    const reject = el('button', { type: 'button', className: 'button secondary hr-small' }, labels.reject);
    confirm.dataset.action = 'confirm';
    reject.dataset.action = 'reject';
    actions.append(confirm, ' ', reject);
  } else if (promotion.status === 'confirmed' && promotion.certificate_number) {
    const link = el('a', { className: 'promo-cert', href: `/certificates/${promotion.certificate_number}` },
      labels.certificate, el('br'), el('code', {}, promotion.certificate_number));
    link.dataset.testid = 'certificate-link';
    actions.append(link);
  }
  const check = row.querySelector('.promo-check');
  if (check) {
    check.checked = false;
    check.disabled = promotion.status !== 'proposed';
  }
  updateSelection(row.closest('.promo-contest'));
}

// Reload a row after a 409; true when someone else changed it (another status or version).
async function reloadRow(row) {
  const before = `${row.dataset.status}/${row.dataset.version}`;
  try {
    renderRow(row, await api('GET', `/promotions/${row.dataset.id}`));
  } catch {
    return false;
  }
  return `${row.dataset.status}/${row.dataset.version}` !== before;
}

function personOf(row) {
  return row.dataset.person;
}

// A decision: POST with a fresh Idempotency-Key -> {data} or {error} (an ApiError).
async function send(path, body) {
  try {
    return { data: await api('POST', path, body, { headers: { 'Idempotency-Key': newKey() } }) };
  } catch (error) {
    return { error };
  }
}

// Show the outcome of one decision on its row: the new state, or why it was refused (a 409 reloads it).
async function showOutcome(row, action, promotion, error) {
  if (!error) {
    renderRow(row, promotion);
    rowResult(row, action === 'confirm' ? labels.confirmed_ok : labels.rejected_ok, 'ok');
  } else if (error.status === 409 && await reloadRow(row)) {
    rowResult(row, labels.stale, 'error');
  } else {
    rowResult(row, labels.failed + failureText(error), 'error');
  }
}

function selectedRows(section) {
  return [...section.querySelectorAll('tr.promo-row')]
    .filter((row) => row.dataset.status === 'proposed' && row.querySelector('.promo-check')?.checked);
}

function updateSelection(section) {
  if (!section) return;
  for (const counter of section.querySelectorAll('[data-count]')) {
    const status = counter.dataset.count;
    if (status !== 'not_eligible') {
      counter.textContent = section.querySelectorAll(`tr.promo-row[data-status="${status}"]`).length;
    }
  }
  const count = selectedRows(section).length;
  previewRatio(section, selectedRows(section).map((row) => Number(row.dataset.id)));
  const counter = section.querySelector('[data-role="selected-count"]');
  if (counter) counter.textContent = fill(labels.selected, { n: count });
  for (const button of section.querySelectorAll('[data-action="batch-confirm"], [data-action="batch-reject"]')) {
    button.disabled = count === 0;
  }
  const all = section.querySelector('[data-action="select-all"]');
  if (all) {
    const open = [...section.querySelectorAll('tr.promo-row')].filter((row) => row.dataset.status === 'proposed');
    all.checked = open.length > 0 && count === open.length;
    all.indeterminate = count > 0 && count < open.length;
  }
}

// Open a <dialog>; resolves to the reason (reject), true (confirm) or null when cancelled.
function ask(dialog, summary, needReason) {
  dialog.querySelector('[data-role="summary"]').textContent = summary;
  const error = dialog.querySelector('[data-role="error"]');
  if (error) error.hidden = true;
  if (needReason) reasonInput.value = '';
  return new Promise((resolve) => {
    const form = dialog.querySelector('form');
    const onSubmit = (event) => {
      const ok = event.submitter && event.submitter.value === 'ok';
      if (ok && needReason && !reasonInput.value.trim()) {
        event.preventDefault();
        error.textContent = labels.reason_required;
        error.hidden = false;
        reasonInput.focus();
        return;
      }
      form.removeEventListener('submit', onSubmit);
      dialog.removeEventListener('cancel', onCancel);
      resolve(ok ? (needReason ? reasonInput.value.trim() : true) : null);
    };
    const onCancel = () => {
      form.removeEventListener('submit', onSubmit);
      dialog.removeEventListener('cancel', onCancel);
      resolve(null);
    };
    form.addEventListener('submit', onSubmit);
    dialog.addEventListener('cancel', onCancel);
    dialog.showModal();
    if (needReason) reasonInput.focus();
  });
}

async function decideOne(row, action) {
  const transition = row.querySelector('.promo-transition').textContent.replace(/\s+/g, ' ').trim();
  const summary = fill(labels.summary, { person: personOf(row), change: transition });
  let body = { version: Number(row.dataset.version) };
  if (action === 'confirm') {
    if (!(await ask(confirmDialog, summary, false))) return;
  } else {
    const reason = await ask(rejectDialog, summary, true);
    if (reason === null) return;
    body = { ...body, reason };
  }
  rowResult(row, labels.working, 'info');
  for (const button of row.querySelectorAll('button')) button.disabled = true;
  const result = await send(`/promotions/${row.dataset.id}/${action}`, body);
  for (const button of row.querySelectorAll('button')) button.disabled = false;
  await showOutcome(row, action, result.data, result.error);
}

async function decideBatch(section, action) {
  const rows = selectedRows(section);
  if (!rows.length) {
    say(labels.none_selected, 'error');
    return;
  }
  const summary = rows.map((row) => personOf(row)).join(labels.separator);
  let reason;
  if (action === 'confirm') {
    if (!(await ask(confirmDialog, summary, false))) return;
  } else {
    reason = await ask(rejectDialog, summary, true);
    if (reason === null) return;
  }
  const decisions = rows.map((row) => {
    const decision = { id: Number(row.dataset.id), version: Number(row.dataset.version), action };
    if (action === 'reject') decision.reason = reason;
    return decision;
  });
  for (const row of rows) rowResult(row, labels.working, 'info');
  const result = await send('/promotions/decide', { decisions });
  if (result.error) {
    say(labels.failed + failureText(result.error), 'error');
    for (const row of rows) rowResult(row, '', 'info');
    return;
  }
  const byId = new Map(rows.map((row) => [Number(row.dataset.id), row]));
  for (const item of result.data.results) {
    const row = byId.get(item.id);
    if (!row) continue;
    const error = item.ok ? null : new ApiError(item.status, { message: item.message, reason: item.reason });
    await showOutcome(row, item.action, item.promotion, error);
  }
  const { confirmed, rejected, failed } = result.data;
  say(fill(labels.batch_done, { c: confirmed, r: rejected, f: failed }), failed ? 'error' : 'success');
}

document.addEventListener('click', (event) => {
  const target = event.target.closest('[data-action]');
  if (!target) return;
  const action = target.dataset.action;
  const section = target.closest('.promo-contest');
  if (action === 'confirm' || action === 'reject') {
    decideOne(target.closest('tr'), action);
  } else if (action === 'batch-confirm') {
    decideBatch(section, 'confirm');
  } else if (action === 'batch-reject') {
    decideBatch(section, 'reject');
  }
});

document.addEventListener('change', (event) => {
  const target = event.target;
  const section = target.closest('.promo-contest');
  if (!section) return;
  if (target.dataset.action === 'select-all') {
    for (const row of section.querySelectorAll('tr.promo-row')) {
      const check = row.querySelector('.promo-check');
      if (check && !check.disabled) check.checked = target.checked;
    }
  }
  updateSelection(section);
});

for (const section of document.querySelectorAll('.promo-contest')) updateSelection(section);
