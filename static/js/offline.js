// The app without a connection (progressive enhancement; every page works without this file):
// - installs the service worker (served at /sw.js), which shows the offline page when a page can't load;
// - keeps the signed-in person's own offline page (their crisis supporters' numbers) in the PRIVATE cache,
//   and forgets it, with any check-in still waiting, as soon as a signed-out page loads;
// - sends a check-in with a key made here, and keeps it on the phone when there is no connection, sending it
//   when the connection returns. The key makes a resend harmless: the server saves each key once.
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

  var QUEUE = "rn-checkins-waiting";
  var KEPT_AT = "rn-offline-page-kept";
  var PRIVATE_CACHE = "rn-private";
  var REFRESH_MS = 10 * 60 * 1000;
  var body, person, sending = false;

  function readQueue() {
    try {
      return JSON.parse(localStorage.getItem(QUEUE)) || [];
    } catch (e) {
      return [];
    }
  }

  function writeQueue(entries) {
    if (entries.length) localStorage.setItem(QUEUE, JSON.stringify(entries));
    else localStorage.removeItem(QUEUE);
  }

  function mine(entry) {
    return entry.person === person;
  }

  function register() {
    var url = body.getAttribute("data-sw");
    if (url && "serviceWorker" in navigator) navigator.serviceWorker.register(url, { scope: "/" }).catch(function () {});
  }

  function keepOwnOfflinePage() {
    var url = body.getAttribute("data-offline");
    if (!person) {
      // Signed out (or never signed in) on this device: nothing of anyone's stays behind.
      localStorage.removeItem(QUEUE);
      localStorage.removeItem(KEPT_AT);
      if (window.caches) caches.delete(PRIVATE_CACHE);
      return;
    }
    if (!window.caches || !url || !navigator.onLine) return;
    var kept = null;
    try {
      kept = JSON.parse(localStorage.getItem(KEPT_AT));
    } catch (e) {}
    if (kept && kept.person === person && Date.now() - kept.at < REFRESH_MS) return;
    fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok || response.redirected) return;
        return caches.open(PRIVATE_CACHE).then(function (cache) {
          return cache.put(url, response).then(function () {
            localStorage.setItem(KEPT_AT, JSON.stringify({ person: person, at: Date.now() }));
          });
        });
      })
      .catch(function () {});
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  // The person's calendar day in their own zone (the server's "today" follows the same zone).
  function localDay(zone) {
    try {
      var parts = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" })
        .formatToParts(new Date());
      var value = {};
      parts.forEach(function (part) { value[part.type] = part.value; });
      return value.year + "-" + value.month + "-" + value.day;
    } catch (e) {
      return "";
    }
  }

  function send(entry) {
    return fetch(entry.url, {
      method: "POST",
      body: new URLSearchParams(entry.fields),
      credentials: "same-origin",
      redirect: "manual",
    });
  }

  function say(text, where) {
    var note = document.createElement("p");
    note.className = "message message--info";
    note.setAttribute("role", "status");
    note.textContent = text;
    (where || document.getElementById("main")).prepend(note);
    return note;
  }

  function showWaiting() {
    var status = document.querySelector("[data-offline-status]");
    if (!status) return;
    var waiting = readQueue().filter(mine).length;
    status.textContent = waiting
      ? t(waiting === 1 ? "kept_one" : "kept_other", (waiting === 1 ? "1 check-in is" : waiting + " check-ins are") + " kept on this phone and will be sent when you're back online.", waiting)
      : "";
  }

  function enhanceForm(form) {
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter.name && submitter.name.indexOf("find-") === 0) return; // a search, not a check-in
      if (event.defaultPrevented) return;
      event.preventDefault();
      var fields = [];
      new FormData(form).forEach(function (value, name) {
        if (typeof value === "string") fields.push([name, value]);
      });
      var entry = { person: person, url: form.action, key: newKey(), fields: fields };
      entry.fields.push(["device_key", entry.key], ["filled_on", localDay(form.getAttribute("data-zone"))]);
      send(entry)
        .then(function (response) {
          if (response.status === 204) {
            window.location.assign(form.getAttribute("data-done"));
          } else {
            // The server has something to say (a missing answer, a sign-in needed): let it say it as it
            // does without this script.
            HTMLFormElement.prototype.submit.call(form);
          }
        })
        .catch(function () {
          writeQueue(readQueue().concat([entry]));
          form.reset();
          say(t("kept_now", "No connection: your check-in is kept on this phone and will be sent when you're back online."), form.parentNode);
          showWaiting();
        });
    });
  }

  // Send what is waiting, oldest first. Sent or refused for good (400: too old, not valid) leaves the queue;
  // anything else (offline, signed out, a server error) stays for the next try.
  function sendWaiting() {
    if (sending || !person || !navigator.onLine) return;
    var waiting = readQueue().filter(mine);
    if (!waiting.length) return;
    sending = true;
    var sent = 0, refused = 0;
    waiting
      .reduce(function (previous, entry) {
        return previous.then(function () {
          return send(entry).then(function (response) {
            if (response.status !== 204 && response.status !== 400) return;
            if (response.status === 204) sent += 1;
            else refused += 1;
            writeQueue(readQueue().filter(function (other) { return other.key !== entry.key; }));
          });
        });
      }, Promise.resolve())
      .catch(function () {})
      .then(function () {
        sending = false;
        showWaiting();
        if (sent) say(t(sent === 1 ? "sent_one" : "sent_other", sent === 1 ? "Your check-in kept on this phone has been sent." : sent + " check-ins kept on this phone have been sent.", sent));
        if (refused) say(t("too_old", "A check-in kept on this phone couldn't be saved (it was more than a week old). Please check in again."));
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    body = document.body;
    person = body.getAttribute("data-person");
    register();
    keepOwnOfflinePage();
    document.querySelectorAll("form[data-offline-checkin]").forEach(enhanceForm);
    showWaiting();
    sendWaiting();
    window.addEventListener("online", sendWaiting);
  });
})();
