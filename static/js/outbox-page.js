/* The page's side of the outbox, first part: what every other part uses. The page's texts
   (templates/device.html), the user it is for, and small tools: messages on the page and across
   the next load, the loading bar, the CSRF token, a word to the service worker, going to a page.
   The parts, each loaded by templates/base.html in this order, share Softbridge.outboxPage:
     outbox-page.js    these basics
     outbox-status.js  the "N not sent" counter, what waits for this page, the outbox page, sending
     outbox-forms.js   the field forms: drafts, submission keys, saving on the device first
     outbox-search.js  the visit form's household search with no network
     outbox.js         starting up, sign-out, and the page's events wired to the parts above
   The outbox itself (IndexedDB, sending a record) is static/js/outbox-core.js. */
(function () {
  "use strict";
  const root = document.getElementById("device");
  // A page written over this one (a refusal's form) starts afresh, not from the last page's parts.
  if (window.Softbridge) delete window.Softbridge.outboxPage;
  if (!root || !window.indexedDB || !window.Softbridge) return;
  const O = window.Softbridge.outbox;
  const texts = root.dataset;
  const user = texts.user ? Number(texts.user) : null;
  const FLASH = "softbridge-flash";
  // No longer written (the sync is the service worker's): sign-out clears what older versions left.
  const KEPT_AT = "softbridge-copies-kept-at";

  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) { return name in values ? String(values[name]) : all; });
  }

  function localToday() {
    const now = new Date();
    const pad = function (n) { return String(n).padStart(2, "0"); };
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  function cookieToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }

  // A device copy was made with the token of its day: the forms and htmx take today's.
  function freshTokens() {
    const token = cookieToken();
    if (!token) return;
    document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) { input.value = token; });
    document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRFToken": token }));
  }

  // --- messages that survive the next page load
  function flash(message) {
    const kept = JSON.parse(sessionStorage.getItem(FLASH) || "[]");
    kept.push(message);
    sessionStorage.setItem(FLASH, JSON.stringify(kept));
  }

  function banner(message, kind) {
    const main = document.getElementById("main");
    let list = main.querySelector("ul.messages");
    if (!list) {
      list = document.createElement("ul");
      list.className = "messages";
      list.setAttribute("role", "status");
      main.insertBefore(list, main.firstChild);
    }
    const item = document.createElement("li");
    item.className = "message " + (kind || "info");
    item.textContent = message;
    list.appendChild(item);
    return item;
  }

  function showFlash() {
    const kept = JSON.parse(sessionStorage.getItem(FLASH) || "[]");
    sessionStorage.removeItem(FLASH);
    kept.forEach(function (message) { banner(message, "success"); });
  }

  // --- loading: every request of the page shows the bar at the top (templates/device.html)
  let pending = 0;
  function busy(on) {
    pending = Math.max(0, pending + (on ? 1 : -1));
    const bar = document.getElementById("busy");
    if (bar) bar.classList.toggle("busy-on", pending > 0);  // its own class: htmx keeps its own
  }
  function tellWorker(message) {
    if (!navigator.serviceWorker) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage(message);
    });
  }

  function askForBackgroundSync() {
    if (!navigator.serviceWorker) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) registration.sync.register(O.SYNC_TAG).catch(function () {});
    });
  }
  function showPage(html, path) {
    history.replaceState(null, "", path);
    document.open();
    document.write(html);
    document.close();
  }

  // The next page, drawn again even when it is this one (a tick's answer is this household's
  // page at the member's card: a jump within the page would show the old card).
  function go(address) {
    const target = new URL(address, location.href);
    if (target.pathname + target.search === location.pathname + location.search) {
      history.replaceState(null, "", target.href);
      location.reload();
    } else {
      location.assign(target.href);
    }
  }

  window.Softbridge.outboxPage = {
    O, texts, user, KEPT_AT,
    say, localToday, cookieToken, freshTokens, flash, banner, showFlash, busy,
    tellWorker, askForBackgroundSync, showPage, go,
  };
})();
