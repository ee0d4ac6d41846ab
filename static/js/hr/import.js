// /hr/people/import: upload a .xlsx or .csv file to POST /api/v1/enterprises/{id}/people/import.
// 200 -> created/updated counts; 422 with row errors -> a table of row, column, problem.
import { api } from '../lib/api.js';
import { el, fill, readJson } from '../lib/dom.js';
import { failureText } from '../lib/failures.js';

const text = readJson('import-text');

const form = document.getElementById('import-form');
const fileInput = document.getElementById('import-file');
const submit = document.getElementById('import-submit');
const status = document.getElementById('import-status');
const resultBox = document.getElementById('import-result');
const errorBox = document.getElementById('import-errors');

function reset() {
  status.replaceChildren();
  status.className = 'hr-messages';
  resultBox.hidden = true;
  errorBox.hidden = true;
  errorBox.querySelector('tbody').replaceChildren();
}

function showStatus(text, kind) {
  status.replaceChildren(el('p', { className: `flash flash-${kind}` }, text));
}

function showSuccess(data) {
  resultBox.querySelector('[data-testid="import-success"]').textContent =
    fill(data.unchanged ? text.doneUnchanged : text.done, data);
  resultBox.hidden = false;
}

function showRowErrors(data) {
  const errors = data.errors;
  const rows = new Set(errors.map((e) => e.row));
  errorBox.querySelector('[data-testid="import-error-summary"]').textContent =
    fill(text.rowErrors, { rows: rows.size, errors: errors.length });
  const body = errorBox.querySelector('tbody');
  for (const error of errors) {
    const column = error.column && error.column !== error.field
      ? fill(text.column, { column: error.column, field: error.field }) : error.field;
    body.append(el('tr', {},
      el('td', { className: 'num' }, error.row),
      el('td', {}, column),
      el('td', {}, error.message)));
  }
  errorBox.hidden = false;
}

function fileProblem(data) {
  // A file that cannot be read at all: errors = {"file": [...]}.
  const details = data.errors && data.errors.file ? data.errors.file.join(text.separator) : '';
  const message = data.message || '';
  return details && !message.includes(details)
    ? fill(text.cannotImportWith, { message, details }) : fill(text.cannotImport, { message });
}

async function upload(event) {
  event.preventDefault();
  reset();
  const file = fileInput.files[0];
  if (!file) {
    showStatus(text.chooseFile, 'error');
    return;
  }
  if (file.size > 10 * 1024 * 1024) {
    showStatus(text.tooLarge, 'error');
    return;
  }
  const data = new FormData();
  data.append('file', file, file.name);
  submit.disabled = true;
  showStatus(fill(text.checking, { name: file.name }), 'info');
  let answer = null;
  let failure = null;
  try {
    answer = await api('POST', form.dataset.api, data);
  } catch (error) {
    failure = error;
  }
  submit.disabled = false;
  status.replaceChildren();
  if (!failure) {
    showSuccess(answer);
    form.reset();
  } else if (failure.status === 422 && Array.isArray(failure.body?.errors)) {
    showRowErrors(failure.body);
  } else if (failure.status === 422 && failure.body) {
    showStatus(fileProblem(failure.body), 'error');
  } else {
    showStatus(failureText(failure), 'error');
  }
}

form.addEventListener('submit', upload);
fileInput.addEventListener('change', reset);
