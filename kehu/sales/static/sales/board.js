/* The kanban board: drag a card to another column (or another place in its column) and the
   move is posted to the server; the answer carries every column's new totals. A move the
   server refuses (a lost column without a reason, a stale version, no permission) puts the
   card back where it was and shows why. Dropping on a lost column asks for the reason first. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function showMessage(text, kind) {
    var box = document.getElementById("board-message");
    if (!box) return;
    box.innerHTML = "";
    if (!text) return;
    var alert = document.createElement("div");
    alert.className = "alert alert-" + (kind || "error");
    alert.textContent = text;
    box.appendChild(alert);
    if (kind === "success") setTimeout(function () { alert.remove(); }, 3000);
  }

  function cardsOf(list) {
    return Array.prototype.filter.call(list.children, function (el) {
      return el.classList.contains("board-card");
    });
  }

  function putBack(evt) {
    var cards = cardsOf(evt.from).filter(function (el) { return el !== evt.item; });
    var anchor = cards[evt.oldDraggableIndex] || evt.from.querySelector(":scope > .board-more");
    evt.from.insertBefore(evt.item, anchor || null);
  }

  function applyTotals(totals) {
    Object.keys(totals || {}).forEach(function (stageId) {
      var column = document.querySelector('[data-column="' + stageId + '"]');
      if (!column) return;
      var t = totals[stageId];
      column.querySelector("[data-count]").textContent = t.count;
      column.querySelector("[data-amount]").textContent = t.amount_display;
      column.querySelector("[data-weighted]").textContent = t.weighted_display;
    });
  }

  function askLostReason(board) {
    var dialog = document.getElementById("lost-dialog");
    var select = dialog.querySelector("select[name=lost_reason]");
    var note = dialog.querySelector("input[name=lost_note]");
    return fetch(board.dataset.lostOptions, { headers: { "HX-Request": "true" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        select.innerHTML = html;
        note.value = "";
        return new Promise(function (resolve) {
          dialog.addEventListener("close", function onClose() {
            dialog.removeEventListener("close", onClose);
            if (dialog.returnValue === "lose" && select.value) {
              resolve({ lost_reason: select.value, lost_note: note.value });
            } else {
              resolve(null);
            }
          });
          dialog.returnValue = "";
          dialog.showModal();
        });
      });
  }

  function post(board, evt, extra) {
    var card = evt.item;
    var body = new URLSearchParams(board.dataset.filters || "");
    body.set("stage", evt.to.dataset.stage);
    body.set("version", card.dataset.version);
    var cards = cardsOf(evt.to);
    var index = cards.indexOf(card);
    if (index > 0) body.set("after_id", cards[index - 1].dataset.id);
    if (index >= 0 && index < cards.length - 1) body.set("before_id", cards[index + 1].dataset.id);
    Object.keys(extra || {}).forEach(function (key) { body.set(key, extra[key]); });
    card.classList.add("moving");
    return fetch(card.dataset.moveUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        card.classList.remove("moving");
        if (!response.ok) {
          putBack(evt);
          var error = data && data.error;
          showMessage((error && error.message) || board.dataset.msgFailed);
          return;
        }
        var template = document.createElement("template");
        template.innerHTML = data.card.trim();
        var fresh = template.content.firstElementChild;
        if (fresh) card.replaceWith(fresh);
        applyTotals(data.totals);
        showMessage(data.message, "success");
      });
    }).catch(function () {
      card.classList.remove("moving");
      putBack(evt);
      showMessage(document.body.dataset.msgOffline || board.dataset.msgFailed);
    });
  }

  function onEnd(board, evt) {
    if (evt.from === evt.to && evt.oldDraggableIndex === evt.newDraggableIndex) return;
    if (evt.to.dataset.kind === "lost" && evt.from !== evt.to) {
      askLostReason(board).then(function (answer) {
        if (answer) post(board, evt, answer); else putBack(evt);
      });
      return;
    }
    post(board, evt, null);
  }

  function init() {
    var board = document.getElementById("board");
    if (!board || !window.Sortable || board.dataset.editable !== "1") return;
    board.querySelectorAll(".board-cards").forEach(function (list) {
      Sortable.create(list, {
        group: "board", animation: 120, draggable: ".board-card",
        filter: ".board-more", preventOnFilter: false,
        onEnd: function (evt) { onEnd(board, evt); },
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
