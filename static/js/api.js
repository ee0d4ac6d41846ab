// fetch() for the JSON API from pages: same-origin session cookie plus the CSRF header.
const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? '';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

// `options.signal` (an AbortSignal) lets a caller give up on a slow answer (the judge's tablet).
export async function api(method, path, body, headers = {}, { signal } = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers } };
  if (signal) init.signal = signal;
  if (method !== 'GET' && method !== 'HEAD') init.headers['X-CSRFToken'] = csrf();
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(`/api/v1${path}`, init);
  const json = response.status !== 204 && response.headers.get('Content-Type')?.includes('json');
  const data = json ? await response.json() : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
