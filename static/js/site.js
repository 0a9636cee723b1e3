/* Behaviour every page shares, kept out of the HTML so that the Content-Security-Policy can
   forbid inline scripts and event attributes. */
(function () {
  "use strict";

  // The language switch submits as soon as a language is picked (a button in <noscript> otherwise).
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
