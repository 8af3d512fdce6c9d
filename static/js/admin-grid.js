// The grid editor's script. Without it the grid works the same, only slower and without the
// keyboard shortcuts: the whole form is posted.
"use strict";
(function () {
  const form = document.querySelector("form.grid-editor");
  const grid = form && form.querySelector("table");
  if (!grid) return;

  // Post only the cells and headers that changed (and the version map, the new row and column):
  // the server leaves a unit it is not sent as it is. A unit the page shows after a refused
  // save (a conflict, an error, a pending deletion) is sent whole again, changed or not.
  const UNIT = /^(cell-\d+-\d+|row-\d+|col-\d+)-/;
  const changed = (field) => {
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    if (field.tagName === "SELECT") {
      return [...field.options].some((option) => option.selected !== option.defaultSelected);
    }
    return field.value !== field.defaultValue;
  };
  form.addEventListener("formdata", (event) => {
    const keep = new Set();
    for (const field of form.elements) {
      const unit = field.name && UNIT.exec(field.name);
      if (unit && (changed(field) || field.closest("[data-posted], .has-conflict, .has-errors"))) {
        keep.add(unit[1]);
      }
    }
    for (const name of [...event.formData.keys()]) {
      const unit = UNIT.exec(name);
      if (unit && !keep.has(unit[1])) event.formData.delete(name);
    }
  });

  // Alt + arrow keys move to the same field of the neighbouring cell (or the nearest field
  // there). Tab keeps the page's own order, row by row.
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
