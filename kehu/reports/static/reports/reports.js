/* The report builder (Alpine component "reportBuilder") and report charts (ECharts).
   Loaded without `defer` so the component is registered before Alpine starts. Charts read
   their data from a json_script element named by data-report-chart; numbers arrive as
   strings (decimals are never floats in our JSON) and are converted only for drawing. */
(function () {
  "use strict";

  function parse(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // Option keys are strings; a saved definition may hold numbers (ids) or booleans.
  function text(value) {
    if (value === null || value === undefined) return null;
    return Array.isArray(value) ? value.map(String) : String(value);
  }

  document.addEventListener("alpine:init", function () {
    window.Alpine.data("reportBuilder", function () {
      return {
        catalog: [],
        def: { object: "", filters: [], group_by: [], measures: [{ fn: "count" }], chart: "table" },
        init: function () {
          this.catalog = parse("report-catalog") || [];
          var initial = parse("report-initial") || {};
          this.def = {
            object: initial.object || "",
            filters: (initial.filters || []).map(function (f) {
              return { field: f.field, op: f.op, value: text(f.value) };
            }),
            group_by: (initial.group_by || []).map(function (g) {
              return { field: g.field, bucket: g.bucket || "" };
            }),
            measures: (initial.measures && initial.measures.length ? initial.measures : [{ fn: "count" }])
              .map(function (m) { return { fn: m.fn, field: m.field || "" }; }),
            chart: initial.chart || "table"
          };
        },
        get object() {
          var key = this.def.object;
          return this.catalog.find(function (o) { return o.key === key; }) || null;
        },
        get filterable() { return this.object ? this.object.fields : []; },
        get groupable() { return this.filterable.filter(function (f) { return f.groupable; }); },
        get measurable() { return this.filterable.filter(function (f) { return f.measurable; }); },
        get json() {
          var d = this.def;
          return JSON.stringify({
            object: d.object,
            filters: d.filters,
            group_by: d.group_by.map(function (g) {
              return g.bucket ? { field: g.field, bucket: g.bucket } : { field: g.field };
            }),
            measures: d.measures.map(function (m) {
              return m.fn === "count" ? { fn: "count" } : { fn: m.fn, field: m.field };
            }),
            chart: d.chart
          });
        },
        field: function (key) {
          return this.filterable.find(function (f) { return f.key === key; }) || null;
        },
        isDate: function (key) {
          var f = this.field(key);
          return !!(f && f.buckets.length);
        },
        hasChoices: function (filter) {
          var f = this.field(filter.field);
          return !!(f && f.choices.length);
        },
        needsValue: function (filter) { return filter.op !== "empty" && filter.op !== "not_empty"; },
        inputType: function (filter) {
          var f = this.field(filter.field);
          if (!f) return "text";
          if (f.kind === "date" || f.kind === "datetime") return "date";
          if (f.kind === "number" || f.kind === "money") return "number";
          return "text";
        },
        changed: function () { this.$dispatch("report-changed"); },
        changeObject: function () {
          this.def.filters = [];
          this.def.group_by = [];
          this.def.measures = [{ fn: "count", field: "" }];
          this.def.chart = "table";
        },
        resetValue: function (filter) {
          filter.value = filter.op === "between" ? ["", ""] : filter.op === "in" && this.hasChoices(filter) ? [] : "";
          if (!this.needsValue(filter)) filter.value = null;
        },
        resetFilter: function (filter) {
          var f = this.field(filter.field);
          filter.op = f ? f.operators[0].key : "eq";
          this.resetValue(filter);
        },
        addFilter: function () {
          var f = this.filterable[0];
          if (!f) return;
          var filter = { field: f.key, op: f.operators[0].key, value: "" };
          this.resetValue(filter);
          this.def.filters.push(filter);
          this.changed();
        },
        addGroup: function () {
          var used = this.def.group_by.map(function (g) { return g.field; });
          var f = this.groupable.find(function (x) { return used.indexOf(x.key) < 0; });
          if (!f) return;
          this.def.group_by.push({ field: f.key, bucket: f.buckets.length ? "month" : "" });
          if (this.def.chart === "table" && this.def.group_by.length === 1) this.def.chart = "bar";
          this.changed();
        },
        addMeasure: function () {
          var f = this.measurable[0];
          this.def.measures.push(f ? { fn: "sum", field: f.key } : { fn: "count", field: "" });
          this.changed();
        },
        remove: function (list, i) {
          list.splice(i, 1);
          this.changed();
        }
      };
    });
  });

  var PALETTE = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777",
                 "#65a30d", "#ea580c", "#475569"];

  function num(v) { return v === null || v === undefined ? null : Number(v); }

  function options(data) {
    var base = { color: PALETTE, tooltip: { trigger: data.type === "pie" || data.type === "funnel" ? "item" : "axis" },
                 legend: { type: "scroll", bottom: 0 } };
    if (data.type === "pie" || data.type === "funnel") {
      var first = data.series[0] || { name: "", data: [] };
      var items = data.categories.map(function (c, i) { return { name: c, value: num(first.data[i]) }; });
      var serie = { type: data.type, name: first.name, data: items };
      if (data.type === "pie") serie.radius = ["35%", "65%"];
      else { serie.sort = "descending"; serie.left = "10%"; serie.width = "80%"; serie.bottom = 40; }
      base.series = [serie];
      return base;
    }
    base.grid = { left: 12, right: 12, top: 24, bottom: 40, containLabel: true };
    base.xAxis = { type: "category", data: data.categories, axisLabel: { hideOverlap: true } };
    base.yAxis = { type: "value" };
    base.series = data.series.map(function (s) {
      return { type: data.type, name: s.name, data: s.data.map(num), smooth: data.type === "line" };
    });
    return base;
  }

  function draw(root) {
    if (!window.echarts) return;
    (root || document).querySelectorAll("[data-report-chart]").forEach(function (el) {
      var data = parse(el.getAttribute("data-report-chart"));
      if (!data) return;
      var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el);
      chart.setOption(options(data), true);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  // after an outerHTML swap the event's target may be the old element: redraw them all
  document.addEventListener("htmx:afterSettle", function () { draw(document); });
  window.addEventListener("resize", function () {
    if (!window.echarts) return;
    document.querySelectorAll("[data-report-chart]").forEach(function (el) {
      var chart = window.echarts.getInstanceByDom(el);
      if (chart) chart.resize();
    });
  });

  // "Download PNG": the chart as the browser drew it.
  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-report-png]");
    if (!button || !window.echarts) return;
    var el = document.getElementById(button.getAttribute("data-report-png"));
    var chart = el && window.echarts.getInstanceByDom(el);
    if (!chart) return;
    var link = document.createElement("a");
    link.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
    link.download = button.getAttribute("data-filename") || "report.png";
    document.body.appendChild(link);
    link.click();
    link.remove();
  });
})();
