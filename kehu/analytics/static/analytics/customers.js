// Charts of the customer analytics pages. The figures come from the page's json_script
// (#analytics-chart-data); a click on a bar or slice opens the customers it counts.
(function () {
  "use strict";

  function bar(labels, values, urls, name) {
    return {
      option: {
        tooltip: { trigger: "axis" },
        grid: { left: 40, right: 16, top: 24, bottom: 40, containLabel: true },
        xAxis: { type: "category", data: labels, axisLabel: { hideOverlap: true } },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ name: name, type: "bar", data: values, itemStyle: { color: "#2563eb" } }],
      },
      urls: urls,
    };
  }

  function pie(rows, blankLabel) {
    return {
      option: {
        tooltip: { trigger: "item" },
        series: [{
          type: "pie", radius: ["40%", "70%"],
          data: rows.map(function (r) { return { name: r.value || blankLabel, value: r.count }; }),
        }],
      },
      urls: rows.map(function (r) { return r.url; }),
    };
  }

  function build(kind, data) {
    var t = data.labels || {};
    if (kind === "new-buckets") {
      return bar(data.buckets.map(function (b) { return b.label; }),
                 data.buckets.map(function (b) { return b.count; }),
                 data.buckets.map(function (b) { return b.url; }), t.new_customers);
    }
    if (kind === "new-sources") { return pie(data.sources, t.none); }
    if (kind === "new-provinces") { return pie(data.provinces, t.none); }
    if (kind === "rfm-tiers") {
      return bar(data.tiers.map(function (r) { return r.label; }),
                 data.tiers.map(function (r) { return r.count; }),
                 data.tiers.map(function (r) { return r.url; }), t.customers);
    }
    if (kind === "repurchase-months") {
      var months = data.months;
      return {
        option: {
          tooltip: { trigger: "axis" },
          legend: { top: 0 },
          grid: { left: 40, right: 40, top: 32, bottom: 40, containLabel: true },
          xAxis: { type: "category", data: months.map(function (m) { return m.label; }) },
          yAxis: [{ type: "value", minInterval: 1 }, { type: "value", max: 100, axisLabel: { formatter: "{value}%" } }],
          series: [
            { name: t.buyers, type: "bar", data: months.map(function (m) { return m.buyers; }), itemStyle: { color: "#93c5fd" } },
            { name: t.repeaters, type: "bar", data: months.map(function (m) { return m.repeaters; }), itemStyle: { color: "#2563eb" } },
            { name: t.rate, type: "line", yAxisIndex: 1, connectNulls: false, data: months.map(function (m) { return m.percent === null ? null : Number(m.percent); }) },
          ],
        },
        urls: months.map(function (m) { return m.repeaters_url; }),
      };
    }
    return null;
  }

  function start() {
    var source = document.getElementById("analytics-chart-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var chart = build(el.getAttribute("data-chart"), data);
      if (!chart) { return; }
      var instance = window.echarts.init(el);
      instance.setOption(chart.option);
      instance.on("click", function (params) {
        var url = chart.urls[params.dataIndex];
        if (url) { window.location.href = url; }
      });
      window.addEventListener("resize", function () { instance.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
