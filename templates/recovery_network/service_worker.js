{% autoescape off %}// Recovery Network's service worker: the app in reach without a connection, and nothing private kept.
//
// It keeps only: our static files, the offline page as anyone sees it (crisis lines), and the signed-in
// person's own offline page (their crisis supporters' numbers), which the page script puts in PRIVATE while
// they are signed in and deletes when a signed-out page loads. Every other page is fetched from the network
// and never stored: pages with private data stay out of every cache.
"use strict";

const VERSION = "{{ version }}";
const STATIC_CACHE = "rn-static-" + VERSION;
const PUBLIC_CACHE = "rn-public-" + VERSION;
const PRIVATE_CACHE = "rn-private";
const OFFLINE_URL = "{{ offline_url }}";
const STATIC_PREFIX = "{{ static_prefix }}";
const PRECACHED = {{ precached }};

// The public offline page, fetched without cookies: the crisis lines, for anyone on this device.
function keepPublicOfflinePage() {
  return caches.open(PUBLIC_CACHE).then((cache) =>
    fetch(OFFLINE_URL, { credentials: "omit" }).then((response) => {
      if (!response.ok) throw new Error("offline page: " + response.status);
      return cache.put(OFFLINE_URL, response);
    })
  );
}

// A file or page that can't be fetched now (a busy server, a dropped connection) doesn't stop the worker from
// installing: it is fetched again when the worker starts, and static files are kept as pages load them.
self.addEventListener("install", (event) => {
  event.waitUntil(
    Promise.all([
      caches.open(STATIC_CACHE).then((cache) => Promise.all(PRECACHED.map((url) => cache.add(url).catch(() => null)))),
      keepPublicOfflinePage().catch(() => null),
    ]).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  const current = [STATIC_CACHE, PUBLIC_CACHE, PRIVATE_CACHE];
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => !current.includes(name)).map((name) => caches.delete(name))))
      .then(() => caches.open(PUBLIC_CACHE))
      .then((cache) => cache.match(OFFLINE_URL))
      .then((kept) => kept || keepPublicOfflinePage().catch(() => null))
      .then(() => self.clients.claim())
  );
});

function offlinePage() {
  // ignoreVary: the page was kept from a request with the person's cookie, and is asked for without one.
  return caches
    .open(PRIVATE_CACHE)
    .then((cache) => cache.match(OFFLINE_URL, { ignoreVary: true }))
    .then((own) => own || caches.open(PUBLIC_CACHE).then((cache) => cache.match(OFFLINE_URL, { ignoreVary: true })))
    .then((page) => page || new Response({{ offline_message }}, {
      status: 503,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    }));
}

// Static files: the network (and behind it the browser's own cache) first, our copy when offline.
function staticFile(request) {
  return caches.open(STATIC_CACHE).then((cache) =>
    fetch(request)
      .then((response) => {
        if (response.ok) cache.put(request, response.clone());
        return response;
      })
      .catch(() => cache.match(request).then((kept) => kept || Response.error()))
  );
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return; // a check-in sent offline is kept by the page script, not here
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith(staticFile(request));
  } else if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(offlinePage));
  }
});
{% endautoescape %}
