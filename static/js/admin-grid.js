// The grid editor's keyboard: Alt + arrow keys move to the same field of the neighbouring cell
// (or the nearest field there). Tab keeps the page's own order, row by row. Without this
// script the grid works the same, only without these shortcuts.
"use strict";
(function () {
  const grid = document.querySelector(".grid-editor table");
  if (!grid) return;
  const MOVES = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  const fieldsOf = (cell) => [...cell.querySelectorAll("select, textarea, input:not([type=hidden])")];

  grid.addEventListener("keydown", (event) => {
    const move = MOVES[event.key];
    if (!move || !event.altKey) return;
    const cell = event.target.closest("td, th");
    const row = cell && cell.parentElement;
    if (!row) return;
    const rows = [...grid.querySelectorAll("tr")];
    const rowIndex = rows.indexOf(row) + move[0];
    const columnIndex = [...row.children].indexOf(cell) + move[1];
    const target = rows[rowIndex] && rows[rowIndex].children[columnIndex];
    if (!target) return;
    const position = fieldsOf(cell).indexOf(event.target);
    const fields = fieldsOf(target).filter((field) => field.offsetParent !== null);
    const next = fields[Math.min(Math.max(position, 0), fields.length - 1)];
    if (!next) return;
    event.preventDefault();
    next.focus();
    next.scrollIntoView({ block: "nearest", inline: "nearest" });
  });
})();
