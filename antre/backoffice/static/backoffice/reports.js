/* Draws the back office's report charts with the vendored chart.js.
 *
 * Each <canvas data-chart="ID"> takes its chart.js configuration from the
 * JSON in <script type="application/json" id="ID"> (Django's json_script), so
 * the page carries no inline script. Numbers follow the page's language
 * (1.234,5 in Indonesian). Charts inside content that htmx swaps in are drawn
 * after the swap. */
(function () {
  "use strict";

  function draw(root) {
    if (typeof window.Chart === "undefined") {
      return;
    }
    var language = document.documentElement.lang || "id";
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) {
        return;
      }
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) {
        return;
      }
      var config = JSON.parse(source.textContent);
      config.options = config.options || {};
      config.options.locale = language;
      if (canvas.dataset.height && canvas.parentElement) {
        canvas.parentElement.style.height = canvas.dataset.height + "px";
      }
      new window.Chart(canvas, config);
      canvas.dataset.drawn = "1";
    });
  }

  function configure() {
    if (typeof window.Chart === "undefined") {
      return;
    }
    var defaults = window.Chart.defaults;
    defaults.font.size = 13;
    defaults.color = "#1f1f1f";
    defaults.borderColor = "#d4d4d4";
    defaults.plugins.legend.labels.boxWidth = 14;
    defaults.plugins.legend.labels.usePointStyle = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    configure();
    draw(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    draw(event.target);
  });
})();
