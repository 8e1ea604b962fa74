// The officer's console: keyboard shortcuts, and keeping the officer's place
// while htmx refreshes the panel every few seconds. Everything here is an
// enhancement: without JavaScript the console's buttons are plain forms.
(function () {
  "use strict";

  var PANEL_ID = "console-panel";

  function isTyping(target) {
    if (!target || !target.closest) return false;
    return Boolean(
      target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']")
    );
  }

  function shortcutTarget(key) {
    var panel = document.getElementById(PANEL_ID);
    if (!panel) return null;
    return panel.querySelector('[data-shortcut="' + key + '"]');
  }

  // htmx binds a freshly swapped panel a moment after the swap; a key pressed
  // in that moment would otherwise send the form the old way (a full page).
  function send(button) {
    if (window.htmx) window.htmx.process(button.form || button);
    button.click();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    var key = event.key === " " ? " " : (event.key || "").toLowerCase();
    if (key === " ") {
      // Space keeps its own meaning on a focused button or link.
      if (event.target.closest && event.target.closest("button, a, summary, [role='button']")) return;
      key = "n";
    }
    var target = shortcutTarget(key);
    if (!target) return;
    event.preventDefault();
    if (target.disabled) {
      // Say why nothing happened: the reason sits next to the button.
      var reason = target.getAttribute("aria-describedby");
      var element = reason && document.getElementById(reason);
      if (element) {
        element.classList.remove("action__reason--flash");
        void element.offsetWidth;
        element.classList.add("action__reason--flash");
      }
      return;
    }
    if (target.tagName === "SELECT") {
      // Transfer needs a choice first: T goes to the list, Enter sends.
      target.focus();
      return;
    }
    send(target);
  });

  // Enter on the transfer list sends the transfer form, also without a
  // service chosen: the answer then says so ("Pilih layanan tujuan
  // pengalihan."), where doing nothing left the officer guessing.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target || event.target.id !== "transfer-service") return;
    event.preventDefault();
    var button = document.getElementById("action-transfer");
    if (button && !button.disabled) send(button);
  });

  // A refresh must not pull the list out from under an officer choosing a
  // service, nor land while an action is on its way.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail && event.detail.elt;
    if (!element || !element.hasAttribute || !element.hasAttribute("data-poll")) return;
    var active = document.activeElement;
    if (active && active.tagName === "SELECT" && element.contains(active)) {
      event.preventDefault();
    }
  });

  // Swapping the panel replaces the focused button: put the focus back on
  // its successor (same id), or on the panel's heading when it is gone or
  // disabled, so that keyboard users keep their place.
  var focusedId = null;
  document.addEventListener("htmx:beforeSwap", function () {
    var active = document.activeElement;
    var panel = document.getElementById(PANEL_ID);
    focusedId = active && active.id && panel && panel.contains(active) ? active.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!focusedId) return;
    var again = document.getElementById(focusedId);
    focusedId = null;
    if (again && !again.disabled) {
      again.focus();
      return;
    }
    var heading = document.getElementById("current-title");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  });
})();
