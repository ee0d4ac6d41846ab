// Renders the API docs page (/api/docs) with the vendored Swagger UI.
// Loaded as an external file because the CSP is `script-src 'self'`.
// Needs, before this file: /static/vendor/swagger-ui-dist/swagger-ui-bundle.js
// Page markup: <div id="swagger-ui" data-spec-url="/api/v1/openapi.json"></div>
(function () {
  'use strict';

  function init() {
    var el = document.getElementById('swagger-ui');
    if (!el || typeof window.SwaggerUIBundle !== 'function') {
      return;
    }
    window.ui = window.SwaggerUIBundle({
      domNode: el,
      url: el.dataset.specUrl,
      deepLinking: true,
      validatorUrl: null,          // no badge call to validator.swagger.io
      layout: 'BaseLayout',        // no top bar: needs no standalone preset
      presets: [window.SwaggerUIBundle.presets.apis]
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
