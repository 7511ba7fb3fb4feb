// Starts Swagger UI on /docs. Kept out of the HTML so the page needs no inline script under our CSP;
// the URLs come from data- attributes that the server fills in.
"use strict";

(() => {
  // persistAuthorization saves the whole authorization in localStorage, the password typed in the
  // OAuth2 password form included. Keep the token (that is the point) but never the password: a
  // classroom computer is shared.
  const ForgetPasswordPlugin = () => ({
    statePlugins: {
      auth: {
        wrapActions: {
          authorizeOauth2WithPersistOption: (original) => (payload) => {
            if (!payload || !payload.auth || !("password" in payload.auth)) {
              return original(payload);
            }
            const { password: _password, ...auth } = payload.auth;
            return original({ ...payload, auth });
          },
        },
      },
    },
  });

  const root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  const { openapiUrl, oauth2RedirectUrl } = root.dataset;
  window.ui = window.SwaggerUIBundle({
    url: openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    // Keep the teacher's token across reloads of /docs (Swagger stores it in localStorage).
    persistAuthorization: true,
    oauth2RedirectUrl: new URL(oauth2RedirectUrl, window.location.href).href,
    // The default validator badge would call validator.swagger.io; a classroom may be offline.
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset],
    plugins: [ForgetPasswordPlugin],
  });
})();
