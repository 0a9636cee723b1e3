/* Softbridge's service worker (frontdoor/device.py serves it at /sw.js). Version {{ version }}.

   - Static files: kept when the worker installs, opened from the device.
   - Field pages (frontdoor.device.kept_pages): the device keeps a copy of each for the user
     signed in, fetched without phone or ID numbers. The visit forms, the follow-ups, the
     household list, the sessions and their attendance open from that copy at once (no network
     to open them) and are fetched again behind it for the next time. The home page and a
     household's page are asked of the server first (they show what is stored now, phone numbers
     included, to who may see them); their copy is shown when the network is out or too slow.
   - Each user's copies are a cache of their own ("softbridge-copies-<user>"). Which user the
     device works for is what the server last said in a page's Softbridge-User header: the
     sign-in page says nobody, so after someone else signs in no copy of the last user shows.
   - The outbox (static/js/outbox-core.js) is sent from here too where the browser has
     Background Sync, so a record saved with no signal leaves even if the page was closed.
   Workbox (core, routing, strategies, expiration, precaching) and idb are our own copies
   (static/vendor). */
"use strict";
importScripts({% for url in workbox %}"{{ url }}", {% endfor %}"{{ idb }}", "{{ outbox_core }}");

const O = Softbridge.outbox;
const FIELD_STATIC = [{% for url in field_static %}"{{ url }}", {% endfor %}"{% url 'offline' %}"];
const OFFLINE_PAGE = "{% url 'offline' %}";
const KEPT_LIST = "{% url 'device_pages' %}";
const STATIC_PREFIX = "{{ static_prefix }}";
// Never through the worker's copies: the admin, the API, the service worker itself.
const NEVER_KEPT = ["/admin/", "/api/", "/i18n/", "/sw.js", "/manifest.webmanifest", STATIC_PREFIX];
const SIGN_IN = "/accounts/";
const COPY_DAYS = {{ device_copy_days }};
const REFETCH_AFTER = 24 * 3600 * 1000;  // a copy whose stamp did not change is fetched again after a day
const COPY_HEADER = "Softbridge-Device-Copy";

// --- static files. The field files and the "No network" page are kept when the worker installs
// (workbox-precaching); when a new worker takes over, the files the new list no longer names go.
// No revisions: a file's address is its version (hashed names in production; in development the
// route below fetches each file again whenever there is a network). Other static files a page asks
// for are kept in the same cache as they come.
workbox.precaching.precache(FIELD_STATIC.map(function (url) { return { url: url, revision: null }; }));
const STATIC_CACHE = workbox.core.cacheNames.precache;

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(
    // The caches of the workers from before Workbox kept the field files ("softbridge-static-<version>").
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name.indexOf("softbridge-static-") === 0; })
        .map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

// Hashed names in production never change, so the device's copy is right.
workbox.routing.registerRoute(
  function (options) { return options.url.origin === self.location.origin && options.url.pathname.indexOf(STATIC_PREFIX) === 0; },
  {% if hashed_static %}new workbox.strategies.CacheFirst({ cacheName: STATIC_CACHE }){% else %}new workbox.strategies.NetworkFirst({ cacheName: STATIC_CACHE, networkTimeoutSeconds: 3 }){% endif %}
);

// --- who the device works for: the server says it on each page (frontdoor.device.DeviceAnswers).
const noteUser = {
  fetchDidSucceed: async function (options) {
    const response = options.response;
    if (response.type !== "opaqueredirect" && response.headers.has("Softbridge-User")) {
      const said = response.headers.get("Softbridge-User");
      await O.setDeviceUser(said === "" ? null : Number(said));
    }
    return response;
  },
};

// A copy: the page without phone or ID numbers (the header asks for it), stamped with when it
// was fetched. Vary is dropped: a copy answers for its address whatever the request's headers.
function asCopy(response, stamp) {
  if (!response || response.status !== 200 || response.type === "opaqueredirect") return null;
  const headers = new Headers(response.headers);
  headers.delete("Vary");
  // The body is kept as fetch() gave it, unpacked: the headers that described it packed go.
  headers.delete("Content-Encoding");
  headers.delete("Content-Length");
  headers.set("Softbridge-Kept-At", String(Date.now()));
  headers.set("Softbridge-Stamp", stamp || "");
  return response.blob().then(function (body) {
    return new Response(body, { status: 200, statusText: "OK", headers: headers });
  });
}

const copies = {
  requestWillFetch: async function (options) {
    return new Request(options.request.url, { credentials: "same-origin", redirect: "manual", headers: { [COPY_HEADER]: "1" } });
  },
  cacheWillUpdate: async function (options) { return asCopy(options.response, ""); },
};
const shownOnly = { cacheWillUpdate: async function () { return null; } };  // a page with phone numbers is never kept
// A copy older than COPY_DAYS (by the Date the server gave it) is not shown: the server is asked first.
const fresh = new workbox.expiration.ExpirationPlugin({ maxAgeSeconds: COPY_DAYS * 86400 });

function copiesOf(user) { return O.COPIES_CACHE + "-" + user; }

function isPage(url, request) {
  return request.mode === "navigate" && url.origin === self.location.origin &&
    !NEVER_KEPT.some(function (prefix) { return url.pathname.indexOf(prefix) === 0; });
}

// Pages that show what is stored now, to who may see it (phone and ID numbers included): the home
// page, a household's page and its register forms (a household's change shows its phone number;
// the others its members as they are now), and the training list, where a session just recorded
// must show: asked of the server first. Every other page the device keeps opens from its copy.
function serverFirst(url) {
  return url.pathname === "/" || url.pathname === "{% url 'training:sessions' %}" || /^\/households\/\d+\//.test(url.pathname);
}

