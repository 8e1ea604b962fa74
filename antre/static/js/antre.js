/* antre's own few lines of JavaScript. Every page works without them; they
   only add what a plain link or form cannot do. No inline handlers: a strict
   Content-Security-Policy stays possible. */
(function () {
  "use strict";

  function focus(element) {
    if (element) {
      element.focus({ preventScroll: false });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    // A form sent back with errors: move to the error summary, which lists
    // them with links to each field (screen readers announce it as an alert).
    focus(document.querySelector("[data-focus-on-load]"));

    // "Print" needs a script; the button stays hidden without one.
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  });

  // htmx replaced the slot picker (a day or a month was chosen): the link
  // that had focus is gone, so put focus where the new content begins.
  // (The picker is the only thing htmx swaps.)
  document.addEventListener("htmx:afterSettle", function () {
    focus(document.querySelector("#picker [data-focus-after-swap]"));
  });
})();
