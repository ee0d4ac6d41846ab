// Shared helpers of the admin's pages: the page's JSON blocks, the notice line, and the API's error
// bodies ({"message", "errors"?}) shown next to a form, field by field.
import { cell, fill, notice, option, readJson } from '../page.js';

export { cell, fill, notice, option, readJson };

export function clearFailure(form, list) {
  document.getElementById('notice').hidden = true;
  if (list) list.replaceChildren();
  if (form) form.querySelectorAll('[aria-invalid]').forEach((node) => node.removeAttribute('aria-invalid'));
}

const describe = (value) => (Array.isArray(value) ? value.map(describe).join(', ')
  : value && typeof value === 'object' ? Object.values(value).map(describe).join(', ') : String(value));

// Show an API failure: its message in the notice line, one line per field in `list` (a <ul>, fields
// named by `labels`), and the fields of `form` it names marked invalid.
export function showFailure(error, text, { form = null, list = null, labels = {} } = {}) {
  notice(`${text.failed}: ${error.body?.message ?? error.message}`, 'error');
  const errors = error.body?.errors;
  if (!list || !errors || typeof errors !== 'object') return;
  list.replaceChildren(...Object.entries(errors).map(([field, value]) => {
    const li = document.createElement('li');
    li.textContent = `${labels[field] ?? field}: ${describe(value)}`;
    li.dataset.field = field;
    form?.elements.namedItem(field)?.setAttribute('aria-invalid', 'true');
    return li;
  }));
}

export function emptyRow(tbody, columns, message) {
  const tr = document.createElement('tr');
  const td = cell(message, 'muted');
  td.colSpan = columns;
  tr.append(td);
  tbody.replaceChildren(tr);
}
