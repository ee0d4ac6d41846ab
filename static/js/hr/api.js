// Calls to the JSON API from the HR pages, with the session cookie and the page's CSRF token
// (<meta name="csrf-token"> in base.html). Loaded as a module: the CSP is `script-src 'self'`.

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
    return { ok: false, status: 0, data: { message: '网络连接失败，请检查网络后重试。' } };
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

// A short Chinese explanation for an HTTP error, with the server's own message.
export function describeError(result) {
  const message = result.data && result.data.message ? result.data.message : '';
  switch (result.status) {
    case 0: return message;
    case 401: return '登录已过期，请重新登录。';
    case 403: return '您的角色无权执行此操作。' + (message ? `（${message}）` : '');
    case 404: return '找不到对象，可能已被删除。';
    case 413: return '文件过大：导入文件最大 10 MiB。';
    default: return message || `请求失败（HTTP ${result.status}）。`;
  }
}
