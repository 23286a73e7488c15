// Starts Swagger UI on /api/docs. A file rather than an inline script: the docs page's
// Content-Security-Policy allows scripts from this origin only ('self', no 'unsafe-inline').
(function () {
  "use strict";

  var node = document.getElementById("swagger-ui");

  // "Try it out" on a state-changing route: send the session's CSRF token like the web app.
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)portal_csrf=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : null;
  }

  window.ui = SwaggerUIBundle({
    url: node.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null, // no badge fetched from a third-party validator
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    requestInterceptor: function (request) {
      var token = csrfToken();
      if (token && !/^(GET|HEAD|OPTIONS)$/i.test(request.method || "GET")) {
        request.headers["X-CSRF-Token"] = token;
      }
      return request;
    },
  });
})();
