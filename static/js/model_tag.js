// The "mobilization model" select of the visit, session and communication forms: offer
// only the models running in the chosen village(s) on the chosen date. Each option carries
// data-villages (ids), data-start and data-end (ISO dates); the select names the form's
// date field (data-date-field) and village field (data-village-field, absent on the visit
// form, whose options are already those of the household's village). The server checks again.
(function () {
  function chosenVillages(form, name) {
    var ids = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      if (input.tagName === "SELECT") {
        if (input.value) ids.push(input.value);
      } else if (input.checked) {
        ids.push(input.value);
      }
    });
    return ids;
  }

  function narrow(select) {
    var form = select.form;
    if (!form) return;
    var dateInput = select.dataset.dateField ? form.querySelector('[name="' + select.dataset.dateField + '"]') : null;
    var day = dateInput ? dateInput.value : "";
    var villages = select.dataset.villageField ? chosenVillages(form, select.dataset.villageField) : null;
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.value) return;
      var inVillage = villages === null || (option.dataset.villages || "").split(" ").some(function (id) {
        return villages.indexOf(id) !== -1;
      });
      var inDates = !day || (option.dataset.start <= day && (!option.dataset.end || day <= option.dataset.end));
      var offered = inVillage && inDates;
      option.hidden = !offered;
      option.disabled = !offered;
      if (!offered && option.selected) select.value = "";
    });
  }

  function narrowAll() {
    document.querySelectorAll("select[data-model-tag]").forEach(narrow);
  }

  document.addEventListener("DOMContentLoaded", narrowAll);
  document.addEventListener("htmx:afterSettle", narrowAll);
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form) form.querySelectorAll("select[data-model-tag]").forEach(narrow);
  });
})();
