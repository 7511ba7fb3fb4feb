// Reloads the page every data-reload-seconds seconds (the "being prepared" page), while the tab
// is visible. A script rather than <meta http-equiv="refresh">, which screen readers announce
// badly and which cannot pause; without JavaScript the page has a "Check now" link.
"use strict";

(() => {
  const script = document.currentScript;
  const seconds = Number(script && script.dataset.reloadSeconds) || 5;
  const tick = () => {
    if (document.visibilityState === "visible") {
      window.location.reload();
    } else {
      window.setTimeout(tick, seconds * 1000);
    }
  };
  window.setTimeout(tick, seconds * 1000);
})();
