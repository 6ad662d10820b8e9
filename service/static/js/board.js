// The action board: drag a card to another column to move it (SortableJS, vendored). The
// card's own status buttons do the same without a mouse, and without JavaScript.
(function () {
  function move(card, status) {
    var form = card.querySelector("form.card-moves");
    if (!form) { return; }
    var values = { status: status, from: "board" };
    form.querySelectorAll("input[type=hidden]").forEach(function (input) {
      if (input.name !== "csrf_token") { values[input.name] = input.value; }
    });
    htmx.ajax("POST", form.getAttribute("action"), {
      source: form, target: "#board", swap: "outerHTML", values: values
    });
  }

  function init(root) {
    root.querySelectorAll(".board-cards").forEach(function (list) {
      if (list.dataset.sortable) { return; }
      list.dataset.sortable = "1";
      Sortable.create(list, {
        group: { name: "board", pull: true, put: list.hasAttribute("data-drop") },
        draggable: ".action-card[data-movable]",
        filter: "a, button, input, select, textarea",
        preventOnFilter: false,
        onEnd: function (event) {
          if (event.to !== event.from) { move(event.item, event.to.dataset.status); }
        }
      });
    });
  }

  htmx.onLoad(function (element) { init(element); });

  // Dragging leaves style attributes on the cards; htmx copies an old element's attributes
  // onto its replacement while settling, which the page's CSP (no inline style) refuses.
  document.addEventListener("htmx:beforeSwap", function () {
    document.querySelectorAll("#board [style]").forEach(function (element) {
      element.removeAttribute("style");
    });
  });
})();
