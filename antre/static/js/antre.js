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
    // A refused booking: move to its message beside the slot list.
    focus(document.querySelector("[data-focus-on-load]"));

    // "Print" needs a script; the button stays hidden without one.
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  });

  // Arriving at a fragment (…#hari), the browser moves focus to its target
  // once the page has loaded: to the viewport, for a target that takes no
  // focus. Give it back to what the page asked to focus.
  window.addEventListener("load", function () {
    var wanted = document.querySelector("[data-focus-on-load]");
    if (wanted && window.location.hash && document.activeElement !== wanted) {
      window.requestAnimationFrame(function () {
        if (document.activeElement === document.body || document.activeElement === null) {
          focus(wanted);
        }
      });
    }
  });

  // htmx replaced the slot picker (a day or a month was chosen): the link
  // that had focus is gone, so put focus where the new content begins.
  // (The picker is the only thing htmx swaps.)
  document.addEventListener("htmx:afterSettle", function () {
    focus(document.querySelector("#picker [data-focus-after-swap]"));
  });
})();
