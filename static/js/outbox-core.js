/* The outbox: every field form a worker saves is written here first, then sent to the server as
   an ordinary POST with its submission key, and removed only when the server has answered that it
   holds the record. Shared by the pages (static/js/outbox.js) and the service worker (templates/sw.js).

   IndexedDB, through idb (static/vendor/idb):
   - database "softbridge-outbox", store "outbox": the records waiting, keyed by submission key.
     A database of its own, so that no clean-up of caches, copies or drafts can touch it;
   - database "softbridge-device", stores "drafts" (what a form holds before it is saved) and
     "notes" (which user is signed in, whose things the device holds, the households its search
     finds offline, where the sync of the page copies stands, the keys the server acknowledged
     lately).

   One user's things at a time (a phone is often shared within a family): every stored thing
   says whose it is (a draft's and a record's `user`, the household list's `user`, a copies
   cache's name, the sync state's `user`). When a user other than the device's owner is seen
   signed in (by a page or by the service worker, whichever sees it first: switchUser), the
   copies, household list, drafts and sync state of anyone else go at once. Another user's
   outbox records stay, set aside: never shown to nor sent by the user signed in, they are sent
   when their own user signs in again (sendAll sends only the signed-in user's).

   A record is { key, user, url, body, label, page, next, refresh, draft, created, status,
   html, unconfirmed }, where status is "waiting" (not sent yet, or the network failed), "signin"
   (the session had ended) or "refused" (the server answered the form again: html holds that
   page, with its message; or, `unconfirmed`, it answered "saved" without naming the record's
   key). The server's answer to a replay is JSON (frontdoor.device.DeviceAnswers); it names the
   key it stored (Softbridge-Saved-Key, softbridge.submissions), and a record is deleted only
   when that is the record's own key. A key the server refuses as another user's (409) is of no
   use again: the record gets a new one, and is kept as refused until it is saved again. */
