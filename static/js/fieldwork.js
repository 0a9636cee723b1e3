// Field-work pages. On a laptop there is room to show the household filters open;
// on a phone they stay folded so that the search results come first.
(function () {
  if (window.matchMedia("(min-width: 720px)").matches) {
    document.querySelectorAll("details.more-filters").forEach(function (details) {
      details.open = true;
    });
  }
})();
