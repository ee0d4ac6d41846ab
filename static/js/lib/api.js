// The one way page scripts call the JSON API: the same-origin session cookie, the CSRF header from
// <meta name="csrf-token"> on every unsafe method, JSON or FormData bodies, an optional AbortSignal.
// A path is taken under /api/v1 unless it already starts with /api/ (URLs the templates render).
// Resolves to the parsed JSON answer (null for 204 or a body that is not JSON); anything else throws
// one ApiError: `status` (0 when no answer came: network down, aborted or timed out), `body` (the
// parsed error body or null) and `reason` (the body's machine-readable reason, or null).
const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? '';

export class ApiError extends Error {
  constructor(status, body = null, cause = undefined) {
    super(body?.message ?? (status ? `HTTP ${status}` : 'no answer from the server'), cause ? { cause } : undefined);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
    this.reason = body?.reason ?? null;
  }
}

export const apiUrl = (path) => (path.startsWith('/api/') ? path : `/api/v1${path}`);

function request(method, body, headers, signal) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers } };
  if (signal) init.signal = signal;
  if (method !== 'GET' && method !== 'HEAD') init.headers['X-CSRFToken'] = csrf();
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return init;
}

// api('PUT', '/contests/7/marks', {...}, {headers: {'Idempotency-Key': key}, signal})
export async function api(method, path, body = undefined, { headers = {}, signal } = {}) {
  let response;
  let data = null;
  try {
    response = await fetch(apiUrl(path), request(method, body, headers, signal));
    if (response.status !== 204 && response.headers.get('Content-Type')?.includes('json')) data = await response.json();
  } catch (error) {
    // No answer, or one cut off before its body was read: the caller may try again.
    throw new ApiError(0, null, error);
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
