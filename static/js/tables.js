/* Tables wider than their frame (templates/reports/_table.html): shows the hint above a
   table while it is wider than the screen, and hides it when it fits (a wider screen, a
   phone turned sideways, a <details> opened). The frame itself is focusable in the HTML,
   so that the arrow keys scroll it without this script. */
(function () {
  "use strict";

  var frames = document.querySelectorAll("[data-scroll-hint]");
  if (!frames.length) { return; }

  function update(frame) {
    var hint = document.getElementById(frame.getAttribute("data-scroll-hint"));
    if (!hint) { return; }
    // A table in a closed <details> has no width at all: no hint until it is shown.
    hint.hidden = !(frame.clientWidth > 0 && frame.scrollWidth > frame.clientWidth + 1);
  }

  frames.forEach(update);
  if (typeof window.ResizeObserver === "function") {
    var observer = new window.ResizeObserver(function (entries) {
      entries.forEach(function (entry) { update(entry.target); });
    });
    frames.forEach(function (frame) { observer.observe(frame); });
  } else {
    window.addEventListener("resize", function () { frames.forEach(update); });
  }
})();
