// A failed API call (an ApiError from api.js) shown to the user, the same way on every page.
// The wording: the page's own text for the body's machine-readable `reason` when the page knows it
// (`texts.refusals`), else the words of the site's #failure-text block (base.html) for no answer, a
// lost session, a refusal by role or a file too large, else the API's own message. Field errors
// ({"errors": {field: ...}} or a list of spreadsheet rows) become one line each.
import { fill, notice } from './dom.js';

let shared = null;
const words = () => {
  if (!shared) shared = JSON.parse(document.getElementById('failure-text')?.textContent ?? '{}');
  return shared;
};

// Why the call failed, in the page's language.
export function failureText(error, texts = {}) {
  const site = words();
  const message = error?.body?.message ?? '';
  const refusal = texts.refusals?.[error?.reason];
  if (refusal) return refusal;
  switch (error?.status) {
    case 0: return site.network ?? error.message;
    case 401: return site.signedOut ?? (message || error.message);
    case 403: return (message ? fill(site.forbiddenWith, { message }) : site.forbidden) || message || error.message;
    case 413: return site.tooLarge ?? (message || error.message);
    case 404: return message || site.notFound || error.message;
    default: return message || fill(site.httpFailed, { status: error?.status }) || String(error?.message ?? error);
  }
}

function describe(value) {
  if (Array.isArray(value)) return value.map(describe).join(', ');
  if (value && typeof value === 'object') {
    if ('bib' in value) return value.bib;
    if ('row' in value) return `${value.row}: ${value.field ?? ''} ${value.message ?? ''}`.trim();
    if ('message' in value) return value.message;
    return Object.entries(value).map(([key, item]) => `${key}: ${describe(item)}`).join('; ');
  }
  return String(value);
}

// One line per field (or per spreadsheet row) of the error body; `labels` names known fields.
export function errorLines(error, labels = {}) {
  const errors = error?.body?.errors;
  if (!errors || typeof errors !== 'object') return [];
  if (Array.isArray(errors)) return errors.map(describe);
  return Object.entries(errors).map(([key, value]) => `${labels[key] ?? key}: ${describe(value)}`);
}

// Show a failure in the notice line (`texts.failedWith` '…{message}', else `texts.failed`: message),
// its field errors in `list` (a <ul>, one <li data-field> each; without a list they follow the
// message), and the fields of `form` it names marked aria-invalid.
export function showFailure(error, texts, { form = null, list = null, labels = {} } = {}) {
  const message = failureText(error, texts);
  const lines = errorLines(error, labels);
  const details = !list && lines.length && !texts.refusals?.[error?.reason] ? ` (${lines.join('; ')})` : '';
  notice(texts.failedWith ? fill(texts.failedWith, { message: message + details })
    : `${texts.failed}: ${message}${details}`, 'error');
  const errors = error?.body?.errors;
  const fields = errors && typeof errors === 'object' && !Array.isArray(errors) ? Object.keys(errors) : [];
  for (const field of fields) form?.elements.namedItem(field)?.setAttribute?.('aria-invalid', 'true');
  if (!list) return;
  list.replaceChildren(...lines.map((line, index) => {
    const li = document.createElement('li');
    li.textContent = line;
    if (fields[index]) li.dataset.field = fields[index];
    return li;
  }));
}

// Undo showFailure: the notice line hidden, the list emptied, the form's fields valid again.
export function clearFailure({ form = null, list = null } = {}) {
  document.getElementById('notice').hidden = true;
  if (list) list.replaceChildren();
  if (form) form.querySelectorAll('[aria-invalid]').forEach((node) => node.removeAttribute('aria-invalid'));
}
