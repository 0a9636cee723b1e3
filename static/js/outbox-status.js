/* The page's side of the outbox, second part (the parts: static/js/outbox-page.js): the counter
   on every page, what waits for the page shown, the outbox page's list, sending what waits (again
   and again while records wait), and the sync of the device's copies of pages: where it stands,
   on every page, and asking the service worker for it (templates/sw.js does it). */
(function () {
  "use strict";
  const P = window.Softbridge && window.Softbridge.outboxPage;
  if (!P) return;
  const { O, texts, user, say, banner, busy, tellWorker, showPage } = P;

  // --- the counter on every page, and what waits for this page
  // A page drawn for nobody (the sign-in page, "No network") shows the records of the user whose
  // things the device holds (a session that ended: sign in and they are sent), never another's.
  async function mine() {
    const all = await O.records();
    const who = user !== null ? user : await O.owner();
    return all.filter(function (record) { return who !== undefined && who !== null && record.user === who; });
  }

  async function showStatus() {
    const status = document.getElementById("outbox-status");
    if (!status) return;
    const records = await mine();
    const refused = records.filter(function (r) { return r.status === "refused"; }).length;
    const signin = records.filter(function (r) { return r.status === "signin"; }).length;
    const waiting = records.length - refused;
    const parts = [];
    if (user === null) {
      // Signed out, the records may be anyone's who used this phone: say that some wait, not
      // how many nor whose, and let the one who saved them sign in to send theirs.
      if (records.length) parts.push(texts.waitingSignedOut);
    } else {
      if (waiting) parts.push(say(texts.waiting, { count: waiting }));
      if (refused) parts.push(say(texts.refused, { count: refused }));
    }
    status.querySelector("a").textContent = parts.join(" · ");
    status.querySelector(".hint").textContent = (user === null || signin) && records.length ? texts.signIn : "";
    status.hidden = records.length === 0;
    status.classList.toggle("has-refused", refused > 0);
    const tab = document.getElementById("tab-outbox-count");
    if (tab) {
      tab.textContent = String(records.length);
      tab.hidden = records.length === 0;
    }
    if (user === null) return;
    const list = document.getElementById("outbox-list");
    if (list) drawOutbox(list, records);
    showWaitingHere(records);
  }

  // A household's page (or a session's) copied before a record was saved does not show it yet:
  // the records that lead to this page are listed above it until the server has them.
  function showWaitingHere(records) {
    const old = document.getElementById("waiting-here");
    if (old) old.remove();
    const here = records.filter(function (r) { return r.next === location.pathname; });
    if (!here.length) return;
    const box = document.createElement("section");
    box.id = "waiting-here";
    box.className = "outbox-note";
    box.setAttribute("aria-labelledby", "waiting-here-title");
    const title = document.createElement("h2");
    title.id = "waiting-here-title";
    title.textContent = texts.waitingHere;
    const list = document.createElement("ul");
    here.forEach(function (record) {
      const item = document.createElement("li");
      item.textContent = record.label + " · " + stateText(record);
      list.appendChild(item);
    });
    const link = document.createElement("a");
    link.href = texts.outboxPage;
    link.textContent = texts.openOutbox;
    box.append(title, list, link);
    const main = document.getElementById("main");
    const heading = main.querySelector("h1");
    if (heading) heading.after(box); else main.prepend(box);
  }

  function stateText(record) {
    if (record.status === "refused" && record.unconfirmed) return texts.stateUnconfirmed;
    return texts["state" + record.status.charAt(0).toUpperCase() + record.status.slice(1)];
  }

  // --- sending
  // While records wait and the page is open, sending is tried again: the signal comes and goes,
  // and a try that failed a moment after the network returned is not the last one.
  const RETRY_FIRST = 5000;
  const RETRY_MOST = 5 * 60 * 1000;
  let retry = RETRY_FIRST;
  let retryTimer = null;
  function tryAgainLater() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(function () { retryTimer = null; flush(); }, retry);
    retry = Math.min(retry * 2, RETRY_MOST);
  }

  let flushing = null;
  async function flush() {
    if (user === null) return;
    if (!navigator.onLine) {
      if ((await mine()).some(function (r) { return r.status === "waiting"; })) tryAgainLater();
      return;
    }
    if (flushing) return flushing;
    flushing = (async function () {
      busy(true);
      try {
        const results = await O.sendAll();
        if (results.some(function (r) { return r.waiting; })) tryAgainLater();
        else retry = RETRY_FIRST;
        const saved = results.filter(function (r) { return r.saved; });
        if (saved.length) {
          banner(say(texts.sent, { count: saved.length }), "success");
          tellWorker({ type: "refresh-copies", paths: O.changedPages(results) });
        }
        if (results.some(function (r) { return r.refused; })) banner(texts.refusedNow, "error");
        await showStatus();
      } finally {
        busy(false);
        flushing = null;
      }
    })();
    return flushing;
  }
  // --- the sync of the device's copies. The service worker does it and notes where it stands
  // (O.syncState); every page shows that, and asks for the sync at every load, at the network's
  // return and every few seconds while it has not finished: the worker starts it when it is due
  // (never finished for this user, or a while ago), and ignores the word while it runs.
  const ASK_EVERY = 5000;
  const ASK_MOST = 60000;
  const STALE = 20000;  // a sync that said nothing for this long stopped with its worker
  let syncShown = null;
  let syncTimer = null;

  function askForSync(now) {
    if (user === null) return;
    tellWorker({ type: "keep-copies", now: Boolean(now) });
  }

  function hhmm(time) {
    return new Date(time).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" });
  }

  const KINDS = ["visitForms", "households", "sessions", "other"];
  function missingText(missing) {
    return KINDS.filter(function (kind) { return (missing || {})[kind] > 0; }).map(function (kind) {
      return say(texts["missing" + kind.charAt(0).toUpperCase() + kind.slice(1)], { count: missing[kind] });
    }).join(", ");
  }

  function syncText(state, owner) {
    if (!state || state.user !== owner || !state.total) {
      return state && state.user === owner && state.running ? texts.syncStarting : texts.syncNever;
    }
    const values = { kept: state.kept, total: state.total, time: state.syncedAt ? hhmm(state.syncedAt) : "" };
    const missing = missingText(state.missing);
    let text;
    if (state.running && state.offline) text = say(texts.syncOffline, values);
    else if (state.running && state.kept < state.total) text = say(texts.syncRunning, values);
    else if (state.running) text = say(texts.syncUpdating, Object.assign(values, { fetched: state.fetched || 0, changed: state.toFetch || 0 }));
    else if (state.kept === state.total) text = say(texts.syncReady, values);
    else text = say(state.offline ? texts.syncStopped : texts.syncMissing, values);
    if (missing && state.kept < state.total) text += " " + say(texts.syncMissingList, { list: missing });
    // A charge larger than a phone keeps: the most urgent households are the ones kept.
    if (state.charge > state.households) text += " " + say(texts.syncMostUrgent, { kept: state.households, charge: state.charge });
    // A village head's phone keeps the register's forms of fewer households (frontdoor/device.py).
    if (state.registerCharge > state.registerKept) text += " " + say(texts.syncRegisterMostUrgent, { kept: state.registerKept, charge: state.registerCharge });
    return text;
  }

  // The one line the status shows (its details, syncText, open under it): short enough for a
  // 360 px phone beside "Sync now".
  function syncShort(state, owner) {
    if (!state || state.user !== owner || !state.total) {
      return state && state.user === owner && state.running ? texts.syncStarting : texts.syncShortNever;
    }
    const values = {
      kept: state.kept,
      total: state.total,
      time: state.syncedAt ? hhmm(state.syncedAt) : "",
      fetched: state.fetched || 0,
      changed: state.toFetch || 0,
    };
    let text;
    if (state.running && state.offline) text = say(texts.syncShortOffline, values);
    else if (state.running && state.kept < state.total) text = say(texts.syncShortRunning, values);
    else if (state.running) text = say(texts.syncShortUpdating, values);
    else if (state.kept === state.total) text = say(texts.syncShortReady, values);
    else text = say(texts.syncShortMissing, values);
    if (state.charge > state.households) text += " · " + say(texts.syncShortMostUrgent, { kept: state.households, charge: state.charge });
    if (state.registerCharge > state.registerKept) text += " · " + say(texts.syncShortRegister, { kept: state.registerKept, charge: state.registerCharge });
    return text;
  }

  async function showSync(given) {
    const box = document.getElementById("sync-status");
    if (!box) return;
    // The "No network" page is drawn for nobody: it tells what the device holds for its user.
    const owner = user !== null ? user : box.dataset.anyUser ? await O.deviceUser() : null;
    if (owner === null) return;
    const state = given || (await O.syncState());
    syncShown = state || null;
    box.querySelector(".sync-text").textContent = syncText(state, owner);
    box.querySelector(".sync-short").textContent = syncShort(state, owner);
    const bar = box.querySelector("progress");
    const first = Boolean(state && state.running && state.total && state.kept < state.total);
    bar.hidden = !first;
    if (first) {
      bar.max = state.total;
      bar.value = state.kept;
    }
    box.classList.toggle("sync-missing", !state || state.kept < state.total);
    box.hidden = false;
  }

  function syncUnfinished() {
    const state = syncShown;
    return !state || state.user !== user || !state.done;
  }

  // Unfinished, and no sync running that spoke lately with the network up: ask the worker.
  function syncWanted() {
    const state = syncShown;
    return syncUnfinished() && !(state && state.running && Date.now() - (state.at || 0) < STALE && !state.offline);
  }

  function startSync() {
    if (user === null) return;
    askForSync(false);
    clearInterval(syncTimer);
    // Asked again after 5 s, then 10, 20... up to a minute while nothing moves (a session that
    // ended answers no list): a sync that moves starts the waits afresh.
    let asked = Date.now();
    let wait = ASK_EVERY;
    let seen = null;
    syncTimer = setInterval(async function () {
      if (!syncUnfinished()) return;
      await showSync();  // the worker's messages reach only the pages it knows of
      const now = syncShown ? syncShown.at : null;
      if (now !== seen) {
        seen = now;
        wait = ASK_EVERY;
      }
      if (syncWanted() && Date.now() - asked >= wait) {
        asked = Date.now();
        wait = Math.min(wait * 2, ASK_MOST);
        askForSync(false);
      }
    }, 1000);
    const now = document.querySelector("#sync-status .sync-now");
    if (now) now.addEventListener("click", function () { askForSync(true); });
  }

  // Back online: sending is tried at once, and the waits between tries start short again.
  function sendAgainNow() {
    retry = RETRY_FIRST;
    return flush();
  }

  // --- the outbox page
  function drawOutbox(list, records) {
    const empty = document.getElementById("outbox-empty");
    list.replaceChildren();
    empty.hidden = records.length > 0;
    records.forEach(function (record) {
      const row = document.createElement("li");
      row.className = "card outbox-record " + record.status;
      row.dataset.key = record.key;
      const title = document.createElement("strong");
      title.textContent = record.label;
      const when = document.createElement("span");
      when.className = "muted";
      when.textContent = " · " + new Date(record.created).toLocaleString(document.documentElement.lang);
      const state = document.createElement("p");
      state.textContent = stateText(record);
      row.append(title, when, state);
      const actions = document.createElement("div");
      actions.className = "actions";
      const open = document.createElement("button");
      open.type = "button";
      open.textContent = record.status === "refused" ? texts.openRefused : texts.open;
      open.addEventListener("click", function () {
        if (record.status === "refused" && record.html) showPage(record.html, record.page);
        else location.assign(record.page);
      });
      const drop = document.createElement("button");
      drop.type = "button";
      drop.className = "danger";
      drop.textContent = texts.drop;
      drop.addEventListener("click", async function () {
        if (!window.confirm(texts.dropConfirm)) return;
        await O.remove(record.key);
        await O.forgetDraft(record.draft);
        await showStatus();
      });
      actions.append(open, drop);
      row.appendChild(actions);
      list.appendChild(row);
    });
  }

  Object.assign(P, { mine, showStatus, stateText, flush, sendAgainNow, showSync, startSync, askForSync });
})();
