// Mission set-up: the time zone follows the host region (each option carries its zone in
// data-zone) until the user picks a zone themselves. Without JavaScript the page still
// starts with the zone of the host selected first. No inline script (the CSP forbids it).
(function () {
  "use strict";

  var host = document.getElementById("host_region_id");
  var zone = document.getElementById("timezone");
  if (!host || !zone) { return; }
  var chosenByHand = false;

  zone.addEventListener("change", function () { chosenByHand = true; });
  host.addEventListener("change", function () {
    var option = host.options[host.selectedIndex];
    var hostZone = option && option.dataset.zone;
    if (!chosenByHand && hostZone) { zone.value = hostZone; }
  });
})();
