/* Draws every <div data-chart="id-of-json-script"> with ECharts (vendored, loaded before this
   file). The data comes from json_script: labels already translated, amounts as strings.
   A click on a bar or funnel layer opens the list of the records it counts. Charts resize
   with their container (phones, the sidebar opening). */
(function () {
  "use strict";

  function money(symbol, value) {
    var n = Number(value);
    return symbol + n.toLocaleString(document.documentElement.lang || undefined,
      { minimumFractionDigits: 0, maximumFractionDigits: 2 });
  }

  function funnelOption(data) {
    var s = data.series[0];
    return {
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          return p.name + "<br>" + data.count_label + ": " + s.values[p.dataIndex] +
            "<br>" + data.amount_label + ": " + money(data.symbol, s.amounts[p.dataIndex]);
        }
      },
      series: [{
        type: "funnel", sort: "none", left: "10%", width: "80%", minSize: "8%", gap: 2,
        label: { show: true, position: "inside", formatter: "{b}: {c}" },
        data: data.labels.map(function (label, i) {
          return { name: label, value: s.values[i] };
        })
      }]
    };
  }

  function barsOption(data) {
    return {
      tooltip: {
        trigger: "axis",
        valueFormatter: function (v) { return data.money ? money(data.symbol, v) : v; }
      },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: "category", data: data.labels },
      yAxis: {
        type: "value",
        axisLabel: { formatter: function (v) { return data.money ? money(data.symbol, v) : v; } }
      },
      series: data.series.map(function (s) {
        return { name: s.name, type: s.type || "bar", data: s.values.map(Number),
                 smooth: s.type === "line" };
      })
    };
  }

  function draw(element) {
    var source = document.getElementById(element.dataset.chart);
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption(data.kind === "funnel" ? funnelOption(data) : barsOption(data));
    chart.on("click", function (p) {
      var series = data.series[p.seriesIndex] || {};
      var url = series.urls && series.urls[p.dataIndex];
      if (url) { window.location.assign(url); }
    });
    if (window.ResizeObserver) {
      new ResizeObserver(function () { chart.resize(); }).observe(element);
    } else {
      window.addEventListener("resize", function () { chart.resize(); });
    }
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
})();
