/* The page's side of the outbox, second part (the parts: static/js/outbox-page.js): the counter
   on every page, what waits for the page shown, the outbox page's list, sending what waits (again
   and again while records wait), and keeping the device's copies of pages fresh. */
(function () {
  "use strict";
  const P = window.Softbridge && window.Softbridge.outboxPage;
  if (!P) return;
  const { O, texts, user, KEPT_AT, say, banner, busy, tellWorker, showPage } = P;

  const KEEP_EVERY = 15 * 60 * 1000;

  // --- the counter on every page, and what waits for this page
  async function mine() {
    const all = await O.records();
    return all.filter(function (record) { return user === null || record.user === user; });
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
  function keepCopies() {
    if (user === null || !navigator.onLine) return;
    const last = Number(localStorage.getItem(KEPT_AT) || 0);
    if (Date.now() - last < KEEP_EVERY) return;
    localStorage.setItem(KEPT_AT, String(Date.now()));
    tellWorker({ type: "keep-copies" });
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

  Object.assign(P, { mine, showStatus, stateText, flush, sendAgainNow, keepCopies });
})();
