/* Behaviour every page shares, kept out of the HTML so that the Content-Security-Policy can
   forbid inline scripts and event attributes. */
(function () {
  "use strict";

  // The language switch submits as soon as a language is picked (its buttons: base.html).
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // A long list of checkboxes (a commune's 120 workers) gets a box above it that narrows it as one
  // types part of a name, accents optional; what is ticked stays in sight. All on the page: it
  // works offline too.
  const FILTER_FROM = 10;
  function folded(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }
  function filterBoxes(root) {
    root.querySelectorAll("[data-filter]:not([data-filter-ready])").forEach(function (list, n) {
      const labels = Array.prototype.slice.call(list.querySelectorAll("label"));
      if (labels.length < FILTER_FROM) return;
      list.setAttribute("data-filter-ready", "");
      if (!list.id) list.id = "filtered-list-" + n;
      const box = document.createElement("input");
      box.type = "search";
      box.id = list.id + "-filter";
      box.className = "list-filter";
      box.autocomplete = "off";
      box.setAttribute("aria-controls", list.id);
      const label = document.createElement("label");
      label.htmlFor = box.id;
      label.className = "list-filter-label";
      label.textContent = list.getAttribute("data-filter");
      // Enter in the box narrows; it must not submit the form around it.
      box.addEventListener("keydown", function (event) { if (event.key === "Enter") event.preventDefault(); });
      box.addEventListener("input", function () {
        const words = folded(box.value).split(/\s+/).filter(Boolean);
        labels.forEach(function (item) {
          const text = folded(item.textContent);
          const shown = item.querySelector("input:checked") || words.every(function (w) { return text.indexOf(w) >= 0; });
          // Django's widget wraps each label in a <div> of its own.
          const row = item.parentElement !== list && item.parentElement.tagName === "DIV" ? item.parentElement : item;
          row.style.display = shown ? "" : "none";
        });
      });
      list.parentNode.insertBefore(label, list);
      list.parentNode.insertBefore(box, list);
    });
  }
  filterBoxes(document);
  document.addEventListener("htmx:afterSettle", function (event) { filterBoxes(event.target); });

  // A tap that opens another page shows the loading bar at once: on a slow network the page
  // would otherwise look dead until the next one arrives.
  function loading(on) {
    const bar = document.getElementById("busy");
    if (bar) bar.classList.toggle("busy-on", on);  // not htmx-request, which htmx adds and takes away itself
  }
  document.addEventListener("click", function (event) {
    const link = event.target.closest && event.target.closest("a[href]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    if (link.target || link.hasAttribute("download") || link.hasAttribute("hx-get") || link.origin !== location.origin) return;
    if (link.pathname === location.pathname && link.search === location.search) return;  // a jump within the page
    loading(true);
  });
  document.addEventListener("submit", function (event) {
    if (!event.defaultPrevented) loading(true);
  });
  window.addEventListener("pageshow", function () { loading(false); });

  // htmx on demand: a part of a page whose swaps only answer the person's typing or picking (the
  // household list's search as you type, the visit form's household search) loads htmx (16 KB) at
  // the first focus in it, not with the page, and works as a plain form until then (its script
  // was most of the page's blocking time on a slow phone). The service worker keeps htmx: a synced
  // phone fetches nothing.
  document.querySelectorAll("[data-htmx-later]").forEach(function (area) {
    let asked = false, loaded = false, typed = null;
    function load(event) {
      if (event.type !== "focusin" && !loaded) typed = event.target;
      if (asked) return;
      asked = true;
      const script = document.createElement("script");
      script.src = area.dataset.htmxLater;
      script.addEventListener("load", function () {
        loaded = true;
        window.htmx.process(area);
        // Typed or picked while htmx was on its way: search now, as htmx would have (a form
        // searches at its submit, a search box at its "search").
        if (typed && area.tagName === "FORM") window.htmx.trigger(area, "submit");
        else if (typed) window.htmx.trigger(typed, "search");
      });
      // No network and no copy of it: the form stays a plain one, and the next focus asks again.
      script.addEventListener("error", function () { asked = false; script.remove(); });
      document.body.appendChild(script);
    }
    ["focusin", "input", "change"].forEach(function (type) { area.addEventListener(type, load); });
  });

  // A form the server refused: the cursor goes to the first field it refused, so that the
  // person reads the message there (the summary at the top links to each field too).
  function focusRefused(scope) {
    const field = scope.querySelector(
      ".field.invalid input:not([type=hidden]), .field.invalid select, .field.invalid textarea, " +
      "fieldset.invalid input, [aria-invalid=true]"
    );
    if (field) field.focus({ preventScroll: false });
  }
  focusRefused(document);
  document.addEventListener("htmx:afterSettle", function (event) {
    focusRefused(event.target);
    // A household just picked on the visit form: the next keys go to its first member's boxes,
    // not past them to the outcome.
    const picked = event.target.matches && event.target.matches("[data-focus-after-swap]") ? event.target : null;
    const first = picked && picked.querySelector(".achievements input, input:not([type=hidden])");
    if (first && !picked.querySelector(".field.invalid, fieldset.invalid")) first.focus();
  });
})();
