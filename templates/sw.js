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
     sign-in page says nobody, so after someone else signs in no copy of the last user shows;
     when that someone else is seen, everything of the last user goes (O.switchUser) and the
     new user's copies are fetched at once.
   - The sync (keepCopies) starts by itself: when the worker takes over, at the first page the
     server says is a user's, and at every page load's word until it has finished; a network
     that fails during it is tried again within seconds, and where it stands (pages kept of
     pages listed, what is missing, when it last finished) is in the outbox's notes ("sync"),
     which every page shows.
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
const VISIT_FORM = "{% url 'visits:new' %}";
const TRAINING = "{% url 'training:sessions' %}";
const STATIC_PREFIX = "{{ static_prefix }}";
// Never through the worker's copies: the admin, the API, the service worker itself.
const NEVER_KEPT = ["/admin/", "/api/", "/i18n/", "/sw.js", "/manifest.webmanifest", STATIC_PREFIX];
const SIGN_IN = "/accounts/";
const COPY_DAYS = {{ device_copy_days }};
const REFETCH_AFTER = 24 * 3600 * 1000;  // a copy whose stamp did not change is fetched again after a day
const SYNC_EVERY = 15 * 60 * 1000;  // a finished sync is done again after this, at the next page
const RETRY_MOST = 5000;  // the network failed: tried again after 1, 2, 4, then every 5 seconds...
const RETRY_FOR = 4 * 60 * 1000;  // ...for this long (pages ask again when they open or the network returns)
const COPY_HEADER = "Softbridge-Device-Copy";
// A page, or the list of pages, fetched and read within this or tried again: a stalled link
// (connected, and nothing comes) would otherwise hold the sync for good (outbox-core's within).
const FETCH_WITHIN = 30000;

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
  // Not in waitUntil (pages wait for the activation). A page that signed in while this worker
  // was still installing may have gone before its word reached it: the worker starts by itself.
  setTimeout(function () { syncIfDue(false); }, 0);
});

// Hashed names in production never change, so the device's copy is right.
workbox.routing.registerRoute(
  function (options) { return options.url.origin === self.location.origin && options.url.pathname.indexOf(STATIC_PREFIX) === 0; },
  {% if hashed_static %}new workbox.strategies.CacheFirst({ cacheName: STATIC_CACHE }){% else %}new workbox.strategies.NetworkFirst({ cacheName: STATIC_CACHE, networkTimeoutSeconds: 3 }){% endif %}
);

