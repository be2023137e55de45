/* The condition builder: rows of {field, op, value}; each row posts one JSON `conditions` value. */
document.addEventListener("alpine:init", function () {
  "use strict";
  function read(id) { return JSON.parse(document.getElementById(id).textContent); }
  var MULTI_OPS = ["in", "any", "all", "none"];
  var VALUELESS = ["empty", "not_empty"];
  window.Alpine.data("segmentBuilder", function () {
    var fields = read("segment-fields");
    var labels = read("segment-operators");
    var byKey = {};
    fields.forEach(function (f) { byKey[f.key] = f; });
    var next = 0;
    function widgetOf(f, op) {
      if (VALUELESS.indexOf(op) >= 0) return "none";
      if (MULTI_OPS.indexOf(op) >= 0) return f.widget === "select" ? "multi" : "list";
      return f.widget;
    }
    function makeRow(c) {
      var f = byKey[c.field] || fields[0];
      var op = f.ops.indexOf(c.op) >= 0 ? c.op : f.ops[0];
      var value = c.value;
      if (widgetOf(f, op) === "multi") {
        value = (Array.isArray(value) ? value : (value == null || value === "" ? [] : [value])).map(String);
      } else if (Array.isArray(value)) {
        value = value.join(", ");
      } else {
        value = value == null ? "" : String(value);
      }
      return { id: next++, field: f.key, op: op, value: value };
    }
    return {
      fields: fields,
      rows: read("segment-conditions").map(makeRow),
      field: function (row) { return byKey[row.field] || fields[0]; },
      ops: function (row) { return this.field(row).ops; },
      opLabel: function (row, op) {
        var f = this.field(row);
        return (f.op_labels && f.op_labels[op]) || labels[op] || op;
      },
      widget: function (row) { return widgetOf(this.field(row), row.op); },
      changeField: function (row) {
        row.op = this.ops(row)[0];
        row.value = this.widget(row) === "multi" ? [] : "";
      },
      changeOp: function (row) {
        var multi = this.widget(row) === "multi";
        if (multi && !Array.isArray(row.value)) row.value = row.value ? [row.value] : [];
        if (!multi && Array.isArray(row.value)) row.value = row.value.join(", ");
      },
      add: function () { this.rows.push(makeRow({ field: fields[0].key })); },
      serialized: function (row) {
        var widget = this.widget(row);
        var value = row.value;
        if (widget === "none") {
          value = null;
        } else if (widget === "list") {
          value = String(value).split(/[,，]/).map(function (s) { return s.trim(); }).filter(Boolean);
        }
        if (row.field === "tags" || row.field === "owner") {
          value = Array.isArray(value) ? value.map(Number) : (value === "" || value == null ? null : Number(value));
        } else if (row.field === "days_since_follow_up") {
          value = value === "" ? null : Number(value);
        }
        return JSON.stringify({ field: row.field, op: row.op, value: value });
      }
    };
  });
});
