// The live ticket page: follows the ticket's event stream and, on each event,
// fetches the page's live part again from the server (which words it in the
// reader's language and the site's time zone). Without the stream (an old
// phone, a proxy that buffers, a lost connection) it asks every 15 s.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("ticket-config").textContent);
  var region = document.getElementById("ticket-live-region");
  var source = null;
  var pending = null;
  var inFlight = false;
  var finished = config.final;

  function current() {
    return document.getElementById("ticket-live");
  }

  function snapshot(node) {
    if (!node) return {};
    return {
      status: node.getAttribute("data-status"),
      enterNow: node.getAttribute("data-enter-now") === "true",
      recalls: node.getAttribute("data-recalls"),
      final: node.getAttribute("data-final") === "true",
      title: node.getAttribute("data-title"),
    };
  }

  // Vibrate when the holder must act: called (or called again), or let in.
  // Browsers allow it only after the holder has touched the page once.
  function alertIfNeeded(before, after) {
    var called =
      after.status === "called" &&
      (before.status !== "called" || before.recalls !== after.recalls);
    var enter = after.enterNow && !before.enterNow && after.status === "waiting";
    if (!called && !enter) return;
    var activation = navigator.userActivation;
    if (navigator.vibrate && (!activation || activation.hasBeenActive)) {
      navigator.vibrate([400, 150, 400, 150, 400]);
    }
  }

  function refresh() {
    if (inFlight) {
      pending = true;
      return;
    }
    inFlight = true;
    fetch(config.statusUrl, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.text();
      })
      .then(function (html) {
        var before = snapshot(current());
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#ticket-live");
        if (!fresh) return;
        var after = snapshot(fresh);
        var old = current();
        // Only swap when something a reader sees changed, so that a screen
        // reader does not repeat the same words every 15 seconds.
        if (!old || old.outerHTML !== fresh.outerHTML) {
          region.replaceChildren(fresh);
        }
        if (after.title) document.title = after.title;
        alertIfNeeded(before, after);
        if (after.final) stop();
      })
      .catch(function () {
        // Offline for a moment: the next poll or event tries again.
      })
      .then(function () {
        inFlight = false;
        if (pending) {
          pending = false;
          refresh();
        }
      });
  }

  var debounce = null;
  function soon() {
    window.clearTimeout(debounce);
    debounce = window.setTimeout(refresh, 250);
  }

  var poller = null;
  function stop() {
    finished = true;
    if (source) source.close();
    window.clearInterval(poller);
  }

  function connect() {
    if (!("EventSource" in window) || finished) return;
    source = new EventSource(config.eventsUrl);
    ["ticket.state", "ticket.called", "ticket.recalled", "ticket.admitted", "ticket.changed"].forEach(
      function (kind) {
        source.addEventListener(kind, soon);
      }
    );
    source.addEventListener("error", function () {
      // The stream said 204 (the ticket is over) or failed: polling goes on.
      if (source.readyState === EventSource.CLOSED) soon();
    });
  }

  if (finished) return;
  poller = window.setInterval(function () {
    if (!source || source.readyState !== EventSource.OPEN) refresh();
  }, config.pollSeconds * 1000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !finished) refresh();
  });
  connect();
})();
