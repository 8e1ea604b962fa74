/* The kiosk's behaviour: back to the home screen after a few seconds without
   a touch, the code field ready for the USB scanner (which types the code and
   Enter like a keyboard), the on-screen keypad, camera scanning with the
   self-hosted barcode-detector polyfill (ZXing in WebAssembly), and printing
   the ticket once when it was just issued.

   Settings come from the <body>: data-screen, data-home-url,
   data-idle-seconds, data-auto-print. No inline script: the pages work under
   a strict Content Security Policy. */
(function () {
  "use strict";

  var body = document.body;
  var homeUrl = body.dataset.homeUrl;
  var idleSeconds = Number(body.dataset.idleSeconds) || 10;
  var CAMERA_IDLE_SECONDS = 30;
  var idleTimer = null;
  var camera = null;

  var codeInput = document.querySelector("[data-code-input]");
  var codeForm = document.querySelector("[data-checkin-form]");

  /* Idle: return home */

  function isPristineHome() {
    return body.dataset.screen === "home" && !document.querySelector("[data-problem]");
  }

  function goHome() {
    if (camera) {
      camera.close();
    }
    if (isPristineHome()) {
      // Already home: forget a half-typed code, stay put, back at the top
      // (the next person should not find the list left at some agency).
      if (window.location.hash) {
        window.history.replaceState(null, "", window.location.pathname + window.location.search);
      }
      window.scrollTo(0, 0);
      if (codeInput) {
        codeInput.value = "";
        focusCode();
      }
      restartIdle();
      return;
    }
    window.location.replace(homeUrl);
  }

  function restartIdle() {
    window.clearTimeout(idleTimer);
    // No home to return to (the 404 of a site that does not exist).
    if (!homeUrl) {
      return;
    }
    var seconds = camera ? Math.max(idleSeconds, CAMERA_IDLE_SECONDS) : idleSeconds;
    idleTimer = window.setTimeout(goHome, seconds * 1000);
  }

  ["pointerdown", "keydown", "input", "wheel"].forEach(function (type) {
    document.addEventListener(type, restartIdle, { capture: true, passive: true });
  });

  /* The code field: always ready for the scanner */

  function focusCode() {
    if (codeInput && !camera && document.activeElement !== codeInput) {
      codeInput.focus({ preventScroll: true });
    }
  }

  // What is typed goes to the server as typed: it reads a code in any case
  // and finds the code inside a link to the booking page. A code shows in
  // capitals, as printed in the e-mail (CSS); a link (a scanner reading a
  // link's QR) shows as it came.
  function showAsTyped() {
    codeInput.classList.toggle("kiosk-code__input--link", /[:/]/.test(codeInput.value));
  }

  if (codeInput) {
    codeInput.addEventListener("input", showAsTyped);

    // A scanner types wherever the focus is. A printable key pressed while
    // the focus is elsewhere (after a touch on a button) moves it to the code
    // field first, so the key lands there. Tab, Enter and Space keep their
    // meaning: nobody is trapped in the field.
    document.addEventListener(
      "keydown",
      function (event) {
        if (camera || event.ctrlKey || event.altKey || event.metaKey) {
          return;
        }
        if (event.key.length === 1 && event.key !== " " && document.activeElement !== codeInput) {
          focusCode();
        }
      },
      { capture: true }
    );

    // A touch on the background gives the focus back to the code field.
    document.addEventListener("pointerup", function (event) {
      if (!event.target.closest("a, button, input, dialog, label, [tabindex]")) {
        focusCode();
      }
    });

    if (codeForm) {
      codeForm.addEventListener("submit", function (event) {
        if (!codeInput.value.trim()) {
          event.preventDefault();
          focusCode();
        }
      });
    }
    focusCode();
  }

  /* The on-screen keypad */

  document.querySelectorAll("[data-key]").forEach(function (key) {
    // Keep the focus (and the caret) in the code field on touch.
    key.addEventListener("pointerdown", function (event) {
      event.preventDefault();
    });
    key.addEventListener("click", function () {
      if (!codeInput) {
        return;
      }
      var value = codeInput.value;
      var name = key.dataset.key;
      if (name === "backspace") {
        codeInput.value = value.slice(0, -1);
      } else if (name === "clear") {
        codeInput.value = "";
      } else if (value.length < codeInput.maxLength) {
        codeInput.value = value + name;
      }
      codeInput.dispatchEvent(new Event("input", { bubbles: true }));
      focusCode();
      codeInput.setSelectionRange(codeInput.value.length, codeInput.value.length);
    });
  });

  /* Camera scanning */

  // The code inside a scanned QR: the bare code (the booking e-mail's QR),
  // or the last part of a link to the booking page.
  function codeFromScan(text) {
    var match = /\/pemesanan\/([^/?#\s]+)/i.exec(text);
    var candidate = (match ? match[1] : text).trim().toUpperCase().replace(/[-\s]/g, "");
    return /^[0-9A-Z]{9}$/.test(candidate) ? candidate : null;
  }

  function Camera(dialog) {
    this.dialog = dialog;
    this.video = dialog.querySelector("video");
    this.status = dialog.querySelector("[data-camera-status]");
    this.stream = null;
    this.scanning = false;
    this.detector = null;
  }

  Camera.prototype.say = function (name) {
    this.status.textContent = this.dialog.dataset["message" + name] || "";
    this.dialog.dataset.state = name.toLowerCase();
  };

  Camera.prototype.prepareDetector = function () {
    var api = window.BarcodeDetectionAPI;
    if (!api) {
      throw new Error("barcode-detector is not loaded");
    }
    var wasmUrl = this.dialog.dataset.wasmUrl;
    // Our own copy of the ZXing WebAssembly, never the package's CDN.
    return api
      .prepareZXingModule({
        overrides: {
          locateFile: function (path, prefix) {
            return path.endsWith(".wasm") ? wasmUrl : prefix + path;
          },
        },
        fireImmediately: true,
      })
      .then(function () {
        return new api.BarcodeDetector({ formats: ["qr_code"] });
      });
  };

  Camera.prototype.open = function () {
    var self = this;
    this.dialog.showModal();
    this.say("Starting");
    restartIdle();
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      this.say("Unavailable");
      return;
    }
    Promise.resolve()
      .then(function () {
        return self.detector || self.prepareDetector();
      })
      .then(function (detector) {
        self.detector = detector;
        return navigator.mediaDevices.getUserMedia({
          video: { facingMode: "environment" },
          audio: false,
        });
      })
      .then(function (stream) {
        if (camera !== self) {
          stream.getTracks().forEach(function (track) {
            track.stop();
          });
          return;
        }
        self.stream = stream;
        self.video.srcObject = stream;
        return self.video.play().then(function () {
          self.say("Scanning");
          self.scanning = true;
          self.scan();
        });
      })
      .catch(function () {
        self.say("Unavailable");
      });
  };

  Camera.prototype.scan = function () {
    var self = this;
    if (!this.scanning) {
      return;
    }
    var next = function () {
      window.setTimeout(function () {
        self.scan();
      }, 150);
    };
    if (this.video.readyState < 2) {
      next();
      return;
    }
    this.detector
      .detect(this.video)
      .then(function (found) {
        for (var index = 0; index < found.length; index += 1) {
          var code = codeFromScan(found[index].rawValue || "");
          if (code && self.scanning) {
            self.close();
            codeInput.value = code;
            codeForm.requestSubmit();
            return;
          }
        }
        next();
      })
      .catch(next);
  };

  Camera.prototype.close = function () {
    this.scanning = false;
    if (this.stream) {
      this.stream.getTracks().forEach(function (track) {
        track.stop();
      });
      this.stream = null;
    }
    this.video.srcObject = null;
    if (this.dialog.open) {
      this.dialog.close();
    }
    camera = null;
    restartIdle();
    focusCode();
  };

  var cameraDialog = document.querySelector("[data-camera]");
  var cameraButton = document.querySelector("[data-camera-open]");
  if (cameraDialog && cameraButton && codeInput && codeForm) {
    var current = new Camera(cameraDialog);
    cameraButton.hidden = false;
    cameraButton.addEventListener("click", function () {
      camera = current;
      current.open();
    });
    cameraDialog.querySelector("[data-camera-close]").addEventListener("click", function () {
      current.close();
    });
    // Escape closes the dialog without our button: stop the camera too.
    cameraDialog.addEventListener("close", function () {
      if (camera === current) {
        current.close();
      }
    });
  }

  /* Printing */

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });

  if (body.hasAttribute("data-auto-print")) {
    // After the QR and the fonts are laid out; with Chromium's
    // --kiosk-printing the ticket goes to the default printer at once.
    window.addEventListener("load", function () {
      window.setTimeout(function () {
        window.print();
        restartIdle();
      }, 100);
    });
  }

  restartIdle();
})();
