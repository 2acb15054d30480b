// Live planning check on the agenda item form, and the Print and Back buttons of the print view.
// Progressive enhancement only: without JavaScript the "Check for conflicts" button and the
// planner page show the same warnings. No inline scripts or styles (the CSP forbids them).
(function () {
  "use strict";

  var form = document.getElementById("item-form");
  var box = document.getElementById("live-warnings");
  var timer = null;
  var latest = 0;

  function paragraph(text, className) {
    var p = document.createElement("p");
    p.className = className;
    p.textContent = text;
    return p;
  }

  function render(data) {
    box.textContent = "";
    if (!data.ok) {
      box.appendChild(paragraph("Fill in the title, start and end to check this item.", "muted"));
      return;
    }
    if (!data.warnings.length) {
      box.appendChild(paragraph("No conflicts for this item.", "notice notice-ok"));
      return;
    }
    var list = document.createElement("ul");
    list.className = "warnings";
    list.setAttribute("aria-label", "Planning warnings");
    data.warnings.forEach(function (warning) {
      var li = document.createElement("li");
      li.className = "warning";
      var badge = document.createElement("span");
      badge.className = "badge badge-warn";
      badge.textContent = "\u26a0 " + warning.label;
      li.appendChild(badge);
      li.appendChild(document.createTextNode(" " + warning.message));
      if (warning.items && warning.items.length) {
        var go = document.createElement("span");
        go.className = "warning-items";
        go.appendChild(document.createTextNode(" \u00b7 Go to "));
        warning.items.forEach(function (target, index) {
          if (index) { go.appendChild(document.createTextNode(", ")); }
          var link = document.createElement("a");
          link.href = target.url;
          link.textContent = target.title;
          go.appendChild(link);
        });
        li.appendChild(go);
      }
      list.appendChild(li);
    });
    box.appendChild(list);
  }

  function check() {
    var ticket = ++latest;
    fetch(form.dataset.checkUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && ticket === latest) { render(data); } })
      .catch(function () { /* the Check button still works without this */ });
  }

  if (form && box && window.fetch) {
    var schedule = function () {
      clearTimeout(timer);
      timer = setTimeout(check, 350);
    };
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
  }

  document.querySelectorAll(".js-print").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // Back to the page the print view was opened from (its link is the fallback).
  document.querySelectorAll(".js-back").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var cameFromHere = document.referrer.indexOf(window.location.origin + "/") === 0;
      if (cameFromHere && window.history.length > 1) {
        event.preventDefault();
        window.history.back();
      }
    });
  });
})();
