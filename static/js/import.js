// Upload progress for large delegate files; without this script the form posts as usual.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var progress = document.getElementById("import-progress");
  var status = document.getElementById("import-status");

  form.addEventListener("submit", function (event) {
    var input = form.querySelector("input[type=file]");
    if (!input || !input.files.length) return;  // let the server say what is missing
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    progress.hidden = false;
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        var percent = Math.round((e.loaded / e.total) * 100);
        progress.value = percent;
        progress.textContent = percent + "%";
        status.textContent = "Uploading… " + percent + "%";
      }
    });
    xhr.upload.addEventListener("load", function () {
      progress.removeAttribute("value");  // indeterminate while the server checks the rows
      status.textContent = "Checking every row…";
    });
    xhr.addEventListener("load", function () {
      if (xhr.responseURL && xhr.responseURL.indexOf("/delegate-imports/") !== -1) {
        window.location.assign(xhr.responseURL);
      } else {
        document.open();
        document.write(xhr.responseText);
        document.close();
      }
    });
    xhr.addEventListener("error", function () {
      status.textContent = "The upload failed; sending the form the ordinary way.";
      form.submit();
    });
    xhr.send(new FormData(form));
  });
})();