(function (global) {
  "use strict";
  const OUTBOX_DB = "softbridge-outbox";
  const DEVICE_DB = "softbridge-device";
  const COPIES_CACHE = "softbridge-copies";
  const SYNC_TAG = "softbridge-outbox";
  const SENT_KEPT = 200;
  const SAVED_HEADER = "Softbridge-Saved-Key";
  const USER_HEADER = "Softbridge-User";
  const SEND_WITHIN = 60000;  // a record's POST and its answer: a form's save takes seconds even on 3G

  function outboxDb() {
    return global.idb.openDB(OUTBOX_DB, 1, {
      upgrade: function (db) { db.createObjectStore("outbox", { keyPath: "key" }); },
    });
  }

  function deviceDb() {
    return global.idb.openDB(DEVICE_DB, 1, {
      upgrade: function (db) {
        db.createObjectStore("drafts", { keyPath: "id" });
        db.createObjectStore("notes");
      },
    });
  }

  // `work(signal)` given `ms` to finish: its fetch, and the reading of the answer, are aborted
  // (and it throws) when the time is up. A phone's link can stall without failing (between two
  // cells the connection stays open and nothing comes), and a fetch that never ends would hold
  // the sending, or the sync of the copies, for good: aborted, it is tried again like any other
  // network failure. A record sent again is stored once (its submission key).
  async function within(ms, work) {
    const controller = new AbortController();
    const timer = setTimeout(function () { controller.abort(); }, ms);
    try {
      return await work(controller.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  // Whether `answer` is one to act on, or one to try again like a failed network: a 5xx, a 429
  // or a 408 is tried again; so is a page (200) without the Softbridge-User header that every
  // page of Softbridge's carries (frontdoor.device.DeviceAnswers): a browser reads the headers
  // of an answer the link cut short as if they were all there (the status line came, the rest
  // did not), and the sync counted such a page fetched and never kept it.
  function whole(answer) {
    if (answer.status >= 500 || answer.status === 429 || answer.status === 408) return false;
    return answer.status !== 200 || answer.headers.has(USER_HEADER);
  }

  async function note(name) { return (await deviceDb()).get("notes", name); }
  async function setNote(name, value) { return (await deviceDb()).put("notes", value, name); }

  async function deviceUser() {
    const user = await note("user");
    return user === undefined ? null : user;
  }

  // Serialised per device: a page and the service worker may both see the new user at once.
  function exclusively(name, run) {
    if (global.navigator && global.navigator.locks) return global.navigator.locks.request(name, run);
    return run();
  }

  // The server said `user` is signed in (null: nobody). When that is not the user whose things
  // the device holds, everything of anyone else goes (outbox records excepted: set aside).
  // Nobody signed in (a session ended) keeps the last user's things: they are theirs again at
  // the next sign-in, shown to nobody meanwhile. Answers whether the device changed hands.
  async function switchUser(user) {
    return exclusively("softbridge-device-user", async function () {
      await setNote("user", user);
      if (user === null) return false;
      const owner = await note("owner");
      if (owner === user) return false;
      await forgetAllBut(user);
      await setNote("owner", user);
      return true;
    });
  }

  async function forgetAllBut(user) {
    const db = await deviceDb();
    for (const kept of await db.getAll("drafts")) {
      if (kept.user !== user) await db.delete("drafts", kept.id);
    }
    const list = await note("households");
    if (list && list.user !== user) await db.delete("notes", "households");
    const sync = await note("sync");
    if (sync && sync.user !== user) await db.delete("notes", "sync");
    await db.delete("notes", "sent");
    if (global.caches) {
      const mine = COPIES_CACHE + "-" + user;
      for (const name of await global.caches.keys()) {
        if (name.indexOf(COPIES_CACHE) === 0 && name !== mine) await global.caches.delete(name);
      }
    }
  }

  // The household search's list with no network: only the signed-in user's.
  async function households() {
    const list = await note("households");
    const user = await deviceUser();
    if (!list || !Array.isArray(list.households) || user === null || list.user !== user) return null;
    return list.households;
  }

  async function records() {
    const all = await (await outboxDb()).getAll("outbox");
    return all.sort(function (a, b) { return a.created - b.created; });
  }

  async function put(record) { return (await outboxDb()).put("outbox", record); }
  async function get(key) { return (await outboxDb()).get("outbox", key); }
  async function remove(key) { return (await outboxDb()).delete("outbox", key); }

  function newKey() {
    const crypto = global.crypto;
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 15) | 64; bytes[8] = (bytes[8] & 63) | 128;
    const hex = Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  // Did the server say it holds this very record? Its answer names the key it stored.
  function confirms(answer, said, key) {
    const named = answer.headers.get(SAVED_HEADER) || said.key || "";
    return named.toLowerCase() === String(key).toLowerCase();
  }

  // The record, and its draft, under a new key: the old one is another user's on the server.
  async function rekey(record) {
    const fresh = newKey();
    const body = new URLSearchParams(record.body);
    body.set("submission_key", fresh);
    await remove(record.key);
    if (record.draft) {
      const db = await deviceDb();
      const kept = await db.get("drafts", record.draft);
      if (kept && kept.key === record.key) await db.put("drafts", Object.assign(kept, { key: fresh }));
    }
    return Object.assign(record, { key: fresh, body: body.toString() });
  }

  function csrfFromCookie() {
    if (typeof document === "undefined") return null;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }

  // Send one record. The answer: { saved, location, messages } | { signin } | { refused, html }
  // | { waiting } (the network or the server failed: the record stays, to be sent again).
  async function send(record) {
    const token = csrfFromCookie() || (await note("csrf"));
    let answer, said, html;
    try {
      [answer, said, html] = await within(SEND_WITHIN, async function (signal) {
        const answer = await fetch(record.url, {
          method: "POST",
          body: record.body,
          credentials: "same-origin",
          redirect: "follow",
          signal: signal,
          headers: {
            "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
            "X-CSRFToken": token || "",
            "Softbridge-Outbox": "1",
          },
        });
        if (!whole(answer)) throw new Error("no answer, or not the server's whole answer");
        const type = answer.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === 0) return [answer, await answer.json(), null];
        return [answer, null, await answer.text()];
      });
    } catch (error) {
      await put(Object.assign(record, { status: "waiting" }));
      return { waiting: true };
    }
    if (said) {
      if (said.saved && !confirms(answer, said, record.key)) {
        // "Saved", but not this record: kept, for the worker to open and save again (a record
        // the server holds answers as saved, once).
        await put(Object.assign(record, { status: "refused", html: null, unconfirmed: true, refusedAt: Date.now() }));
        return { refused: true, unconfirmed: true, html: null, page: record.page };
      }
      if (said.saved) {
        await remember(record.key, said.location);
        await remove(record.key);
        await draftSent(record.draft, record.key, said.location);
        return { saved: true, location: said.location, messages: said.messages || [], refresh: record.refresh || [] };
      }
      if (said.signin) {
        await put(Object.assign(record, { status: "signin" }));
        return { signin: true };
      }
    }
    // The form again with the server's message (or a refusal page): kept until the worker
    // corrects the record and saves it again, or deletes it.
    if (answer.status === 409) record = await rekey(record);
    await put(Object.assign(record, { status: "refused", html: html, unconfirmed: false, refusedAt: Date.now() }));
    return { refused: true, html: html, page: record.page };
  }

  // Send what waits, oldest first, one at a time; only the records of the user this device
  // works for now (another user's wait until they sign in again). One sender at a time per
  // device: a page and the service worker may both try.
  async function sendAll() {
    const run = async function () {
      const user = await deviceUser();
      const results = [];
      if (user === null) return results;
      for (const record of await records()) {
        if (record.user !== user || record.status === "refused") continue;
        const result = await send(record);
        results.push(result);
        if (result.waiting || result.signin) break;  // the next ones would fail the same way
      }
      return results;
    };
    if (global.navigator && global.navigator.locks) {
      return global.navigator.locks.request(SYNC_TAG, run);
    }
    return run();
  }

  // The pages whose device copies the saves in `results` changed.
  function changedPages(results) {
    const pages = new Set();
    results.forEach(function (result) {
      if (!result.saved) return;
      if (result.location) pages.add(result.location);
      (result.refresh || []).forEach(function (page) { if (page) pages.add(page); });
    });
    return Array.from(pages);
  }

  // The keys the server acknowledged lately, with the page it answered: a form brought back by
  // Back with one of them in it was saved already (static/js/outbox.js says so, and starts anew).
  async function remember(key, location) {
    const sent = (await note("sent")) || [];
    sent.unshift({ key: key, location: location, at: Date.now() });
    await setNote("sent", sent.slice(0, SENT_KEPT));
  }
  async function acknowledged(key) {
    const sent = (await note("sent")) || [];
    return sent.find(function (entry) { return entry.key === key; }) || null;
  }
  async function sentAs(key) {
    const found = await acknowledged(key);
    return found ? found.location : null;
  }

  async function draft(id) { return (await deviceDb()).get("drafts", id); }
  async function keepDraft(value) { return (await deviceDb()).put("drafts", value); }
  async function forgetDraft(id) {
    if (!id) return;
    return (await deviceDb()).delete("drafts", id);
  }
  // A saved form's draft stays a while, marked sent: Back brings the form again with what was
  // saved in it, and its key, so that saving it again saves nothing twice (static/js/outbox.js).
  async function draftSent(id, key, location) {
    if (!id) return;
    const db = await deviceDb();
    const kept = await db.get("drafts", id);
    if (kept && kept.key === key) await db.put("drafts", Object.assign(kept, { sent: { location: location, at: Date.now() } }));
  }
  // Drafts nobody came back to: a form left half-filled a month ago is not work in progress.
  async function forgetOldDrafts(before) {
    const db = await deviceDb();
    for (const kept of await db.getAll("drafts")) {
      if ((kept.at || 0) < before) await db.delete("drafts", kept.id);
    }
  }

  // Everything of `user` on this device: their outbox records, drafts, notes and page copies.
  async function forgetUser(user) {
    const outbox = await outboxDb();
    for (const record of await outbox.getAll("outbox")) {
      if (record.user === user) await outbox.delete("outbox", record.key);
    }
    const device = await deviceDb();
    await device.clear("drafts");
    await device.clear("notes");
    if (global.caches) {
      for (const name of await global.caches.keys()) {
        if (name.indexOf(COPIES_CACHE) === 0) await global.caches.delete(name);
      }
    }
  }

  global.Softbridge = global.Softbridge || {};
  global.Softbridge.outbox = {
    COPIES_CACHE: COPIES_CACHE,
    SYNC_TAG: SYNC_TAG,
    within: within,
    whole: whole,
    newKey: newKey,
    records: records,
    get: get,
    put: put,
    remove: remove,
    send: send,
    sendAll: sendAll,
    changedPages: changedPages,
    sentAs: sentAs,
    acknowledged: acknowledged,
    draft: draft,
    keepDraft: keepDraft,
    forgetDraft: forgetDraft,
    forgetOldDrafts: forgetOldDrafts,
    forgetUser: forgetUser,
    deviceUser: deviceUser,
    setDeviceUser: switchUser,
    switchUser: switchUser,
    owner: function () { return note("owner"); },
    households: households,
    setHouseholds: function (list, user, version) {
      return setNote("households", { user: user, households: list, version: version || null });
    },
    // The version of the list the device holds for `user` (frontdoor.device.device_pages).
    householdsVersion: async function (user) {
      const list = await note("households");
      return list && list.user === user ? list.version || null : null;
    },
    syncState: function () { return note("sync"); },
    setSyncState: function (state) { return setNote("sync", state); },
    setCsrf: function (token) { return setNote("csrf", token); },
  };
})(self);
