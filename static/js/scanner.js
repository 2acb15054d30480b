// Check-in by scanning a ticket: camera → canvas → jsQR (static/vendor/jsQR.js) → the code
// posted to the scan endpoint; one beep and one flash per answer. A photo of a ticket goes
// the same way, and the typed code too. Without JavaScript the typed code is a plain post.
(function () {
  "use strict";
  var panel = document.getElementById("scan");
  if (!panel || typeof window.jsQR !== "function") return;

  var url = panel.dataset.url;
  // The sentences shown, in the page's language: _scan.html renders them as data- attributes.
  var words = panel.dataset;
  var typed = panel.querySelector("form.scan-typed");
  var csrf = typed.querySelector("input[name=csrf_token]").value;
  var startButton = panel.querySelector(".scan-start");
  var stopButton = panel.querySelector(".scan-stop");
  var fileLabel = panel.querySelector(".file-button");
  var fileInput = panel.querySelector(".scan-file");
  var statusLine = panel.querySelector(".scan-status");
  var videoWrap = panel.querySelector(".scan-video-wrap");
  var video = panel.querySelector(".scan-video");
  var resultBox = panel.querySelector(".scan-result");
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });

  var stream = null;
  var busy = false;          // a code is being checked: the camera waits for the answer
  var lastCode = "";         // the same ticket held in front of the camera is asked once...
  var lastAt = 0;            // ...per REPEAT_MS
  var REPEAT_MS = 4000;
  var FRAME_MS = 150;        // about 7 frames a second: enough at a door, kind to batteries
  var MAX_WIDTH = 720;
  var audio = null;

  // Audio may only start after a tap: the first tap on a button prepares it.
  function prepareAudio() {
    if (audio || !(window.AudioContext || window.webkitAudioContext)) return;
    audio = new (window.AudioContext || window.webkitAudioContext)();
  }

  function beep(ok) {
    if (!audio) return;
    var oscillator = audio.createOscillator();
    var gain = audio.createGain();
    oscillator.type = ok ? "sine" : "square";
    oscillator.frequency.value = ok ? 880 : 220;
    gain.gain.value = 0.15;
    oscillator.connect(gain);
    gain.connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + (ok ? 0.15 : 0.4));
  }

  function flash(ok) {
    resultBox.classList.remove("scan-flash-ok", "scan-flash-refused");
    void resultBox.offsetWidth;  // restart the animation for a second answer alike
    resultBox.classList.add(ok ? "scan-flash-ok" : "scan-flash-refused");
  }

  function line(className, text) {
    var p = document.createElement("p");
    p.className = className;
    p.textContent = text;
    return p;
  }

  // Every value goes in as text: names and answers are whatever people typed.
  function showAnswer(data) {
    resultBox.textContent = "";
    resultBox.className = "scan-result " + (data.ok ? "is-ok" : "is-refused");
    resultBox.dataset.outcome = data.outcome || "";
    resultBox.appendChild(line("scan-message", data.message));
    var person = data.person;
    if (person) {
      var facts = [person.audience, person.region, person.organisation].filter(Boolean);
      resultBox.appendChild(line("scan-person", person.name + (facts.length ? " · " + facts.join(" · ") : "")));
    }
    if (data.notes && data.notes.length) {
      var list = document.createElement("ul");
      list.className = "scan-notes";
      data.notes.forEach(function (note) {
        var item = document.createElement("li");
        item.textContent = note;
        list.appendChild(item);
      });
      resultBox.appendChild(list);
    }
    flash(data.ok);
    beep(data.ok);
    if (data.counts && window.docCheckinCounts) window.docCheckinCounts(data.counts);
  }

  function submit(code) {
    busy = true;
    var body = new FormData();
    body.append("code", code);
    body.append("csrf_token", csrf);
    return fetch(url, {
      method: "POST",
      body: body,
      headers: { "Accept": "application/json", "X-CSRFToken": csrf },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json();
    }).then(showAnswer).catch(function () {
      showAnswer({ ok: false, outcome: "error",
                   message: words.noAnswer || "No answer from the server: check the connection and scan again." });
    }).finally(function () {
      busy = false;
    });
  }

  function read(source, width, height, inversions) {
    var scale = Math.min(1, MAX_WIDTH / width);
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: inversions });
    return found && found.data ? found.data : null;
  }

  function tick() {
    if (!stream) return;
    if (!busy && video.readyState >= video.HAVE_CURRENT_DATA && video.videoWidth) {
      var code = read(video, video.videoWidth, video.videoHeight, "dontInvert");
      var now = Date.now();
      if (code && (code !== lastCode || now - lastAt > REPEAT_MS)) {
        lastCode = code;
        lastAt = now;
        submit(code);
      }
    }
    window.setTimeout(tick, FRAME_MS);
  }

  function stop() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.srcObject = null;
    videoWrap.hidden = true;
    panel.dataset.state = "idle";
    statusLine.textContent = "";
  }

  function start() {
    prepareAudio();
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      statusLine.textContent = words.noCamera || "This browser gives no camera here (it needs https). Use a photo or type the code.";
      return;
    }
    statusLine.textContent = words.starting || "Starting the camera…";
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        videoWrap.hidden = false;
        panel.dataset.state = "scanning";
        statusLine.textContent = words.hold || "Hold a ticket's QR code in front of the camera.";
        return video.play();
      }).then(tick).catch(function (error) {
        stop();
        statusLine.textContent = (words.cameraFailed ||
          "The camera could not start ({error}). Use a photo of the ticket or type its code.")
          .replace("{error}", error && error.name || words.refused || "refused");
      });
  }

  function scanFile() {
    prepareAudio();
    var file = fileInput.files && fileInput.files[0];
    if (!file) return;
    // createImageBitmap, not an <img> with a blob: address (the CSP allows no blob: images).
    createImageBitmap(file).then(function (bitmap) {
      var code = read(bitmap, bitmap.width, bitmap.height, "attemptBoth");
      if (code) return submit(code);
      showAnswer({ ok: false, outcome: "no_code", message: words.noCode || "No QR code found in this photo." });
    }).catch(function () {
      showAnswer({ ok: false, outcome: "no_code", message: words.notImage || "This file is not an image we can read." });
    }).finally(function () {
      fileInput.value = "";
    });
  }

  startButton.hidden = false;
  stopButton.hidden = false;
  fileLabel.hidden = false;
  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", stop);
  fileInput.addEventListener("change", scanFile);
  typed.addEventListener("submit", function (event) {
    event.preventDefault();
    prepareAudio();
    var input = typed.querySelector("input[name=code]");
    if (!input.value.trim()) return;
    submit(input.value.trim()).then(function () { input.select(); });
  });
  window.addEventListener("pagehide", stop);
})();
