// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Sign-up and profile: when the zone is still the default, guess it from the browser.
  function guessTimeZone() {
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return;
    }
    if (!zone) return;
    document.querySelectorAll("select[data-guess-timezone]").forEach(function (select) {
      if (select.value !== "UTC") return;
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === zone; });
      if (option) select.value = zone;
    });
  }

  // Ask before submitting forms that change something important.
  function confirmForms() {
    document.addEventListener("submit", function (event) {
      var message = event.target.getAttribute("data-confirm");
      if (message && !window.confirm(message)) event.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    guessTimeZone();
    confirmForms();
  });
})();
