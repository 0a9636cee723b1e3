/* Reports: draws the dashboard charts from the JSON the page carries (#report-charts), and
   wires the monthly report's print button. Every chart has a table with the same numbers
   below it, so the page reads the same without JavaScript or with a screen reader. */
(function () {
  "use strict";

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var source = document.getElementById("report-charts");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  // Colours that stay apart for the common colour-vision deficiencies (Okabe-Ito), and a
  // different point shape per series so that colour is never the only cue.
  var colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
  var shapes = ["circle", "rect", "triangle", "rectRot", "crossRot", "star", "cross"];

  function percentAxis() {
    return { min: 0, max: 100, ticks: { callback: function (value) { return value + " %"; } } };
  }

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    config.options = Object.assign({
      responsive: true,
      maintainAspectRatio: false,
      animation: still ? false : { duration: 300 },
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { position: "bottom", labels: { usePointStyle: true } } },
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
        return { label: series.label, data: series.data, backgroundColor: colours[i], pointStyle: shapes[i] };
      }),
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });

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
