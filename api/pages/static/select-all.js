// "All my students": a checkbox [data-select-all="NAME"] ticks or clears every checkbox named
// NAME. Without JavaScript the checkbox is still sent, and the server selects everyone.
"use strict";

(() => {
  for (const master of document.querySelectorAll("input[data-select-all]")) {
    const boxes = () => document.querySelectorAll(`input[type="checkbox"][name="${master.dataset.selectAll}"]`);
    master.addEventListener("change", () => {
      for (const box of boxes()) {
        box.checked = master.checked;
      }
    });
    for (const box of boxes()) {
      box.addEventListener("change", () => {
        master.checked = [...boxes()].every((b) => b.checked);
      });
    }
  }
})();
