/* The field forms of a page go through the outbox (static/js/outbox-core.js): a save is written
   on the device first, with a submission key made on the device once and kept, then sent. Also:
   the "N not sent" counter on every page, what waits for the page shown, drafts kept across
   Back, reloads and restarts, the outbox page, sending on page open and on reconnect, the
   household search with no network, and clearing the device at sign-out.
   This part starts it all and wires the page's events to the parts loaded before it (listed in
   static/js/outbox-page.js). Texts come translated from the page (templates/device.html). */
(function () {
  "use strict";
  const P = window.Softbridge && window.Softbridge.outboxPage;
  if (!P) return;
  const { O, texts, user, KEPT_AT, say, cookieToken, freshTokens, showFlash, banner, busy, tellWorker } = P;
  const { mine, showStatus, flush, sendAgainNow, showSync, startSync, askForSync } = P;
  const { setUpForm, keepTyping, submit, broughtBack } = P;
  const { searchHere } = P;

  // --- sign-out clears the device
  async function signOut(event) {
    const form = event.target;
    event.preventDefault();
    const waiting = (await mine()).length;
    if (waiting && !window.confirm(say(texts.signOutWarning, { count: waiting }))) return;
    if (user !== null) await O.forgetUser(user);
    localStorage.removeItem(KEPT_AT);
    tellWorker({ type: "forget-user" });
    freshTokens();
    // The phone's push subscription ends with the session (static/js/push.js).
    if (window.Softbridge.push) await window.Softbridge.push.signingOut(form);
    form.submit();
  }

  async function start() {
    if (navigator.serviceWorker && texts.worker) {
      navigator.serviceWorker.register(texts.worker, { scope: "/" }).catch(function () {});
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (event.data && event.data.type === "outbox-changed") showStatus();
        if (event.data && event.data.type === "sync") showSync(event.data.state);
      });
    }
    freshTokens();
    showFlash();
    if (user !== null) {
      const token = cookieToken();
      if (token) await O.setCsrf(token);
      // The page may see a new user before the service worker does (it was not in control yet):
      // then the last user's copies, list and drafts go here, before anything is read.
      await O.switchUser(user);
    }
    await O.forgetOldDrafts(Date.now() - 30 * 86400000);
    for (const form of document.querySelectorAll("form[data-outbox]")) await setUpForm(form);
    await showStatus();
    await showSync();
    startSync();
    const sendNow = document.getElementById("outbox-send");
    if (sendNow) sendNow.addEventListener("click", flush);
    await flush();
  }

  document.addEventListener("submit", function (event) {
    if (event.target.matches && event.target.matches("form.signout")) signOut(event);
    else submit(event);
  }, true);
  document.addEventListener("input", function (event) {
    const form = event.target.form;
    if (form && form.matches("form[data-outbox]")) keepTyping(form);
    if (event.target.id === "household-q" && !navigator.onLine) searchHere(event.target);
  });
  document.addEventListener("change", function (event) {
    const form = event.target.form;
    if (form && form.matches("form[data-outbox]")) keepTyping(form);
  });
  // htmx could not reach the server: the household search looks on the device instead.
  // The household list's search asks the server: with no network it says so, once, over the
  // device's copy of the list.
  let toldOffline = null;
  document.addEventListener("htmx:sendError", function (event) {
    if (event.target && event.target.id === "household-q") searchHere(event.target);
    if (event.target && event.target.id === "household-filters" && !(toldOffline && toldOffline.isConnected)) {
      toldOffline = banner(texts.searchOffline, "warning");
    }
  });
  // htmx redraws part of a form (the visit form's household): set it up again.
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("form[data-outbox]").forEach(function (form) { setUpForm(form); });
  });
  window.addEventListener("online", function () {
    sendAgainNow();
    askForSync(false);
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      busy(false);
      broughtBack();
      showStatus();
      showSync();
      askForSync(false);
    }
  });
  start();
})();
