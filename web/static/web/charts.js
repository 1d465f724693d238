// Charts drawn with the vendored Chart.js from data the server embeds with json_script.
// Every chart has a table with the same figures next to it, so the canvas is a convenience.
(function () {
  "use strict";
  var COLOURS = ["#0b5cad", "#c77700", "#175c2c", "#a4161a"];

  function draw(root) {
    if (typeof window.Chart === "undefined") return;
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      data.datasets.forEach(function (set, i) {
        set.backgroundColor = COLOURS[i % COLOURS.length];
        set.borderColor = COLOURS[i % COLOURS.length];
      });
      var locale = document.documentElement.lang || "en";
      new window.Chart(canvas, {
        type: "bar",
        data: data,
        options: {
          indexAxis: data.labels.length > 4 ? "y" : "x",
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          locale: locale === "zh-hans" ? "zh-CN" : locale,
          plugins: { legend: { position: "bottom" } },
          scales: { x: { beginAtZero: true }, y: { beginAtZero: true } }
        }
      });
      canvas.dataset.drawn = "1";
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
})();
