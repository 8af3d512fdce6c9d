/* Sort and filter comparison tables in place. Progressive enhancement: without this file the
   form above each table asks the server (?sort=, ?rows=) for the same. */
(function () {
  "use strict";
  var RANK = { full: 0, partial: 1, none: 2, unknown: 3, missing: 4 };

  function cellKey(cell, levelled) {
    var match = levelled && /level-(\w+)/.exec(cell.className);
    if (match) return [RANK[match[1]], cell.textContent.trim().toLowerCase()];
    return [cell.classList.contains("level-missing") ? 1 : 0, cell.textContent.trim().toLowerCase()];
  }

  function compare(a, b) {
    if (a[0] !== b[0]) return a[0] - b[0];
    return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
  }

  function sortBy(table, index, headers, ascending) {
    var body = table.tBodies[0];
    var levelled = table.classList.contains("levelled");
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (row, position) { row.dataset.position = row.dataset.position || position; });
    rows.sort(function (a, b) {
      if (index < 0) return a.dataset.position - b.dataset.position;  // the document's order
      var result = compare(cellKey(a.cells[index], levelled), cellKey(b.cells[index], levelled));
      return (ascending ? result : -result) || a.dataset.position - b.dataset.position;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    headers.forEach(function (th) { th.removeAttribute("aria-sort"); });
    if (index >= 0) headers[index].setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function addSorting(table, headers) {
    headers.forEach(function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = "⇅";
      button.setAttribute("aria-label", "Sort by " + th.textContent.trim());
      button.addEventListener("click", function () {
        sortBy(table, index, headers, th.getAttribute("aria-sort") !== "ascending");
      });
      th.appendChild(button);
    });
  }

  // The server's sort and filter form (?sort=, ?rows=) answers at once, without a reload.
  function enhanceForm(form, table, headers) {
    var status = form.querySelector("[role=status]");
    form.elements.sort.addEventListener("change", function () {
      var value = form.elements.sort.value;
      sortBy(table, headers.findIndex(function (th) { return value && th.id === value; }), headers, true);
    });
    form.elements.rows.addEventListener("input", function () {
      var words = form.elements.rows.value.trim().toLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var match = !words || row.cells[0].textContent.toLowerCase().indexOf(words) !== -1;
        row.hidden = !match;
        shown += match ? 1 : 0;
      });
      status.textContent = words ? shown + " of " + table.tBodies[0].rows.length + " rows shown" : "";
    });
  }

  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    if (!table.tHead || !table.tBodies.length) return;
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    addSorting(table, headers);
    var form = table.closest("section").querySelector("form.table-filter");
    if (form) enhanceForm(form, table, headers);
  });
})();
