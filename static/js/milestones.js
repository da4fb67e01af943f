// Progressive enhancement for the progress pages: everything works without this file.
(function () {
  "use strict";

  // Calendar feed: a "Copy address" button beside the read-only address field.
  function copyButtons() {
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy-target"));
      if (!field || !navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value).then(function () {
          var status = document.getElementById(button.getAttribute("aria-describedby"));
          if (status) status.textContent = "Copied.";
        });
      });
    });
    document.querySelectorAll("input[readonly][data-select-on-focus]").forEach(function (field) {
      field.addEventListener("focus", function () { field.select(); });
    });
  }

  document.addEventListener("DOMContentLoaded", copyButtons);
})();
