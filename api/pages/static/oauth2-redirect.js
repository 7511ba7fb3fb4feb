// Swagger UI's OAuth2 redirect page (/docs/oauth2-redirect), as a file so the page needs no inline
// script. Only the authorization-code and implicit flows come back here; the password flow that
// the teacher uses posts to the token URL directly. Follows swagger-ui-dist's oauth2-redirect.html.
"use strict";

(() => {
  const run = () => {
    const oauth2 = window.opener && window.opener.swaggerUIRedirectOauth2;
    if (!oauth2) {
      document.body.textContent = "Nothing to do here: open this page from Swagger UI's Authorize dialog.";
      return;
    }
    const raw = /code|token|error/.test(window.location.hash)
      ? window.location.hash.substring(1).replace("?", "&")
      : window.location.search.substring(1);
    const params = Object.fromEntries(new URLSearchParams(raw));
    const isValid = params.state === oauth2.state;
    const flow = oauth2.auth.schema.get("flow");
    const codeFlow = ["accessCode", "authorizationCode", "authorization_code"].includes(flow);

    if (codeFlow && !oauth2.auth.code) {
      if (!isValid) {
        oauth2.errCb({
          authId: oauth2.auth.name,
          source: "auth",
          level: "warning",
          message:
            "Authorization may be unsafe, passed state was changed in server. " +
            "The passed state wasn't returned from auth server.",
        });
      }
      if (params.code) {
        delete oauth2.state;
        oauth2.auth.code = params.code;
        oauth2.callback({ auth: oauth2.auth, redirectUrl: oauth2.redirectUrl });
      } else {
        let message = "[Authorization failed]: no accessCode received from the server.";
        if (params.error) {
          message =
            `[${params.error}]: ` +
            (params.error_description
              ? `${params.error_description}. `
              : "no accessCode received from the server. ") +
            (params.error_uri ? `More info: ${params.error_uri}` : "");
        }
        oauth2.errCb({ authId: oauth2.auth.name, source: "auth", level: "error", message });
      }
    } else {
      oauth2.callback({ auth: oauth2.auth, token: params, isValid, redirectUrl: oauth2.redirectUrl });
    }
    window.close();
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
