/* Taking attendance: ticking a resident present shows what they can achieve under their name
   (from the page's <template>, with no request, so that it works with no network too);
   unticking takes it away. Achievements recorded earlier stay as the server drew them; only what
   is left for the resident is offered (data-offered, as the visit form offers). */
(function () {
  "use strict";
  const form = document.getElementById("attendance-form");
  const choices = document.getElementById("achievement-choices");
  if (!form || !choices) return;

  function show(box) {
    const row = box.closest(".attendee");
    if (!row) return;
    let fieldset = row.querySelector("fieldset.achievements");
    row.classList.toggle("is-present", box.checked);
    if (!box.checked) {
      if (fieldset && !fieldset.querySelector("input:disabled")) fieldset.remove();
      return;
    }
    if (fieldset) return;
    fieldset = choices.content.firstElementChild.cloneNode(true);
    const legend = fieldset.querySelector("legend");
    legend.textContent = legend.dataset.legend.replace("{name}", box.dataset.name || "");
    // Only what is left for the resident (the server's Achievement.left_for, in data-offered).
    const offered = (box.dataset.offered || "").split(" ");
    fieldset.querySelectorAll("input").forEach(function (input) {
      if (box.dataset.offered !== undefined && offered.indexOf(input.value) === -1) input.closest("label").remove();
      else input.name = "ach-" + box.value;
    });
    row.appendChild(fieldset);
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "resident") show(event.target);
  });
})();
