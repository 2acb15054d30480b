// Check-in without page reloads: the forms still work as plain posts when this file is absent.
(function () {
  "use strict";
  var live = document.getElementById("live-counts");
  var search = document.querySelector(".checkin-search input[type=search]");
  // The words, in the page's language, from the counts section's data- attributes.
  var words = live ? live.dataset : {};

  // After each tap the next person is typed at once: back to the search box, its text
  // selected so that typing replaces it.
  function backToSearch() {
    if (!search) return;
    search.focus();
    search.select();
  }

  function renderRows(tbodyId, rows, key) {
    var tbody = document.getElementById(tbodyId);
    if (!tbody) return;
    tbody.textContent = "";
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      var name = document.createElement("td");
      name.textContent = row[key];
      var n = document.createElement("td");
      n.textContent = row.present + " / " + row.confirmed;
      tr.appendChild(name);
      tr.appendChild(n);
      tbody.appendChild(tr);
    });
  }

  function renderCounts(counts) {
    renderRows("counts-audiences", counts.audiences, "label");
    renderRows("counts-regions", counts.regions, "region");
  }
  // The scanner (scanner.js) shows the counts its answers bring.
  window.docCheckinCounts = renderCounts;

  function setState(form, checkedIn) {
    var action = form.querySelector("input[name=action]");
    var button = form.querySelector("button");
    var badge = form.querySelector(".present");
    action.value = checkedIn ? "undo" : "in";
    button.textContent = checkedIn ? (words.undo || "Undo") : (words.checkIn || "Check in");
    button.className = checkedIn ? "secondary" : "";
    if (checkedIn && !badge) {
      badge = document.createElement("span");
      badge.className = "badge badge-ok present";
      badge.textContent = words.present || "Present";
      form.insertBefore(badge, button);
    } else if (!checkedIn && badge) {
      badge.remove();
    }
  }

  document.querySelectorAll("form.checkin-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      // getAttribute: the hidden input named "action" shadows the form.action property.
      fetch(form.getAttribute("action"), {
        method: "POST",
        body: new FormData(form),
        headers: {
          "Accept": "application/json",
          "X-CSRFToken": form.querySelector("input[name=csrf_token]").value
        },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json();
      }).then(function (data) {
        if (data.ok) setState(form, data.checked_in);
        if (data.counts) renderCounts(data.counts);
      }).catch(function () {
        form.submit();  // fall back to the plain post
      }).finally(function () {
        button.disabled = false;
        backToSearch();
      });
    });
  });

  // The page after a search (or a plain post's redirect): the text ready to be replaced.
  backToSearch();

  if (live && live.dataset.url) {
    window.setInterval(function () {
      fetch(live.dataset.url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (counts) { if (counts) renderCounts(counts); })
        .catch(function () {});
    }, 10000);
  }
})();
