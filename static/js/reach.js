// An alert's page, live: who has answered shows within seconds, without reloading. Without JavaScript the
// page refreshes itself (a <noscript> meta refresh) and has a "Refresh now" link.
(function () {
  var region = document.getElementById("alert-live");
  if (!region || !region.dataset.liveUrl) {
    return;
  }
  document.querySelectorAll(".no-js-only").forEach(function (element) {
    element.hidden = true;
  });
  var seconds = Number(region.dataset.pollSeconds) || 5;
  var stopped = false;

  // The fetched HTML as the browser would write it back (whitespace, empty tags, entities), so that it compares
  // equal to the region's own markup when nothing changed.
  function normalised(html) {
    var parsed = document.createElement("template");
    parsed.innerHTML = html;
    return parsed.innerHTML.trim();
  }
  var last = region.innerHTML.trim();

  function poll() {
    if (stopped) {
      return;
    }
    fetch(region.dataset.liveUrl, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        // Signed out meanwhile (another tab, the session's end): the sign-in page the request was redirected to
        // is not news for this region.
        if (response.redirected || response.status === 401 || response.status === 403 || response.status === 404) {
          stopped = true;
        }
        return response.ok && !response.redirected ? response.text() : null;
      })
      .then(function (html) {
        // Replaced only when something changed, so a screen reader announces news, not every poll.
        if (html === null) {
          return;
        }
        var fresh = normalised(html);
        if (fresh !== last) {
          last = fresh;
          region.innerHTML = html;
        }
      })
      .catch(function () {
        // Offline for a moment: try again at the next tick.
      })
      .finally(function () {
        if (!stopped) {
          window.setTimeout(poll, seconds * 1000);
        }
      });
  }
  window.setTimeout(poll, seconds * 1000);
})();
