// Copy buttons: a <button data-copy="ID" hidden> copies the value of the field #ID (a pupil's
// link). The buttons start hidden, so a browser without JavaScript shows only the read-only field,
// which can be selected and copied by hand. The clipboard API needs a secure context (https or
// localhost); elsewhere the field is selected and copied with execCommand, or left selected for
// Ctrl+C. The result is announced in the status element named by the button's aria-describedby.
"use strict";

(() => {
  const say = (button, text) => {
    const id = button.getAttribute("aria-describedby");
    const status = id ? document.getElementById(id) : null;
    if (status) {
      status.textContent = "";
      // A fresh text node after a tick, so a screen reader announces a repeated message again.
      window.setTimeout(() => {
        status.textContent = text;
      }, 50);
    }
  };

  const selectField = (field) => {
    field.focus();
    field.select();
    field.setSelectionRange(0, field.value.length);
  };

  const copyBySelection = (field) => {
    selectField(field);
    try {
      return document.execCommand("copy");
    } catch {
      return false;
    }
  };

  const copy = async (button) => {
    const field = document.getElementById(button.dataset.copy);
    if (!field) {
      return;
    }
    let copied = false;
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(field.value);
        copied = true;
      } catch {
        copied = false;
      }
    }
    if (!copied) {
      copied = copyBySelection(field);
    }
    if (copied) {
      say(button, "Link copied.");
      button.dataset.copied = "true";
    } else {
      selectField(field);
      say(button, "The link is selected: press Ctrl+C (or ⌘+C) to copy it.");
    }
  };

  const start = () => {
    for (const button of document.querySelectorAll("button[data-copy]")) {
      button.hidden = false;
      button.addEventListener("click", () => copy(button));
    }
    // A click in a link field selects the whole link, ready to copy by hand.
    for (const field of document.querySelectorAll("input[data-copy-source]")) {
      field.addEventListener("focus", () => field.select());
    }
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
