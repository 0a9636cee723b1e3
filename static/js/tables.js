/* Tables wider than their frame (templates/reports/_table.html): shows the hint above a
   table while it is wider than the screen, and hides it when it fits (a wider screen, a
   phone turned sideways, a <details> opened). The frame itself is focusable in the HTML,
   so that the arrow keys scroll it without this script. */
(function () {
  "use strict";

  var frames = Array.prototype.slice.call(document.querySelectorAll("[data-scroll-hint]"));
  if (!frames.length) { return; }

  // Every frame measured first, then only the hints that change written: measuring a frame
  // after a hint was shown or hidden made the browser lay the whole page out again, once per
  // table (half a second of a phone's main thread on the dashboard, Lighthouse's long task).
  function update(list) {
    var overflowing = list.map(function (frame) {
      // A table in a closed <details> has no width at all: no hint until it is shown.
      return frame.clientWidth > 0 && frame.scrollWidth > frame.clientWidth + 1;
    });
    list.forEach(function (frame, i) {
      var hint = document.getElementById(frame.getAttribute("data-scroll-hint"));
      if (hint && hint.hidden === overflowing[i]) { hint.hidden = !overflowing[i]; }
    });
  }

  if (typeof window.ResizeObserver === "function") {
    // It reports every frame once when first observed: that is the first measure.
    var observer = new window.ResizeObserver(function (entries) {
      update(entries.map(function (entry) { return entry.target; }));
    });
    frames.forEach(function (frame) { observer.observe(frame); });
  } else {
    update(frames);
    window.addEventListener("resize", function () { update(frames); });
  }
})();
