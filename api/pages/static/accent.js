// Accent bar: every element with [data-accent-bar] gets buttons for à è é ì ò ù À È É Ì Ò Ù.
// A button inserts its letter at the caret of the text field the pupil last focused on the page
// (or the field named by the bar's data-accent-for="id", before any was focused), keeps the focus
// in that field and fires an `input` event, as typing would. Clicking a button never takes the
// focus from the field (so a phone keeps its keyboard open); keyboard users can Tab to a button and
// press Enter or Space, and the focus goes back to the field with the caret after the letter.
"use strict";

(() => {
  const LETTERS = ["à", "è", "é", "ì", "ò", "ù"];
  const CAPITALS = LETTERS.map((letter) => letter.toUpperCase());
  // Input types that have a caret (selectionStart); email and number have none.
  const TEXT_TYPES = new Set(["text", "search", "url", "tel", "password"]);

  let lastField = null;

  const isTextField = (element) =>
    element instanceof HTMLTextAreaElement ||
    (element instanceof HTMLInputElement && TEXT_TYPES.has(element.type));

  const isWritable = (field) => field.isConnected && !field.disabled && !field.readOnly;

  const targetFor = (bar) => {
    if (lastField && isWritable(lastField)) {
      return lastField;
    }
    const named = bar.dataset.accentFor ? document.getElementById(bar.dataset.accentFor) : null;
    return named && isTextField(named) && isWritable(named) ? named : null;
  };

  const insert = (field, letter) => {
    const start = field.selectionStart ?? field.value.length;
    const end = field.selectionEnd ?? start;
    const room = field.maxLength > 0 ? field.maxLength - (field.value.length - (end - start)) : 1;
    if (room < 1) {
      return;
    }
    field.setRangeText(letter, start, end, "end");
    field.focus();
    field.dispatchEvent(
      new InputEvent("input", { bubbles: true, inputType: "insertText", data: letter }),
    );
  };

  const makeButton = (letter) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = letter;
    button.lang = "it";
    button.dataset.accent = letter;
    button.setAttribute("aria-label", `Insert ${letter}`);
    return button;
  };

  const build = (bar) => {
    if (bar.dataset.accentReady === "true") {
      return;
    }
    bar.dataset.accentReady = "true";
    bar.classList.add("accent-bar");
    if (!bar.hasAttribute("role")) {
      bar.setAttribute("role", "group");
    }
    if (!bar.hasAttribute("aria-label") && !bar.hasAttribute("aria-labelledby")) {
      bar.setAttribute("aria-label", "Accented letters");
    }
    for (const letter of [...LETTERS, ...CAPITALS]) {
      bar.append(makeButton(letter));
    }
    // A mouse or touch press would move the focus to the button; keep it in the field instead.
    bar.addEventListener("mousedown", (event) => {
      if (event.target instanceof Element && event.target.closest("button[data-accent]")) {
        event.preventDefault();
      }
    });
    bar.addEventListener("click", (event) => {
      const button =
        event.target instanceof Element ? event.target.closest("button[data-accent]") : null;
      const field = button ? targetFor(bar) : null;
      if (field) {
        insert(field, button.dataset.accent);
      }
    });
  };

  document.addEventListener("focusin", (event) => {
    if (isTextField(event.target)) {
      lastField = event.target;
    }
  });

  const start = () => document.querySelectorAll("[data-accent-bar]").forEach(build);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
