/* The page's side of the outbox, fourth part (the parts: static/js/outbox-page.js): the visit
   form's household search with no network, among the households the device keeps. */
(function () {
  "use strict";
  const P = window.Softbridge && window.Softbridge.outboxPage;
  if (!P) return;
  const { O, texts, say } = P;

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
    const exclude = Number(target.dataset.exclude || 0);
    const found = households.filter(function (h) {
      if (h.id === exclude) return false;
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
    if (target.dataset.choose) {
      // A form that chooses a household (a member's move): the same choices the server draws.
      target.appendChild(choices(target, found));
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

  // Radio buttons named by the target's data-choose, as villages/household_options.html draws them.
  function choices(target, found) {
    const list = document.createElement("ul");
    list.className = "plain";
    found.forEach(function (h) {
      const item = document.createElement("li");
      const label = document.createElement("label");
      label.className = "check";
      label.htmlFor = "move-to-" + h.id;
      const input = document.createElement("input");
      input.type = "radio";
      input.name = target.dataset.choose;
      input.value = String(h.id);
      input.id = "move-to-" + h.id;
      const text = document.createElement("span");
      const code = document.createElement("span");
      code.className = "code";
      code.textContent = h.code;
      const members = document.createElement("span");
      members.className = "muted";
      members.textContent = " · " + say(texts.members, { count: h.members });
      text.append(code, " · " + h.village + " · " + (h.head || "—"), members);
      label.append(input, " ", text);
      item.appendChild(label);
      list.appendChild(item);
    });
    return list;
  }

  Object.assign(P, { searchHere });
})();
