// Calls to the JSON API from the HR pages, with the session cookie and the page's CSRF token
// (<meta name="csrf-token"> in base.html). Loaded as a module: the CSP is `script-src 'self'`.
// Texts come translated from the page: JSON blocks (<script type="application/json" data-i18n>)
// rendered by the templates with the page's language.

// The parsed JSON block with this id ({} when the page has none).
export function readText(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : {};
}

export { fill } from '../page.js'; // fill('Grade {n}', {n: 3}) -> 'Grade 3'

const text = readText('hr-text');

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : '';
}

// -> {ok, status, data}; data is the parsed JSON body (or null). Network failures give status 0.
export async function api(method, url, body) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin' };
  if (method !== 'GET' && method !== 'HEAD') {
    headers['X-CSRFToken'] = csrfToken();
  }
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    return { ok: false, status: 0, data: { message: text.network } };
  }
  let data = null;
  if ((response.headers.get('Content-Type') || '').includes('application/json')) {
    data = await response.json();
  }
  return { ok: response.ok, status: response.status, data };
}

// Build an element: el('td', {className: 'num'}, 'text', child, ...)
export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

// A short explanation for an HTTP error in the page's language, with the server's own message.
export function describeError(result) {
  const message = result.data && result.data.message ? result.data.message : '';
  switch (result.status) {
    case 0: return message;
    case 401: return text.signedOut;
    case 403: return message ? fill(text.forbiddenWith, { message }) : text.forbidden;
    case 404: return text.notFound;
    case 413: return text.tooLarge;
    default: return message || fill(text.httpFailed, { status: result.status });
  }
}
