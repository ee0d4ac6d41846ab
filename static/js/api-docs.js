// Renders the API docs page (/api/docs) with the vendored Swagger UI.
// Loaded as an external file because the CSP is `script-src 'self'`.
// Needs, before this file: /static/vendor/swagger-ui-dist/swagger-ui-bundle.js
// Page markup: <div id="swagger-ui" data-spec-url="/api/v1/openapi.json"></div>
(function () {
  'use strict';

  function init() {
    var node = document.getElementById('swagger-ui');
    if (!node || typeof window.SwaggerUIBundle !== 'function') {
      return;
    }
    window.ui = window.SwaggerUIBundle({
      domNode: node,
      url: node.dataset.specUrl,
      deepLinking: true,
      validatorUrl: null,          // no badge call to validator.swagger.io
      layout: 'BaseLayout',        // no top bar: needs no standalone preset
      presets: [window.SwaggerUIBundle.presets.apis],
      // "Try it out" runs in this page, which carries the session cookie: writes need the page's
      // CSRF token as every other page sends it (a request with a bearer token does not need it).
      requestInterceptor: function (request) {
        var meta = document.querySelector('meta[name="csrf-token"]');
        var method = (request.method || 'GET').toUpperCase();
        if (meta && method !== 'GET' && method !== 'HEAD') {
          request.headers['X-CSRFToken'] = meta.content;
        }
        return request;
      }
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
