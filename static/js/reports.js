/* Reports: draws the dashboard charts from the JSON the page carries (#report-charts), and
   wires the monthly report's print button. Every chart has a table with the same numbers
   below it, so the page reads the same without JavaScript or with a screen reader. */
(function () {
  "use strict";

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var source = document.getElementById("report-charts");
  var library = document.currentScript && document.currentScript.getAttribute("data-chartjs");
  if (!source || (!library && typeof window.Chart === "undefined")) { return; }
  var data = JSON.parse(source.textContent);

  // Chart.js (200 KB) is read and each chart drawn only when it comes near the screen, each in
  // a task of its own: read at once and all three drawn together, they held a phone's main
  // thread for half a second before the page answered a tap (Lighthouse: /reports/ at 86).
  var waiting = null;
  function withChart(then) {
    if (typeof window.Chart !== "undefined") { then(); return; }
    if (waiting === null) {
      waiting = [];
      var script = document.createElement("script");
      script.src = library;
      script.onload = function () { waiting.forEach(function (f) { window.setTimeout(f, 0); }); };
      document.head.appendChild(script);
    }
    waiting.push(then);
  }
  function whenNear(canvas, then) {
    if (typeof window.IntersectionObserver !== "function") { withChart(then); return; }
    var observer = new window.IntersectionObserver(function (entries) {
      if (!entries.some(function (entry) { return entry.isIntersecting; })) { return; }
      observer.disconnect();
      withChart(then);
    }, { rootMargin: "200px 0px" });
    observer.observe(canvas);
  }
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  // Colours that stay apart for the common colour-vision deficiencies (Okabe-Ito), and a
  // different point shape per series so that colour is never the only cue.
  var colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
  var shapes = ["circle", "rect", "triangle", "rectRot", "crossRot", "star", "cross"];

  function percentAxis() {
    return { min: 0, max: 100, ticks: { callback: function (value) { return value + " %"; } } };
  }

  // Numbers on the axes and in the tooltips as the page's language writes them (1.000 / 1,000).
  var locale = document.documentElement.lang || undefined;
  var narrow = window.matchMedia && window.matchMedia("(max-width: 719px)").matches;

  // legendMarkers: "point" (each series' point shape, for lines) or "box" (a filled square,
  // for bars: a bar has no point, and an outline-only shape such as a cross would be
  // drawn with the bar's zero border, leaving the legend entry without a marker).
  function draw(id, config, legendMarkers) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    var labels = {
      usePointStyle: legendMarkers !== "box",
      boxWidth: narrow ? 12 : 16,
      boxHeight: narrow ? 12 : 16,
      padding: narrow ? 8 : 12,
      font: { size: narrow ? 12 : 13 },
    };
    whenNear(canvas, function () { drawNow(canvas, config, labels); });
  }

  function drawNow(canvas, config, labels) {
    config.options = Object.assign({
      locale: locale,
      responsive: true,
      maintainAspectRatio: false,
      animation: still ? false : { duration: 300 },
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { position: "bottom", align: "start", labels: labels } },
    }, config.options || {});
    new window.Chart(canvas, config);
  }

  var adoption = [];
  data.adoption.forEach(function (series, i) {
    adoption.push({
      label: series.label, data: series.data, borderColor: colours[i], backgroundColor: colours[i],
      pointStyle: shapes[i], spanGaps: true, borderWidth: 2,
    });
    if (series.plan.some(function (v) { return v !== null; })) {
      adoption.push({
        label: series.label + " (" + data.planLabel + ")", data: series.plan, borderColor: colours[i],
        backgroundColor: colours[i], borderDash: [6, 4], pointRadius: 0, borderWidth: 1.5, spanGaps: false,
        // In the legend: a dashed line in the series' colour, as drawn.
        pointStyle: "line",
      });
    }
  });
  draw("chart-adoption", {
    type: "line",
    data: { labels: data.months, datasets: adoption },
    options: { scales: { y: percentAxis() } },
  });

  draw("chart-activity", {
    type: "bar",
    data: {
      labels: data.months,
      datasets: data.activity.map(function (series, i) {
        return { label: series.label, data: series.data, backgroundColor: colours[i] };
      }),
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  }, "box");

  draw("chart-dossiers", {
    type: "line",
    data: {
      labels: data.months,
      datasets: data.dossiers.map(function (series, i) {
        return {
          label: series.label, data: series.data, borderColor: colours[i], backgroundColor: colours[i],
          pointStyle: shapes[i], spanGaps: true, borderWidth: 2,
        };
      }),
    },
    options: { scales: { y: percentAxis() } },
  });
})();
