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
    document.querySelectorAll("input[data-guess-timezone]").forEach(function (input) {
      if (input.value !== "UTC") return;
      var list = input.list;
      var offered = list && Array.prototype.some.call(list.options, function (o) { return o.value === zone; });
      if (offered) input.value = zone;
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
