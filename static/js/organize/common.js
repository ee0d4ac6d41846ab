// Shared helpers of the organiser's console: the page's JSON blocks, the notice line, and the API's
// error bodies ({"message", "errors"?}) turned into readable lines.
import { cell, fill, notice, option, readJson } from '../page.js';

export { cell, fill, notice, option, readJson };

function describe(value) {
  if (Array.isArray(value)) return value.map(describe).join(', ');
  if (value && typeof value === 'object') {
    if ('bib' in value) return value.bib;
    if ('row' in value) return `${value.row}: ${value.field ?? ''} ${value.message ?? ''}`.trim();
    return Object.entries(value).map(([key, item]) => `${key}: ${describe(item)}`).join('; ');
  }
  return String(value);
}

// One line per field (or per spreadsheet row) of the error body; `labels` names known fields.
export function errorLines(error, labels = {}) {
  const errors = error.body?.errors;
  if (!errors) return [];
  if (Array.isArray(errors)) return errors.map(describe);
  return Object.entries(errors).map(([key, value]) => `${labels[key] ?? key}: ${describe(value)}`);
}

// Show an API failure: the message in the notice line (worded by the page when the body names a
// `reason` it knows, else the API's own), the details in `list` (a <ul>) when given.
export function showFailure(error, text, list = null, labels = {}) {
  const message = text.refusals?.[error.body?.reason] ?? error.body?.message ?? error.message;
  notice(`${text.failed}: ${message}`, 'error');
  if (!list) return;
  list.replaceChildren(...errorLines(error, labels).map((line) => {
    const li = document.createElement('li');
    li.textContent = line;
    return li;
  }));
}

export function clearFailure(list) {
  document.getElementById('notice').hidden = true;
  if (list) list.replaceChildren();
}

// Fill `table` with a header row of `labels` and one row per item (`row(item)` returns the <tr>),
// or a single muted line `empty` when there are none.
export function fillTable(table, labels, items, row, empty) {
  const tbody = document.createElement('tbody');
  if (!items.length) {
    const tr = document.createElement('tr');
    tr.append(cell(empty, 'muted'));
    tbody.append(tr);
    table.replaceChildren(tbody);
    return;
  }
  tbody.append(...items.map(row));
  const head = document.createElement('tr');
  head.append(...labels.map((label) => {
    const th = document.createElement('th');
    th.textContent = label;
    return th;
  }));
  const thead = document.createElement('thead');
  thead.append(head);
  table.replaceChildren(thead, tbody);
}
