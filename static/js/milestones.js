// Progressive enhancement for the progress pages: everything works without this file.
(function () {
  "use strict";
  // Words in the reader's language, from base.html's <script id="script-strings"> (English if it is missing).
  var STRINGS = (function () {
    try { return JSON.parse(document.getElementById("script-strings").textContent); } catch (e) { return {}; }
  })();
  function t(key, english, count) {
    var text = STRINGS[key] || english;
    return count === undefined ? text : text.replace("%(count)s", String(count));
  }

  // Calendar feed: a "Copy address" button beside the read-only address field.
  function copyButtons() {
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy-target"));
      if (!field || !navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value).then(function () {
          var status = document.getElementById(button.getAttribute("aria-describedby"));
          if (status) status.textContent = t("copied", "Copied.");
        });
      });
    });
    document.querySelectorAll("input[readonly][data-select-on-focus]").forEach(function (field) {
      field.addEventListener("focus", function () { field.select(); });
    });
  }

  // Check-in: find a supporter (or group) by name as one types, without leaving the page. Without this
  // script the Search button posts the form back and the page returns with the results, nothing lost.
  function choiceSearch(box) {
    var input = box.querySelector("input[type=search]");
    var status = box.querySelector("[data-status]");
    var results = box.querySelector("[data-results]");
    var list = document.getElementById(box.getAttribute("data-list"));
    var timer = null;
    var pending = null;

    // Anyone ticked among the results joins the checkboxes above before the results change, so a
    // choice stays made whatever is searched next.
    function keepTicked() {
      results.querySelectorAll("input:checked").forEach(function (tick) {
        var item = tick.closest("label").parentNode;
        tick.id = list.id + "_" + list.children.length;
        item.querySelector("label").htmlFor = tick.id;
        list.appendChild(item);
      });
    }

    function search(page, focusResults) {
      window.clearTimeout(timer);
      keepTicked();
      if (pending) pending.abort();
      var words = input.value.trim();
      if (!words) {
        results.replaceChildren();
        status.textContent = "";
        return;
      }
      var url = new URL(box.getAttribute("data-choice-search"), window.location.href);
      url.searchParams.set("q", words);
      url.searchParams.set("page", page);
      list.querySelectorAll("input").forEach(function (shown) { url.searchParams.append("shown", shown.value); });
      pending = new AbortController();
      fetch(url, { signal: pending.signal, headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok || response.redirected) throw new Error("search failed");
          return response.text();
        })
        .then(function (html) {
          results.innerHTML = html;
          var summary = results.querySelector("[data-summary]");
          status.textContent = summary ? summary.textContent : "";
          var first = results.querySelector("input");
          if (focusResults && first) first.focus();
        })
        .catch(function (error) {
          if (error.name !== "AbortError") status.textContent = t("search_retry", "Searching didn't work just now. Please try again.");
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { search(1, false); }, 250);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); // not the form's first button, which saves the check-in
        search(1, false);
      }
    });
    box.addEventListener("click", function (event) {
      var button = event.target.closest("button[name^='find-']");
      if (!button) return;
      event.preventDefault();
      search(button.value, button.parentNode.classList.contains("pager"));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    copyButtons();
    document.querySelectorAll("[data-choice-search]").forEach(choiceSearch);
  });
})();
