/* Sort and filter comparison tables in place. Progressive enhancement: without this file the
   tables are whole and the capability pages are the sorted view. */
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

  function sortBy(table, index, headers) {
    var header = headers[index];
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var levelled = table.classList.contains("levelled");
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (row, position) { row.dataset.position = row.dataset.position || position; });
    rows.sort(function (a, b) {
      var result = compare(cellKey(a.cells[index], levelled), cellKey(b.cells[index], levelled));
      return (ascending ? result : -result) || a.dataset.position - b.dataset.position;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    headers.forEach(function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function addSorting(table) {
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    headers.forEach(function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = "⇅";
      button.setAttribute("aria-label", "Sort by " + th.textContent.trim());
      button.addEventListener("click", function () { sortBy(table, index, headers); });
      th.appendChild(button);
    });
  }

  function addFilter(table, number) {
    var tools = document.createElement("div");
    tools.className = "table-tools";
    var id = "filter-" + number;
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = "Show rows matching";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    var status = document.createElement("span");
    status.setAttribute("role", "status");
    input.addEventListener("input", function () {
      var words = input.value.trim().toLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var match = !words || row.cells[0].textContent.toLowerCase().indexOf(words) !== -1;
        row.hidden = !match;
        shown += match ? 1 : 0;
      });
      status.textContent = words ? shown + " of " + table.tBodies[0].rows.length + " rows shown" : "";
    });
    tools.appendChild(label);
    tools.appendChild(input);
    tools.appendChild(status);
    table.parentNode.parentNode.insertBefore(tools, table.parentNode);
  }

  document.querySelectorAll("table[data-sortable]").forEach(function (table, number) {
    if (!table.tHead || !table.tBodies.length) return;
    addSorting(table);
    addFilter(table, number);
  });
})();
