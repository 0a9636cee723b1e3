/* The phone reports itself to the commune's officials (docs/offline.md, "Device reports"): the
   app's version, what waits in the outbox and how old the oldest record is, what was refused,
   how many pages are kept, the storage used and its quota, and whether the storage is
   persistent (asked for here: the browser then does not clear it when space runs short).
   Counts and sizes only: nothing a record says, no name.
   Sent when the page opens and when the network returns, at most once every few minutes for
   this user; with no network, not at all (the next contact says it all); and only while the
   user is signed in, as far as the phone can tell: a page outlives its session (a copy opened
   offline the next day, a page left open overnight, a sign-out in another tab), and a report
   then is refused (401) for nothing.
   The outbox is read through its public functions (static/js/outbox-core.js). */
(function () {
  "use strict";
  const script = document.currentScript;
  const root = document.getElementById("device");
  if (!script || !root || !root.dataset.user || !window.indexedDB || !window.fetch) return;
  const user = Number(root.dataset.user);
  const EVERY = 5 * 60 * 1000;
  const DAY = 24 * 60 * 60 * 1000;
  const DEVICE_ID = "softbridge-device-id";
  const PERSIST_ASKED = "softbridge-storage-persist-asked";
  const SENT_AT = "softbridge-device-report-at-" + user;

  // The phone's own id: made once, kept with the phone's other notes to itself.
  function deviceId() {
    let id = localStorage.getItem(DEVICE_ID);
    if (!id) {
      id = window.Softbridge.outbox.newKey();
      localStorage.setItem(DEVICE_ID, id);
    }
    return id;
  }

  async function pagesKept(O) {
    if (!window.caches) return 0;
    const name = O.COPIES_CACHE + "-" + user;
    if (!(await caches.has(name))) return 0;
    return (await (await caches.open(name)).keys()).length;
  }

  async function storage() {
    const found = { storage_used: null, storage_quota: null, persisted: null };
    const s = navigator.storage;
    if (!s) return found;
    if (s.persisted) {
      found.persisted = await s.persisted();
      // Asked again once a day until granted: the browser decides, and may grant it later
      // (Chrome as the app is used more); some browsers ask the user, who is not to be nagged.
      const asked = Number(localStorage.getItem(PERSIST_ASKED) || 0);
      if (!found.persisted && s.persist && Date.now() - asked > DAY) {
        localStorage.setItem(PERSIST_ASKED, String(Date.now()));
        found.persisted = await s.persist();
      }
    }
    if (s.estimate) {
      const estimate = await s.estimate();
      found.storage_used = Math.round(estimate.usage || 0);
      found.storage_quota = estimate.quota ? Math.round(estimate.quota) : null;
      if (found.storage_quota !== null && found.storage_used > found.storage_quota) found.storage_used = found.storage_quota;
    }
    return found;
  }

  async function report() {
    const O = window.Softbridge.outbox;
    const records = (await O.records()).filter(function (r) { return r.user === user; });
    const refused = records.filter(function (r) { return r.status === "refused"; });
    const waiting = records.filter(function (r) { return r.status !== "refused"; });
    const oldest = waiting.reduce(function (least, r) { return Math.min(least, r.created || Date.now()); }, Date.now());
    return Object.assign({
      device: deviceId(),
      version: script.dataset.version || "",
      waiting: waiting.length,
      oldest_waiting_seconds: waiting.length ? Math.max(0, Math.round((Date.now() - oldest) / 1000)) : null,
      refused: refused.length,
      pages_kept: await pagesKept(O),
    }, await storage());
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // Whether the user of this page is still signed in, as far as the phone knows without asking:
  // the session's token is there (the server refuses a report without it), the device still
  // works for this user (a sign-out, here or in another tab, forgets them; the sign-in page says
  // nobody is), and no record of theirs waits for a sign-in (the outbox found the session ended).
  async function signedIn(O) {
    if (!csrfToken() || (await O.deviceUser()) !== user) return false;
    const records = await O.records();
    return !records.some(function (r) { return r.user === user && r.status === "signin"; });
  }

  let sending = false;
  let signedOut = false;  // the server said so: this page sends nothing more (the next one will)
  async function send() {
    if (sending || signedOut || !navigator.onLine || !(window.Softbridge && window.Softbridge.outbox)) return;
    if (Date.now() - Number(localStorage.getItem(SENT_AT) || 0) < EVERY) return;
    if (!(await signedIn(window.Softbridge.outbox))) return;
    sending = true;
    try {
      const answer = await fetch(script.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(await report()),
      });
      if (answer.ok) localStorage.setItem(SENT_AT, String(Date.now()));
      if (answer.status === 401) signedOut = true;
    } catch (error) {
      // No network after all: the next page or the network's return tries again.
    } finally {
      sending = false;
    }
  }

  window.Softbridge = window.Softbridge || {};
  window.Softbridge.deviceReport = { report: report, send: send };
  // After the outbox has started (it sends what waits when the page opens): what is left is
  // what the report tells.
  window.addEventListener("load", function () { setTimeout(send, 3000); });
  window.addEventListener("online", function () { setTimeout(send, 3000); });
})();