async function kept(cacheName, url) {
  const cache = await caches.open(cacheName);
  return Boolean(await cache.match(url.href, { ignoreVary: true }));
}

workbox.routing.registerRoute(
  function (options) { return options.request.mode === "navigate" && options.url.pathname.indexOf(SIGN_IN) === 0; },
  new workbox.strategies.NetworkOnly({ plugins: [noteUser] })
);

workbox.routing.registerRoute(function (options) { return isPage(options.url, options.request); }, async function (options) {
  const user = await O.deviceUser();
  if (user === null) {
    return new workbox.strategies.NetworkOnly({ plugins: [noteUser] }).handle(options);
  }
  const cacheName = copiesOf(user);
  if (!serverFirst(options.url) && await kept(cacheName, options.url)) {
    return new workbox.strategies.StaleWhileRevalidate({
      cacheName: cacheName, plugins: [noteUser, copies, fresh], matchOptions: { ignoreVary: true },
    }).handle(options);
  }
  return new workbox.strategies.NetworkFirst({
    cacheName: cacheName, networkTimeoutSeconds: 6, plugins: [noteUser, shownOnly, fresh], matchOptions: { ignoreVary: true },
  }).handle(options);
});

workbox.routing.setCatchHandler(async function (options) {
  if (options.request.mode === "navigate") {
    return (await workbox.precaching.matchPrecache(OFFLINE_PAGE)) || Response.error();
  }
  return Response.error();
});

// --- keeping the copies: the pages the server lists for the user, each fetched only when its
// stamp changed or its copy is a day old; copies of pages no longer listed go.
async function fetchCopy(cache, url, stamp) {
  const answer = await fetch(url, { credentials: "same-origin", redirect: "manual", headers: { [COPY_HEADER]: "1" } });
  const copy = await asCopy(answer, stamp);
  if (copy) await cache.put(url, copy);  // a redirect is the sign-in page: the older copy stays
  return Boolean(copy);
}

async function keepCopies() {
  const listed = await fetch(KEPT_LIST, { credentials: "same-origin", redirect: "manual" });
  if (listed.status !== 200) return { kept: 0, fetched: 0 };
  const kept = await listed.json();
  await O.setDeviceUser(kept.user);
  await O.setHouseholds(kept.households);
  await forgetOthers(kept.user);
  const cache = await caches.open(copiesOf(kept.user));
  const wanted = new Map(kept.pages.map(function (page) { return [new URL(page.url, self.location.origin).href, page.stamp]; }));
  const queue = [];
  for (const request of await cache.keys()) {
    if (!wanted.has(request.url)) await cache.delete(request);
  }
  for (const [url, stamp] of wanted) {
    const copy = await cache.match(url);
    const age = copy ? Date.now() - Number(copy.headers.get("Softbridge-Kept-At") || 0) : Infinity;
    if (!copy || copy.headers.get("Softbridge-Stamp") !== stamp || age > REFETCH_AFTER) queue.push([url, stamp]);
  }
  let fetched = 0;
  async function next() {
    while (queue.length) {
      const [url, stamp] = queue.shift();
      try {
        if (await fetchCopy(cache, url, stamp)) fetched += 1;
      } catch (error) {
        queue.length = 0;  // the network went: the next page open goes on
      }
    }
  }
  await Promise.all([next(), next()]);
  return { kept: wanted.size, fetched: fetched };
}

// The copies of pages a save changed, fetched now (when they are kept).
async function refreshCopies(paths) {
  const user = await O.deviceUser();
  if (user === null) return;
  const cache = await caches.open(copiesOf(user));
  for (const path of paths) {
    const url = new URL(path, self.location.origin);
    url.hash = "";
    const copy = await cache.match(url.href);
    if (!copy) continue;
    try {
      await fetchCopy(cache, url.href, "");
    } catch (error) { return; }
  }
}

async function forgetOthers(user) {
  const prefix = O.COPIES_CACHE + "-";
  for (const name of await caches.keys()) {
    if (name.indexOf(prefix) === 0 && name !== copiesOf(user)) await caches.delete(name);
  }
}

async function forgetEveryone() {
  for (const name of await caches.keys()) {
    if (name.indexOf(O.COPIES_CACHE) === 0) await caches.delete(name);
  }
  await O.setDeviceUser(null);
}

async function tellPages(message) {
  const pages = await self.clients.matchAll({ type: "window" });
  pages.forEach(function (page) { page.postMessage(message); });
}

self.addEventListener("message", function (event) {
  const data = event.data || {};
  if (data.type === "keep-copies") {
    event.waitUntil(keepCopies().then(function (result) { return tellPages(Object.assign({ type: "copies-kept" }, result)); }));
  } else if (data.type === "refresh-copies") {
    event.waitUntil(refreshCopies(data.paths || []));
  } else if (data.type === "forget-user") {
    event.waitUntil(forgetEveryone().then(function () { return tellPages({ type: "user-forgotten" }); }));
  }
});

// --- Background Sync: the outbox is sent even when no page of the site is open.
self.addEventListener("sync", function (event) {
  if (event.tag === O.SYNC_TAG) {
    event.waitUntil(O.sendAll().then(function (results) {
      return refreshCopies(O.changedPages(results)).then(function () { return tellPages({ type: "outbox-changed" }); });
    }));
  }
});
