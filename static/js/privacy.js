// The download's status page, live: progress shows as the file is built, and the link when it is ready, without
// reloading. Without JavaScript the page refreshes itself (a <noscript> meta refresh).
(function () {
  var region = document.getElementById("export-live");
  if (!region || !region.dataset.liveUrl) {
    return;
  }
  document.querySelectorAll(".no-js-only").forEach(function (element) {
    element.hidden = true;
  });
  var url = region.dataset.liveUrl;
  // Every 2 seconds at first, then less often (a long history, or no worker running yet), and not at all after
  // 15 minutes: the "Refresh now" link comes back instead.
  var delay = 2000;
  var giveUpAt = Date.now() + 15 * 60 * 1000;

  function showRefresh() {
    region.querySelectorAll(".no-js-only").forEach(function (element) {
      element.hidden = false;
    });
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) {
          throw new Error("stopped");
        }
        return response.text();
      })
      .then(function (html) {
        region.innerHTML = html;
        region.querySelectorAll(".no-js-only").forEach(function (element) {
          element.hidden = true;
        });
        if (region.querySelector("[data-finished]")) {
          return;
        }
        if (Date.now() > giveUpAt) {
          showRefresh();
          return;
        }
        delay = Math.min(delay * 1.25, 30000);
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        // Offline or signed out: the "Refresh now" link is there again.
        showRefresh();
      });
  }
  window.setTimeout(poll, 1000);
})();
