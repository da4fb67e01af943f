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

  // On a phone, the main navigation folds behind one "Menu" button (the crisis button stays in the header).
  function phoneMenu() {
    var toggle = document.querySelector(".site-nav__toggle");
    if (!toggle || !window.matchMedia) return;
    var nav = toggle.closest(".site-nav");
    var phone = window.matchMedia("(max-width: 40rem)");
    function open(yes) {
      toggle.setAttribute("aria-expanded", yes ? "true" : "false");
      nav.classList.toggle("site-nav--folded", !yes);
    }
    function fit() {
      toggle.hidden = !phone.matches;
      open(!phone.matches);
    }
    toggle.addEventListener("click", function () {
      open(toggle.getAttribute("aria-expanded") !== "true");
    });
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && phone.matches && toggle.getAttribute("aria-expanded") === "true") {
        open(false);
        toggle.focus();
      }
    });
    if (phone.addEventListener) phone.addEventListener("change", fit);
    fit();
  }

  document.addEventListener("DOMContentLoaded", function () {
    guessTimeZone();
    confirmForms();
    phoneMenu();
  });
})();
