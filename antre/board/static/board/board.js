// The hall's display board: follows the site's event stream, redraws what
// changed, and announces each call aloud (the device's Indonesian voice when
// it has one, else the recorded clips one after another).
//
// The page is complete without this script (rendered by the server); the
// script keeps it live. callClips/admitClips mirror antre/board/announcements.py
// and a browser test holds the two equal.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("board-config").textContent);
  var strings = config.strings;

  // The server's clock, not the TV's: the clock on the wall and the
  // freshness of calls follow the server (a TV's own clock is often wrong).
  var serverOffset = Date.parse(config.serverNow) - Date.now();
  function now() {
    return Date.now() + serverOffset;
  }

  // --- what a call says (mirror of antre/board/announcements.py) ---------------

  var CHIME = "nada/panggilan";
  var SILENCE = "nada/sunyi";
  var NUMBER_INTRO = "frasa/nomor-antrean";
  var TO_COUNTER = "frasa/silakan-menuju-loket";
  var PLEASE_ENTER = "frasa/silakan-masuk";
  var LARGEST_NUMBER_CLIP = 99;
  var LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  var DIGITS = "0123456789";

  function numberClips(ticketNumber) {
    var clips = [];
    String(ticketNumber)
      .toUpperCase()
      .split("")
      .forEach(function (character) {
        if (LETTERS.indexOf(character) >= 0) clips.push("huruf/" + character.toLowerCase());
        else if (DIGITS.indexOf(character) >= 0) clips.push("angka/" + character);
      });
    return clips;
  }

  function counterClips(counter) {
    if (counter >= 0 && counter <= LARGEST_NUMBER_CLIP) return ["angka/" + counter];
    return String(Math.abs(counter))
      .split("")
      .map(function (digit) {
        return "angka/" + digit;
      });
  }

  function callClips(ticketNumber, counter) {
    var clips = [NUMBER_INTRO].concat(numberClips(ticketNumber));
    if (counter !== null && counter !== undefined) {
      clips = clips.concat([TO_COUNTER], counterClips(counter));
    }
    return clips;
  }

  function admitClips(ticketNumber) {
    return [NUMBER_INTRO].concat(numberClips(ticketNumber), [PLEASE_ENTER]);
  }

  function spokenText(clips) {
    return clips
      .map(function (clip) {
        return config.texts[clip] || "";
      })
      .filter(Boolean)
      .join(", ");
  }

  // --- sound -------------------------------------------------------------------

  var sound = {
    enabled: false,
    manifest: null,
    base: null,
    elements: {},
    voice: null,
  };
  var queue = [];
  var busy = false;
  // Every announcement, for the browser tests and for a look in the console.
  var announced = [];
  var MAX_QUEUED = 8;

  function pickVoice() {
    if (!("speechSynthesis" in window)) return null;
    var voices = window.speechSynthesis.getVoices();
    for (var index = 0; index < voices.length; index += 1) {
      if (/^id([-_]|$)/i.test(voices[index].lang || "")) return voices[index];
    }
    return null;
  }

  if ("speechSynthesis" in window) {
    sound.voice = pickVoice();
    window.speechSynthesis.addEventListener("voiceschanged", function () {
      sound.voice = pickVoice();
    });
  }

  function loadManifest() {
    var url = new URL(config.manifestUrl, window.location.href);
    return fetch(url.href)
      .then(function (response) {
        if (!response.ok) throw new Error("manifest " + response.status);
        return response.json();
      })
      .then(function (manifest) {
        sound.manifest = manifest;
        sound.base = new URL(".", url);
        return manifest;
      });
  }

  function clipElement(clip) {
    var entry = sound.manifest && sound.manifest.clips[clip];
    if (!entry) return null;
    var element = sound.elements[clip];
    if (!element) {
      element = new Audio(new URL(entry.file, sound.base).href);
      element.preload = "auto";
      sound.elements[clip] = element;
    }
    return element;
  }

  // Plays one clip; resolves when it ended, failed or is missing (a missing
  // clip is skipped, never blocks the queue).
  function playClip(clip) {
    return new Promise(function (resolve) {
      var element = clipElement(clip);
      if (!element) {
        resolve(false);
        return;
      }
      var settled = false;
      var timer = null;
      function done(played) {
        if (settled) return;
        settled = true;
        window.clearTimeout(timer);
        element.removeEventListener("ended", onEnded);
        element.removeEventListener("error", onError);
        resolve(played);
      }
      function onEnded() {
        done(true);
      }
      function onError() {
        done(false);
      }
      timer = window.setTimeout(onError, 8000);
      element.addEventListener("ended", onEnded);
      element.addEventListener("error", onError);
      try {
        element.currentTime = 0;
      } catch (ignored) {
        // Not seekable yet: it plays from the start anyway.
      }
      var playing = element.play();
      if (playing && playing.catch) playing.catch(onError);
    });
  }

  // The clips with a short breath between them, where the spoken text has
  // its commas.
  function playSequence(clips, played) {
    return clips.reduce(function (previous, clip, index) {
      return previous.then(function () {
        return (index ? pause(120) : Promise.resolve())
          .then(function () {
            return playClip(clip);
          })
          .then(function (ok) {
            played.push(ok);
          });
      });
    }, Promise.resolve());
  }

  function speak(text) {
    return new Promise(function (resolve) {
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = "id-ID";
      utterance.voice = sound.voice;
      utterance.rate = 0.9;
      var timer = window.setTimeout(resolve, 20000);
      utterance.onend = utterance.onerror = function () {
        window.clearTimeout(timer);
        resolve();
      };
      window.speechSynthesis.speak(utterance);
    });
  }

  function pause(milliseconds) {
    return new Promise(function (resolve) {
      window.setTimeout(resolve, milliseconds);
    });
  }

  // One announcement at a time, in arrival order: overlapping calls never
  // talk over each other. A long backlog keeps only the newest.
  function drain() {
    var entry = queue.shift();
    if (!entry) {
      busy = false;
      return;
    }
    busy = true;
    playClip(CHIME)
      .then(function () {
        if (sound.voice) {
          entry.via = "speech";
          return speak(entry.text);
        }
        entry.via = "clips";
        return playSequence(entry.clips, entry.played);
      })
      .then(function () {
        entry.done = true;
        return pause(700);
      })
      .then(drain, drain);
  }

  function announce(kind, number, counter, clips) {
    var entry = {
      kind: kind,
      number: number,
      counter: counter,
      clips: clips,
      text: spokenText(clips),
      queued: sound.enabled,
      done: false,
      via: null,
      played: [],
    };
    announced.push(entry);
    if (!sound.enabled) return;
    queue.push(entry);
    if (queue.length > MAX_QUEUED) queue.splice(0, queue.length - MAX_QUEUED);
    if (!busy) drain();
  }

  var soundButton = document.getElementById("sound-button");

  function enableSound() {
    sound.enabled = true;
    soundButton.hidden = true;
    // The clips every call needs, fetched before the first call.
    [CHIME, NUMBER_INTRO, TO_COUNTER, PLEASE_ENTER]
      .concat(DIGITS.split("").map(function (digit) {
        return "angka/" + digit;
      }))
      .forEach(clipElement);
  }

  // Browsers play sound only after a gesture on the page, unless the TV's
  // Chromium runs with --autoplay-policy=no-user-gesture-required: try a
  // moment of silence; if it is refused, show the one-time button.
  function trySound() {
    var element = clipElement(SILENCE);
    if (!element) {
      soundButton.hidden = false;
      return;
    }
    var attempt = element.play();
    if (!attempt || !attempt.then) {
      soundButton.hidden = false;
      return;
    }
    attempt.then(enableSound, function () {
      soundButton.hidden = false;
    });
  }

  soundButton.addEventListener("click", function () {
    var element = clipElement(SILENCE);
    if (element) {
      var attempt = element.play();
      if (attempt && attempt.catch) attempt.catch(function () {});
    }
    if (sound.voice) {
      // Speaking once inside the gesture unlocks speech as well.
      window.speechSynthesis.speak(new SpeechSynthesisUtterance(""));
    }
    enableSound();
  });

  // --- drawing -------------------------------------------------------------------

  var latestBox = document.getElementById("call-latest");
  var callList = document.getElementById("call-list");
  var waitingList = document.getElementById("waiting-list");
  var admittedList = document.getElementById("admitted-list");
  var calls = config.state.called.slice();
  var admitted = config.state.admitted.slice();

  function counterLabel(counter) {
    if (counter === null || counter === undefined) return "";
    return strings.counter.replace("%(counter)s", String(counter));
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function drawCalls(highlight) {
    latestBox.textContent = "";
    var latest = calls[0];
    if (!latest) {
      latestBox.classList.add("call-latest--empty");
      latestBox.appendChild(element("span", "call-latest__none", strings.noCalls));
    } else {
      latestBox.classList.remove("call-latest--empty");
      var number = element("span", "call-latest__number", latest.number);
      number.setAttribute("data-number", latest.number);
      latestBox.appendChild(number);
      latestBox.appendChild(document.createTextNode(" "));
      latestBox.appendChild(element("span", "call-latest__counter", counterLabel(latest.counter)));
      if (highlight) {
        latestBox.classList.remove("call-latest--new");
        void latestBox.offsetWidth;
        latestBox.classList.add("call-latest--new");
      }
    }
    callList.textContent = "";
    calls.slice(1, 5).forEach(function (call) {
      var item = element("li", "call");
      item.appendChild(element("span", "call__number", call.number));
      item.appendChild(element("span", "call__counter", counterLabel(call.counter)));
      callList.appendChild(item);
    });
  }

  function drawWaiting(waiting) {
    var rows = Object.keys(waiting)
      .filter(function (slug) {
        return waiting[slug] > 0 && config.services[slug];
      })
      .map(function (slug) {
        return { slug: slug, service: config.services[slug], count: waiting[slug] };
      })
      .sort(function (left, right) {
        if (left.service.prefix !== right.service.prefix) {
          return left.service.prefix < right.service.prefix ? -1 : 1;
        }
        return left.service.name < right.service.name ? -1 : 1;
      });
    waitingList.textContent = "";
    if (!rows.length) {
      waitingList.appendChild(element("li", "waiting waiting--none", strings.nobodyWaiting));
    }
    rows.forEach(function (row) {
      var item = element("li", "waiting");
      item.setAttribute("data-service", row.slug);
      item.appendChild(element("span", "waiting__prefix", row.service.prefix));
      item.appendChild(element("span", "waiting__name", row.service.name));
      item.appendChild(element("span", "waiting__count", String(row.count)));
      waitingList.appendChild(item);
    });
    pageWaiting();
  }

  // --- the waiting list's pages ----------------------------------------------------
  //
  // A big MPP has more services waiting than the list has room for (21 at
  // the demo MPP): the list is cut into pages of whole rows that fit, and the
  // pages take turns, each for a few seconds, so that every service shows.
  // The rows are hidden with the hidden attribute, never with inline styles
  // (the page's Content Security Policy).

  var waitingPageBox = document.getElementById("waiting-page");
  var waitingPages = [];
  var waitingPage = 0;

  function pageWaiting() {
    var items = Array.prototype.slice.call(waitingList.children);
    items.forEach(function (item) {
      item.hidden = false;
    });
    var room = waitingList.clientHeight;
    waitingPages = [];
    var page = [];
    var pageTop = 0;
    items.forEach(function (item) {
      if (!page.length) pageTop = item.offsetTop;
      if (page.length && item.offsetTop + item.offsetHeight - pageTop > room) {
        waitingPages.push(page);
        page = [];
        pageTop = item.offsetTop;
      }
      page.push(item);
    });
    if (page.length) waitingPages.push(page);
    if (waitingPage >= waitingPages.length) waitingPage = 0;
    showWaitingPage();
  }

  function showWaitingPage() {
    waitingPages.forEach(function (page, index) {
      page.forEach(function (item) {
        item.hidden = index !== waitingPage;
      });
    });
    var paged = waitingPages.length > 1;
    waitingPageBox.hidden = !paged;
    waitingPageBox.textContent = paged
      ? strings.waitingPage
          .replace("%(page)s", String(waitingPage + 1))
          .replace("%(pages)s", String(waitingPages.length))
      : "";
  }

  function turnWaitingPage() {
    if (waitingPages.length < 2) return;
    waitingPage = (waitingPage + 1) % waitingPages.length;
    showWaitingPage();
  }

  function drawInside(inside, capacity) {
    document.getElementById("inside-count").textContent = String(inside);
    document.getElementById("inside-capacity").textContent = String(capacity);
    var full = inside >= capacity;
    document.getElementById("board-inside").classList.toggle("board-inside--full", full);
    document.getElementById("inside-full").hidden = !full;
  }

  function drawAdmitted() {
    var cutoff = now() - config.admittedMinutes * 60000;
    admitted = admitted.filter(function (entry) {
      return Date.parse(entry.at) >= cutoff;
    });
    admittedList.textContent = "";
    if (!admitted.length) {
      var none = document.getElementById("admitted-none-template");
      admittedList.appendChild(none.content.cloneNode(true));
      return;
    }
    admitted.slice(0, 6).forEach(function (entry, index) {
      if (index) admittedList.appendChild(document.createTextNode(", "));
      admittedList.appendChild(element("span", "admitted", entry.number));
    });
  }

  function applyBoard(board) {
    calls = board.called.slice();
    drawCalls(false);
    drawWaiting(board.waiting);
    drawInside(board.inside, board.capacity);
  }

  function isFresh(calledAt) {
    if (!calledAt) return true;
    return now() - Date.parse(calledAt) <= config.freshCallSeconds * 1000;
  }

  function onCall(kind, ticket) {
    calls = calls.filter(function (call) {
      return call.number !== ticket.number;
    });
    calls.unshift({ number: ticket.number, counter: ticket.counter, called_at: ticket.called_at });
    drawCalls(true);
    if (isFresh(ticket.called_at)) {
      announce(kind, ticket.number, ticket.counter, callClips(ticket.number, ticket.counter));
    }
  }

  function onAdmitted(ticket, fresh) {
    admitted = admitted.filter(function (entry) {
      return entry.number !== ticket.number;
    });
    admitted.unshift({ number: ticket.number, at: new Date(now()).toISOString() });
    drawAdmitted();
    if (fresh) announce("ticket.admitted", ticket.number, null, admitClips(ticket.number));
  }

  // --- the clock -----------------------------------------------------------------

  var lang = document.documentElement.lang || "id";
  var timeFormat = new Intl.DateTimeFormat(lang, {
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
    timeZone: config.timezone,
  });
  var dateFormat = new Intl.DateTimeFormat(lang, {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: config.timezone,
  });
  var timeNode = document.getElementById("board-time");
  var dateNode = document.getElementById("board-date");

  function tick() {
    var instant = new Date(now());
    timeNode.textContent = timeFormat.format(instant);
    dateNode.textContent = dateFormat.format(instant);
  }

  // --- the event stream ----------------------------------------------------------

  var indicator = document.getElementById("board-connection");
  var source = null;
  var lastEventId = config.lastEventId || 0;
  var failures = 0;
  var reconnectTimer = null;
  var indicatorTimer = null;
  // After a reconnection the stream first replays what the board missed:
  // calls are announced only while fresh (their called_at says), and people
  // let in meanwhile are shown but not announced (the burst right after the
  // reconnection). The first connection resumes from the page's own state,
  // so what it brings is new.
  var opens = 0;
  var replayUntil = 0;

  function showDisconnected() {
    // A stream that ends on purpose (every ten minutes) is back within
    // seconds: say nothing unless it stays away.
    if (indicatorTimer) return;
    indicatorTimer = window.setTimeout(function () {
      indicator.hidden = false;
    }, 4000);
  }

  function showConnected() {
    window.clearTimeout(indicatorTimer);
    indicatorTimer = null;
    indicator.hidden = true;
  }

  function remember(event) {
    var id = parseInt(event.lastEventId, 10);
    if (!isNaN(id) && id > lastEventId) lastEventId = id;
  }

  function parse(event) {
    remember(event);
    try {
      return JSON.parse(event.data);
    } catch (ignored) {
      return null;
    }
  }

  function connect() {
    window.clearTimeout(reconnectTimer);
    reconnectTimer = null;
    if (source) source.close();
    var url = new URL(config.eventsUrl, window.location.href);
    if (lastEventId) url.searchParams.set("last_event_id", String(lastEventId));
    source = new EventSource(url.href);
    source.addEventListener("open", function () {
      failures = 0;
      opens += 1;
      replayUntil = opens > 1 ? now() + 1500 : 0;
      showConnected();
    });
    source.addEventListener("error", function () {
      showDisconnected();
      // CONNECTING: the browser retries by itself. CLOSED: it gave up (an
      // HTTP error, a wrong answer): retry here, with a growing pause.
      if (source.readyState === EventSource.CLOSED) scheduleReconnect();
    });
    source.addEventListener("board.updated", function (event) {
      var board = parse(event);
      if (board) applyBoard(board);
    });
    source.addEventListener("ticket.called", function (event) {
      var ticket = parse(event);
      if (ticket) onCall("ticket.called", ticket);
    });
    source.addEventListener("ticket.recalled", function (event) {
      var ticket = parse(event);
      if (ticket) onCall("ticket.recalled", ticket);
    });
    source.addEventListener("ticket.admitted", function (event) {
      var ticket = parse(event);
      if (ticket) onAdmitted(ticket, now() > replayUntil);
    });
  }

  function scheduleReconnect() {
    if (source) source.close();
    if (reconnectTimer) return;
    failures += 1;
    var delay = Math.min(30000, 1000 * Math.pow(2, Math.min(failures, 5)));
    delay = delay / 2 + Math.random() * (delay / 2);
    reconnectTimer = window.setTimeout(checkSessionThenConnect, delay);
  }

  // A stream refused for good is often a session that expired: then the page
  // reloads, which leads to the staff login.
  function checkSessionThenConnect() {
    reconnectTimer = null;
    // Offline, nothing can succeed: the "online" event starts again.
    if (navigator.onLine === false) return;
    fetch(config.stateUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) {
          window.location.reload();
          return null;
        }
        if (!response.ok) throw new Error("state " + response.status);
        return response.json();
      })
      .then(function (state) {
        if (!state) return;
        applyBoard(state);
        admitted = state.admitted.slice();
        drawAdmitted();
        connect();
      })
      .catch(function () {
        scheduleReconnect();
      });
  }

  window.addEventListener("online", function () {
    if (!source || source.readyState !== EventSource.OPEN) {
      failures = 0;
      window.clearTimeout(reconnectTimer);
      reconnectTimer = null;
      checkSessionThenConnect();
    }
  });

  // The network went away: a stream can look open for minutes on a dead
  // connection, so drop it and say so; "online" brings it back.
  window.addEventListener("offline", function () {
    if (source) source.close();
    showDisconnected();
    scheduleReconnect();
  });

  // Every minute a small request proves the way to the server is alive
  // (the stream's keep-alive comments are invisible to the page). When it
  // fails, the stream is started again.
  var HEARTBEAT_SECONDS = 60;
  window.setInterval(function () {
    if (reconnectTimer || navigator.onLine === false) return;
    fetch(config.stateUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) window.location.reload();
        if (source && source.readyState === EventSource.CLOSED) scheduleReconnect();
      })
      .catch(function () {
        showDisconnected();
        scheduleReconnect();
      });
  }, HEARTBEAT_SECONDS * 1000);

  // --- start -----------------------------------------------------------------------

  window.antreBoard = {
    callClips: callClips,
    admitClips: admitClips,
    spokenText: spokenText,
    announced: announced,
    sound: sound,
    connection: function () {
      return source ? source.readyState : -1;
    },
  };

  tick();
  window.setInterval(tick, 1000);
  pageWaiting();
  window.setInterval(turnWaitingPage, (config.waitingPageSeconds || 8) * 1000);
  // The list's room changes with the window and with the header (the sound
  // button appearing or going): cut the pages again.
  if ("ResizeObserver" in window) {
    var listHeight = waitingList.clientHeight;
    new ResizeObserver(function () {
      if (waitingList.clientHeight === listHeight) return;
      listHeight = waitingList.clientHeight;
      pageWaiting();
    }).observe(waitingList);
  } else {
    window.addEventListener("resize", pageWaiting);
  }
  window.setInterval(drawAdmitted, 15000);
  loadManifest().then(trySound, function () {
    // No clips: the device's voice (if any) can still speak after a gesture.
    soundButton.hidden = false;
  });
  connect();
})();
