/* The page's side of the outbox, third part (the parts: static/js/outbox-page.js): the field
   forms. A save is written on the device first, with a submission key made on the device once and
   kept, then sent; drafts are kept across Back, reloads and restarts. */
(function () {
  "use strict";
  const P = window.Softbridge && window.Softbridge.outboxPage;
  if (!P) return;
  const { O, texts, user, localToday, flash, banner, busy, tellWorker, askForBackgroundSync, showPage, go, showStatus } = P;

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

  // What the person changed in a form before its draft was read back. On a slow phone the form
  // is on screen, and typed in, before the device's storage answers: what was typed then is newer
  // than the draft and must not be written over by it (a corrected year went back to the refused
  // one, and the record was refused again).
  const edited = new WeakMap();
  function noteEdit(event) {
    const input = event.target;
    if (!event.isTrusted || !input || !input.form || !input.name) return;
    if (!edited.has(input.form)) edited.set(input.form, new Set());
    edited.get(input.form).add(input.name);
  }
  document.addEventListener("input", noteEdit, true);
  document.addEventListener("change", noteEdit, true);

  function restore(form, saved) {
    const touched = edited.get(form) || new Set();
    const values = {};
    saved.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    Array.from(form.elements).forEach(function (input) {
      if (!input.name || input.name === "csrfmiddlewaretoken" || input.name === "submission_key" || input.disabled) return;
      if (touched.has(input.name)) return;
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
      if (edited.has(form)) await keepFields(form);  // what was typed meanwhile, kept with the rest
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
        edited.delete(form);
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
      edited.delete(form);
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

  // The page came again from the browser's memory (Back or Forward): each form's draft is read again.
  function broughtBack() {
    cameBack = true;
    document.querySelectorAll("form[data-outbox]").forEach(function (form) {
      delete form.dataset.draft;
      setUpForm(form);
    });
  }

  // --- The lists of households on the device: Today, the household list and the follow-ups. A
  // household with a record waiting in the outbox is marked at once (the list's copy was drawn
  // before the record). A list says it wants this with data-waiting-list; its rows name their
  // household (data-household), the badges a visit answers (data-due-badge, removed: the visit
  // answers them) and where the mark goes (data-waiting-badges): templates/today.html,
  // villages/household_results.html, mobilization/followups.html.
  // The one rule of which household a record is for: a visit names it (its form's household);
  // any other record of a household (a register change, a ladder tick) leads to its page.
  function householdsWaiting(records) {
    const waiting = new Map();  // household id -> "visit" or "change"
    const page = new RegExp("^" + texts.householdPage.replace(/0\/$/, "(\\d+)/$"));
    records.forEach(function (record) {
      if (record.user !== user) return;
      if (record.url === texts.visitForm) {
        const household = new URLSearchParams(record.body || "").get("household");
        if (household) waiting.set(household, "visit");
        return;
      }
      const match = page.exec(record.next || "");
      if (match && !waiting.has(match[1])) waiting.set(match[1], "change");
    });
    return waiting;
  }

  async function markHouseholdsWaiting() {
    const lists = document.querySelectorAll("[data-waiting-list]");
    if (!lists.length) return;
    const waiting = householdsWaiting(await O.records());
    lists.forEach(function (list) {
      list.querySelectorAll("[data-household]").forEach(function (row) {
        // A row stays marked once its record has been sent: the server holds it then.
        const kind = waiting.get(row.dataset.household);
        if (!kind) return;
        const marked = row.querySelector(".visit-waiting, .change-waiting");
        if (kind === "visit") {
          row.classList.add("is-visited-waiting");
          row.querySelectorAll("[data-due-badge]").forEach(function (badge) { badge.remove(); });
          if (marked && marked.classList.contains("change-waiting")) marked.remove();
          else if (marked) return;
        } else if (marked) {
          return;
        }
        const badge = document.createElement("span");
        badge.className = kind === "visit" ? "badge ok visit-waiting" : "badge change-waiting";
        badge.textContent = kind === "visit" ? texts.visitedWaiting : texts.changeWaiting;
        const place = row.querySelector("[data-waiting-badges]");
        if (place) place.prepend(badge, " ");
      });
    });
  }
  markHouseholdsWaiting();
  // The household list's search swaps its rows in: the new rows are marked too.
  document.addEventListener("htmx:afterSwap", markHouseholdsWaiting);
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "outbox-changed") markHouseholdsWaiting();
    });
  }

  Object.assign(P, { setUpForm, keepTyping, submit, broughtBack, markHouseholdsWaiting });
})();
