// Charts drawn with the vendored Chart.js from data the server embeds with json_script.
// Every chart has a table with the same figures next to it, so the canvas is a convenience.
(function () {
  "use strict";
  var COLOURS = ["#0b5cad", "#c77700", "#175c2c", "#a4161a"];

  // A long label on words over lines of at most `max` characters, so that axis labels stay level and
  // readable (Chart.js draws an array as lines) instead of slanting in ru and kk on a narrow screen.
  function wrap(label, max) {
    if (typeof label !== "string" || label.length <= max) return label;
    var lines = [], line = "";
    label.split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > max) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) lines.push(line);
    return lines;
  }

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
      var horizontal = data.labels.length > 4;
      var perLabel = horizontal ? 24 : Math.max(8, Math.floor((canvas.parentNode.clientWidth || 600) / data.labels.length / 8));
      data.labels = data.labels.map(function (label) { return wrap(label, perLabel); });
      var category = { autoSkip: false, maxRotation: 0, minRotation: 0 };
      if (horizontal) {
        // One bar group per label: give each its room (wrapped labels take two or three lines).
        var lines = data.labels.reduce(function (n, label) { return n + (Array.isArray(label) ? label.length : 1); }, 0);
        canvas.style.setProperty("--chart-height", Math.max(288, 64 + lines * 16 + data.labels.length * 12) + "px");
      }
      new window.Chart(canvas, {
        type: "bar",
        data: data,
        options: {
          indexAxis: horizontal ? "y" : "x",
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          locale: locale === "zh-hans" ? "zh-CN" : locale,
          plugins: { legend: { position: "bottom" } },
          scales: {
            x: { beginAtZero: true, ticks: horizontal ? {} : category },
            y: { beginAtZero: true, ticks: horizontal ? category : {} }
          }
        }
      });
      canvas.dataset.drawn = "1";
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
})();
