/* The field forms of a page go through the outbox (static/js/outbox-core.js): a save is written
   on the device first, with a submission key made on the device once and kept, then sent. Also:
   the "N not sent" counter on every page, what waits for the page shown, drafts kept across
   Back, reloads and restarts, the outbox page, sending on page open and on reconnect, the
   household search with no network, and clearing the device at sign-out.
   Texts come translated from the page (templates/device.html). */
(function () {
  "use strict";
  const root = document.getElementById("device");
  if (!root || !window.indexedDB || !window.Softbridge) return;
  const O = window.Softbridge.outbox;
  const texts = root.dataset;
  const user = texts.user ? Number(texts.user) : null;
  const FLASH = "softbridge-flash";
  const KEPT_AT = "softbridge-copies-kept-at";
  const KEEP_EVERY = 15 * 60 * 1000;

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
    if (waiting) parts.push(say(texts.waiting, { count: waiting }));
    if (refused) parts.push(say(texts.refused, { count: refused }));
    status.querySelector("a").textContent = parts.join(" · ");
    status.querySelector(".hint").textContent = (user === null || signin) && records.length ? texts.signIn : "";
    status.hidden = records.length === 0;
    status.classList.toggle("has-refused", refused > 0);
    const tab = document.getElementById("tab-outbox-count");
    if (tab) {
      tab.textContent = String(records.length);
      tab.hidden = records.length === 0;
    }
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

  function keepCopies() {
    if (user === null || !navigator.onLine) return;
    const last = Number(localStorage.getItem(KEPT_AT) || 0);
    if (Date.now() - last < KEEP_EVERY) return;
    localStorage.setItem(KEPT_AT, String(Date.now()));
    tellWorker({ type: "keep-copies" });
  }

  // --- loading: every request of the page shows the bar at the top (templates/device.html)
  let pending = 0;
  function busy(on) {
    pending = Math.max(0, pending + (on ? 1 : -1));
    const bar = document.getElementById("busy");
    if (bar) bar.classList.toggle("busy-on", pending > 0);  // its own class: htmx keeps its own
  }

  // --- the forms
  function draftId(form) {
    const action = form.getAttribute("action") || location.pathname;
    const household = form.elements.household;
    const which = household && household.value ? "household=" + household.value : location.search;
    return action + "|" + which + "|" + (form.id || "");
  }

  function fields(form) {
    return Array.from(new FormData(form).entries()).filter(function (pair) {
      return pair[0] !== "csrfmiddlewaretoken" && typeof pair[1] === "string";
    });
  }

  function restore(form, saved) {
    const values = {};
    saved.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    Array.from(form.elements).forEach(function (input) {
      if (!input.name || input.name === "csrfmiddlewaretoken" || input.name === "submission_key" || input.disabled) return;
      const given = values[input.name] || [];
      if (input.type === "checkbox" || input.type === "radio") {
        input.checked = given.indexOf(input.value) !== -1;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      } else if (input.tagName === "SELECT" && input.multiple) {
        Array.from(input.options).forEach(function (o) { o.selected = given.indexOf(o.value) !== -1; });
      } else if (input.type !== "file" && input.type !== "submit" && input.type !== "button" && given.length) {
        input.value = given[0];
      }
    });
  }

  function keyInput(form) {
    let input = form.querySelector("input[name=submission_key]");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "submission_key";
      form.appendChild(input);
    }
    return input;
  }

  // Was this page opened by Back or Forward (from the browser's memory, or fetched again)?
  let cameBack = (performance.getEntriesByType("navigation")[0] || {}).type === "back_forward";
  const SENT_SHOWN = 60 * 60 * 1000;  // a saved form comes back as saved for an hour

  async function setUpForm(form) {
    const id = draftId(form);
    if (form.dataset.draft === id) return;
    form.dataset.draft = id;
    const key = keyInput(form);
    const old = form.querySelector(".outbox-note");
    if (old) old.remove();
    const draft = await O.draft(id);
    const mine = draft && draft.user === user ? draft : null;
    // Saved: the draft says so, or the server's acknowledgement of its key does (the draft may
    // not be marked yet: another page or the service worker sent it a moment ago).
    const sent = mine && (mine.sent || (await O.acknowledged(mine.key)));
    if (sent) {
      if (cameBack && Date.now() - sent.at < SENT_SHOWN) {
        // Back brought this form again after it was saved: it keeps the saved key, so that
        // saving it again saves nothing twice; "Start a new one" gives a new record.
        restore(form, mine.fields);
        key.value = mine.key;
        note(form, texts.savedAlready, true, sent.location);
        return;
      }
      await O.forgetDraft(id);  // opened anew: a new record
    } else if (key.value && (await O.sentAs(key.value))) {
      // The browser kept this very page in memory, saved key and all.
      note(form, texts.savedAlready, true, await O.sentAs(key.value));
      return;
    } else if (mine) {
      restore(form, mine.fields);
      restore(form, mine.fields);  // again: a tick may have drawn fields of its own (attendance)
      key.value = mine.key;
      const record = await O.get(mine.key);
      if (record) note(form, record.status === "refused" ? texts.refusedForm : texts.waitingForm, true);
      else if (mine.touched) note(form, texts.restored, true);
      return;
    }
    // The key the page came with (a form drawn again with the server's message is the same
    // submission), or a new one made here, once. A device copy's key was made for the copy.
    if (!/^[0-9a-f-]{36}$/i.test(key.value) || texts.deviceCopy || mine) key.value = O.newKey();
    if (texts.deviceCopy) {
      // A kept page was made on another day: "today" is the device's today.
      form.querySelectorAll("input[type=date]").forEach(function (input) {
        if (input.value === texts.today) input.value = localToday();
      });
    }
    await O.keepDraft({ id: id, user: user, key: key.value, fields: fields(form), at: Date.now() });
  }

  function note(form, message, offerNew, link) {
    const box = document.createElement("div");
    box.className = "outbox-note";
    box.setAttribute("role", "status");
    const text = document.createElement("p");
    text.textContent = message;
    if (link) {
      const open = document.createElement("a");
      open.href = link;
      open.textContent = texts.openSaved;
      text.append(" ", open);
    }
    box.appendChild(text);
    if (offerNew) {
      const again = document.createElement("button");
      again.type = "button";
      again.className = "link";
      again.textContent = texts.startNew;
      again.addEventListener("click", async function () {
        await O.forgetDraft(form.dataset.draft);
        form.reset();
        keyInput(form).value = "";
        delete form.dataset.draft;
        box.remove();
        await setUpForm(form);
      });
      box.appendChild(again);
    }
    form.insertBefore(box, form.firstChild);
  }

  const typing = new WeakMap();
  function keepTyping(form) {
    clearTimeout(typing.get(form));
    typing.set(form, setTimeout(function () { keepFields(form); }, 250));
  }

  // What the form holds now, into its draft (a draft marked sent stays marked).
  async function keepFields(form) {
    clearTimeout(typing.get(form));
    const key = keyInput(form).value;
    if (!key || !form.dataset.draft) return;
    const kept = await O.draft(form.dataset.draft);
    const now = { id: form.dataset.draft, user: user, key: key, fields: fields(form), at: Date.now(), touched: true };
    await O.keepDraft(kept && kept.key === key ? Object.assign(kept, now) : now);
  }

  function showPage(html, path) {
    history.replaceState(null, "", path);
    document.open();
    document.write(html);
    document.close();
  }

  // Where a form saved with no signal goes next: its own, or the page of the household it names
  // (the visit form's household may have been picked on the page, after it was drawn).
  function nextPage(form) {
    if (form.dataset.outboxNext) return form.dataset.outboxNext;
    const household = form.elements.household;
    const pattern = form.dataset.outboxHouseholdPage;
    if (!pattern || !household || !/^\d+$/.test(household.value)) return "";
    return pattern.replace(/0\/$/, household.value + "/");
  }

  // The pages a save changes: the next one, the one the form is on, and the home page's list.
  function changes(form, next) {
    const pages = [next, location.pathname + location.search, texts.home];
    const household = form.elements.household;
    if (household && /^\d+$/.test(household.value) && form.dataset.outboxHouseholdPage) {
      pages.push(texts.visitForm + "?household=" + household.value);
    }
    return pages.filter(Boolean);
  }

  async function submit(event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("form[data-outbox]")) return;
    if (event.submitter && event.submitter.hasAttribute("data-outbox-skip")) return;  // a search, not a save
    event.preventDefault();
    event.stopPropagation();
    if (form.dataset.busy) return;  // a second tap while the first is being written
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    form.dataset.busy = "1";
    form.setAttribute("aria-busy", "true");
    busy(true);
    try {
      await setUpForm(form);
      // The draft holds what is saved, the last tick included (Back brings it again), and no
      // keystroke's timer writes it after the answer.
      await keepFields(form);
      const data = new FormData(form, event.submitter || undefined);
      data.delete("csrfmiddlewaretoken");
      const key = keyInput(form).value;
      data.set("submission_key", key);
      const before = await O.get(key);
      // A button may lead elsewhere than the form (the attendance's next page).
      const next = (event.submitter && event.submitter.dataset.outboxNext) || nextPage(form);
      const record = {
        key: key,
        user: user,
        url: new URL(form.getAttribute("action") || location.href, location.href).pathname,
        body: new URLSearchParams(data).toString(),
        label: form.dataset.outboxLabel || document.title.split(" · ")[0],
        page: location.pathname + location.search,
        next: next,
        refresh: changes(form, next),
        draft: form.dataset.draft,
        created: before ? before.created : Date.now(),
        status: "waiting",
      };
      await O.put(record);
      if (navigator.storage && navigator.storage.persist) navigator.storage.persist();
      const result = navigator.onLine && user !== null ? await O.send(record) : { waiting: true };
      if (result.saved) {
        result.messages.forEach(flash);
        tellWorker({ type: "refresh-copies", paths: O.changedPages([result]) });
        go(result.location);
        return;
      }
      if (result.refused && result.html) {
        showPage(result.html, record.page);
        return;
      }
      if (result.refused) {
        // The server did not confirm this record: the form stays as it is, to be saved again.
        banner(texts.unconfirmed, "error");
        await showStatus();
        return;
      }
      askForBackgroundSync();
      const message = result.signin || user === null ? texts.savedSignIn : texts.savedOnDevice;
      if (record.next && record.next !== location.pathname) {
        flash(message);
        location.assign(record.next);
        return;
      }
      // The page stays: the next save on this form is another record, with a key of its own
      // (the record keeps what was sent; a refusal brings the form back from the server).
      banner(message, "info");
      await O.forgetDraft(form.dataset.draft);
      form.reset();
      keyInput(form).value = "";
      delete form.dataset.draft;
      await setUpForm(form);
      await showStatus();
    } finally {
      delete form.dataset.busy;
      form.removeAttribute("aria-busy");
      busy(false);
    }
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

  // --- the household search of the visit form, with no network: the households the device keeps
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐð]/g, "d")
      .toLowerCase().split(/\s+/).filter(Boolean);
  }

  async function searchHere(input) {
    const target = document.getElementById("household-options");
    if (!target) return;
    const words = fold(input.value);
    const households = (await O.households()) || [];
    target.replaceChildren();
    if (words.join("").length < 2) return;
    const found = households.filter(function (h) {
      return h.names.some(function (name) {
        return words.every(function (word) { return name.indexOf(word) !== -1; });
      });
    }).slice(0, 10);
    if (!found.length) {
      const none = document.createElement("p");
      none.className = "muted";
      none.textContent = texts.noMatch;
      target.appendChild(none);
      return;
    }
    const list = document.createElement("ul");
    list.className = "options";
    found.forEach(function (h) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = texts.visitForm + "?household=" + h.id;
      const code = document.createElement("span");
      code.className = "code";
      code.textContent = h.code;
      const members = document.createElement("span");
      members.className = "muted";
      members.textContent = " · " + say(texts.members, { count: h.members });
      link.append(code, " · " + h.village, document.createElement("br"), h.head || "—", members);
      item.appendChild(link);
      list.appendChild(item);
    });
    target.appendChild(list);
  }

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
    form.submit();
  }

  async function start() {
    if (navigator.serviceWorker && texts.worker) {
      navigator.serviceWorker.register(texts.worker, { scope: "/" }).catch(function () {});
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (event.data && event.data.type === "outbox-changed") showStatus();
      });
    }
    freshTokens();
    showFlash();
    if (user !== null) {
      const token = cookieToken();
      if (token) await O.setCsrf(token);
      const before = await O.deviceUser();
      if (before !== user) localStorage.removeItem(KEPT_AT);  // another user's copies go at the next keep
      await O.setDeviceUser(user);
    }
    await O.forgetOldDrafts(Date.now() - 30 * 86400000);
    for (const form of document.querySelectorAll("form[data-outbox]")) await setUpForm(form);
    await showStatus();
    const sendNow = document.getElementById("outbox-send");
    if (sendNow) sendNow.addEventListener("click", flush);
    await flush();
    keepCopies();
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
  window.addEventListener("online", function () { retry = RETRY_FIRST; flush(); });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      busy(false);
      cameBack = true;
      document.querySelectorAll("form[data-outbox]").forEach(function (form) {
        delete form.dataset.draft;
        setUpForm(form);
      });
      showStatus();
    }
  });
  start();
})();