// --- who the device works for: the server says it on each page (frontdoor.device.DeviceAnswers).
// A user seen for the first time on this device: the last one's things go before any is shown,
// and the new user's copies are fetched at once (syncIfDue: a user with no finished sync is due).
const noteUser = {
  fetchDidSucceed: async function (options) {
    const response = options.response;
    if (response.type !== "opaqueredirect" && response.headers.has("Softbridge-User")) {
      const said = response.headers.get("Softbridge-User");
      const user = said === "" ? null : Number(said);
      await O.switchUser(user);
      if (user !== null) syncIfDue();
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

// A copy is kept only in the cache of the user the server drew it for.
function isFor(response, user) {
  return Boolean(response) && response.headers.get("Softbridge-User") === String(user);
}

function copiesFor(user) {
  return {
    requestWillFetch: async function (options) {
      return new Request(options.request.url, { credentials: "same-origin", redirect: "manual", headers: { [COPY_HEADER]: "1" } });
    },
    cacheWillUpdate: async function (options) {
      return isFor(options.response, user) ? asCopy(options.response, "") : null;
    },
  };
}
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
// must show, with a session's page and its attendance (the attendees just sent must show, not the
// copy kept before them): asked of the server first. Every other page the device keeps opens from
// its copy.
function serverFirst(url) {
  return url.pathname === "/" || url.pathname === "{% url 'training:sessions' %}" ||
    /^\/households\/\d+\//.test(url.pathname) || /^\/training\/\d+\//.test(url.pathname);
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
      cacheName: cacheName, plugins: [noteUser, copiesFor(user), fresh], matchOptions: { ignoreVary: true },
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
// stamp changed or its copy is a day old; copies of pages no longer listed go. Every step checks
// that the device still works for the same user: a sync of the last user never fills the copies
// of the next.
async function fetchCopy(cache, user, url, stamp) {
  const copy = await O.within(FETCH_WITHIN, async function (signal) {
    const answer = await fetch(url, { credentials: "same-origin", redirect: "manual", signal: signal, headers: { [COPY_HEADER]: "1" } });
    if (!O.whole(answer)) throw new Error("no answer, or not the server's whole answer");
    if (!isFor(answer, user) || (await O.deviceUser()) !== user) return null;  // signed out, or someone else
    return asCopy(answer, stamp);
  });
  if (copy) await cache.put(url, copy);  // a redirect is the sign-in page: the older copy stays
  return Boolean(copy);
}

function sleep(ms) { return new Promise(function (done) { setTimeout(done, ms); }); }

// `attempt` again while the network fails (it throws), waiting 1, 2, 4, then 5 seconds between
// tries; gives up (throws) after RETRY_FOR, or when `still()` says the sync is not wanted any more.
async function patiently(attempt, still, onFail) {
  const started = Date.now();
  let wait = 1000;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() - started > RETRY_FOR || !(await still())) throw error;
      await onFail();
      await sleep(wait);
      wait = Math.min(wait * 2, RETRY_MOST);
    }
  }
}

// What a page's address is, for "what is missing" (static/js/outbox-sync.js names them).
function kindOf(url) {
  const path = new URL(url).pathname;
  if (path.indexOf(VISIT_FORM) === 0 && url.indexOf("household=") !== -1) return "visitForms";
  if (/^\/households\/\d+\/$/.test(path)) return "households";
  if (path.indexOf(TRAINING) === 0) return "sessions";
  return "other";
}

async function keepCopies(force) {
  const user = await O.deviceUser();
  if (user === null) return;
  const still = async function () { return (await O.deviceUser()) === user; };
  const previous = await O.syncState();
  const state = Object.assign(
    { user: user, total: 0, kept: 0, missing: {}, syncedAt: null },
    previous && previous.user === user ? previous : {},
    { running: true, done: false, offline: false, startedAt: Date.now() }
  );
  let told = 0;
  async function say(now) {
    if (!now && Date.now() - told < 500) return;
    told = Date.now();
    state.at = told;
    if (!(await still())) return;
    await O.setSyncState(state);
    await tellPages({ type: "sync", state: state });
  }
  const offline = async function () { state.offline = true; await say(true); };
  await say(true);
  try {
    // The household list comes only when it changed: the server is told the version held.
    const held = await O.householdsVersion(user);
    const address = KEPT_LIST + (held ? "?households=" + encodeURIComponent(held) : "");
    const kept = await patiently(function () {
      return O.within(FETCH_WITHIN, async function (signal) {
        const listed = await fetch(address, { credentials: "same-origin", redirect: "manual", signal: signal });
        return listed.status === 200 ? listed.json() : null;
      });
    }, still, offline);
    if (kept === null) return;  // the session ended: the next sign-in starts it again
    if (kept.user !== user || !(await still())) return;
    if (kept.households) await O.setHouseholds(kept.households, user, kept.households_version);
    const households = kept.households || (await O.households()) || [];
    const cache = await caches.open(copiesOf(user));
    const wanted = new Map(kept.pages.map(function (page) { return [new URL(page.url, self.location.origin).href, page.stamp]; }));
    for (const request of await cache.keys()) {
      if (!wanted.has(request.url)) await cache.delete(request);
    }
    const queue = [];
    const missing = {};
    let have = 0;
    for (const [url, stamp] of wanted) {
      const copy = await cache.match(url);
      const age = copy ? Date.now() - Number(copy.headers.get("Softbridge-Kept-At") || 0) : Infinity;
      if (copy) have += 1;
      else missing[kindOf(url)] = (missing[kindOf(url)] || 0) + 1;
      if (!copy || copy.headers.get("Softbridge-Stamp") !== stamp || age > REFETCH_AFTER) queue.push([url, stamp, Boolean(copy)]);
    }
    Object.assign(state, {
      total: wanted.size, kept: have, missing: missing, toFetch: queue.length, fetched: 0, offline: false,
      households: households.length, charge: kept.charge,
      registerKept: kept.register_kept || 0, registerCharge: kept.register_charge || 0,
    });
    await say(true);
    async function next() {
      while (queue.length) {
        const [url, stamp, had] = queue.shift();
        const got = await patiently(function () { return fetchCopy(cache, user, url, stamp); }, still, offline);
        if (!(await still())) { queue.length = 0; return; }
        state.offline = false;
        state.fetched += 1;
        if (got && !had) {
          state.kept += 1;
          state.missing[kindOf(url)] -= 1;
        }
        await say(false);
      }
    }
    // Four at a time: on a slow link the round trip, not the bandwidth, is what a lone fetch waits for.
    await Promise.all([next(), next(), next(), next()]);
    if (!(await still())) return;
    state.syncedAt = Date.now();
    state.done = true;
  } catch (error) {
    state.offline = true;  // still failing after RETRY_FOR: the next page, or the network's return, goes on
  } finally {
    state.running = false;
    await say(true);
  }
}

// One sync at a time in this worker; a page's word, the first page of a user and the activation
// all come here. Due: never finished for this user, asked for ("sync now"), or SYNC_EVERY old.
let syncing = null;
async function syncIfDue(force) {
  if (syncing) return syncing;
  const user = await O.deviceUser();
  if (user === null) return;
  const state = await O.syncState();
  const due = force || !state || state.user !== user || !state.done || state.kept < state.total ||
    Date.now() - state.syncedAt > SYNC_EVERY;
  if (!due || syncing) return syncing;
  syncing = keepCopies(force).finally(function () {
    syncing = null;
    if (again) {
      again = false;
      refreshCopies();
    }
  });
  return syncing;
}

// A save changed some pages: a sync now fetches those whose stamp changed, with their new stamps
// (fetched on their own, they would be fetched again at the next sync, their stamp unknown).
// A sync running meanwhile may have read the list before the save: another follows it.
let again = false;
function refreshCopies() {
  if (syncing) {
    again = true;
    return syncing;
  }
  return syncIfDue(true);
}

async function forgetEveryone() {
  for (const name of await caches.keys()) {
    if (name.indexOf(O.COPIES_CACHE) === 0) await caches.delete(name);
  }
  await O.setDeviceUser(null);
}

async function tellPages(message) {
  // A page opened before this worker took over is told too (it shows the sync's progress).
  const pages = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  pages.forEach(function (page) { page.postMessage(message); });
}

self.addEventListener("message", function (event) {
  const data = event.data || {};
  if (data.type === "keep-copies") {
    event.waitUntil(syncIfDue(Boolean(data.now)));
  } else if (data.type === "refresh-copies") {
    event.waitUntil(refreshCopies());
  } else if (data.type === "forget-user") {
    event.waitUntil(forgetEveryone().then(function () { return tellPages({ type: "user-forgotten" }); }));
  }
});

// --- Background Sync: the outbox is sent even when no page of the site is open.
self.addEventListener("sync", function (event) {
  if (event.tag === O.SYNC_TAG) {
    event.waitUntil(O.sendAll().then(function (results) {
      const saved = results.some(function (result) { return result.saved; });
      return (saved ? refreshCopies() : Promise.resolve()).then(function () { return tellPages({ type: "outbox-changed" }); });
    }));
  }
});

// --- Reminders by Web Push (reminders.push): the morning's reminder shows even when no page is
// open; tapping it opens the page it names (Today), in a window of the site already open if
// there is one. The payload is {title, body, url}; an address of another site opens Today.
const REMINDER_OPENS = "{% url 'today' %}";

function reminderUrl(said) {
  const url = new URL(said || REMINDER_OPENS, self.location.origin);
  return url.origin === self.location.origin ? url.href : new URL(REMINDER_OPENS, self.location.origin).href;
}

self.addEventListener("push", function (event) {
  let said = {};
  try { said = event.data ? event.data.json() : {}; } catch (error) { said = {}; }
  event.waitUntil(self.registration.showNotification(said.title || "Softbridge", {
    body: said.body || "",
    // One reminder at a time: the next morning's replaces the last one not yet read.
    tag: "softbridge-reminder",
    data: { url: reminderUrl(said.url) },
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  const url = reminderUrl(event.notification.data && event.notification.data.url);
  event.waitUntil(self.clients.matchAll({ type: "window" }).then(function (pages) {
    const open = pages.find(function (page) { return page.url === url; }) || pages[0];
    if (!open) return self.clients.openWindow(url);
    // A page of the site goes to Today and comes to the front; one this worker does not
    // control cannot be sent anywhere, so Today opens beside it. Focus may be refused: the
    // page has gone to Today all the same.
    const there = open.url === url ? Promise.resolve(open) : open.navigate(url);
    return there.catch(function () { return self.clients.openWindow(url); }).then(function (page) {
      return page && page.focus().catch(function () {});
    });
  }));
});
