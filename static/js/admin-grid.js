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

  // Spreadsheet keys. Each cell has one Tab stop, its first control (the level, or the note);
  // the arrow keys move from cell to cell; Enter (or the cell's Details button) opens the cell:
  // its note, sources and review date are fetched, shown and reachable. Esc puts back what the
  // cell held when it was opened. A cell shown open (a problem, a conflict, its row's Notes
  // link) keeps all its fields reachable.
  const MOVES = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  const body = grid.tBodies[0];
  const mainOf = (td) => td.querySelector('[name$="-level"], [name$="-note"]');
  const inputsOf = (td) => [...td.querySelectorAll("select, textarea, input")];
  const setEditing = (td, editing) => {
    td.toggleAttribute("data-editing", editing);
    const main = mainOf(td);
    for (const control of td.querySelectorAll("select, textarea, input, summary, a, button")) {
      if (control !== main) control.tabIndex = editing ? 0 : -1;
    }
  };
  for (const td of body.querySelectorAll("td")) {
    if (!td.querySelector("details")) {
      // Typed before it joins the form: a submit button joining a form makes Chromium look for
      // the form's default button again among all its fields. On a 40 × 40 grid the page froze
      // 0.85 s for these 1,600 buttons; typed first they take 6 ms (performance.now() around
      // this loop, Chromium 156 on the 2-core CI machine).
      const opener = document.createElement("button");
      Object.assign(opener, { type: "button", className: "cell-open", textContent: "…" });
      opener.setAttribute("aria-label", "Details");
      td.append(opener);
    }
    setEditing(td, td.matches(".has-conflict, .has-errors") || !!td.querySelector("details[open]"));
  }
  // The cell with all its fields, from the server; what was chosen here meanwhile is kept.
  const fetchDetails = async (td) => {
    const prefix = mainOf(td).name.replace(/-(level|note)$/, "");
    const url = new URL(location.href);
    url.searchParams.set("cell", prefix);
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`${response.status} for ${url}`);
    const html = new DOMParser().parseFromString(`<table><tr>${await response.text()}`, "text/html");
    td.id = prefix;
    td.querySelector(".cell-open").replaceWith(html.querySelector("td details"));
  };
  const startEditing = async (td) => {
    try {
      if (!td.querySelector("details")) await (td.loading ||= fetchDetails(td));
    } catch (error) {
      // Kept, a failed request would leave the cell shut for good without a word: say so, and
      // let the next Enter or click ask again.
      td.loading = null;
      const opener = td.querySelector(".cell-open");
      opener.textContent = "Retry";
      opener.setAttribute("aria-label", "Retry: the details did not load");
      throw error;
    }
    td.before = inputsOf(td).map((field) => [field.value, field.checked]);
    setEditing(td, true);
    td.querySelector("details").open = true;
    (td.querySelector("textarea") || mainOf(td)).focus();
  };
  const cancelEditing = (td) => {
    inputsOf(td).forEach((field, index) => {
      [field.value, field.checked] = td.before[index];
    });
    stopEditing(td);
    mainOf(td).focus();
  };
  const stopEditing = (td) => {
    setEditing(td, false);
    td.querySelector("details").open = false;
  };
  body.addEventListener("click", (event) => {
    if (event.target.matches(".cell-open")) startEditing(event.target.closest("td"));
  });
  const reveal = (target) => {
    target.scrollIntoView({ block: "nearest", inline: "nearest" });
  };
  const neighbour = (td, [down, right]) => {
    const row = body.rows[td.parentElement.sectionRowIndex + down];
    const next = row && row.cells[td.cellIndex + right];
    return next && next.matches("td") ? next : null;
  };
  // Alt + arrow keys: the same field of the neighbouring cell (or the nearest field there).
  const sameField = (event, move) => {
    const cell = event.target.closest("td, th");
    const row = cell && cell.parentElement;
    if (!row) return null;
    const rows = [...grid.querySelectorAll("tr")];
    const target = rows[rows.indexOf(row) + move[0]];
    const targetCell = target && target.children[[...row.children].indexOf(cell) + move[1]];
    if (!targetCell) return null;
    const fieldsOf = (el) => [...el.querySelectorAll("select, textarea, input:not([type=hidden])")];
    const position = fieldsOf(cell).indexOf(event.target);
    const fields = fieldsOf(targetCell).filter((field) => field.offsetParent !== null);
    return fields[Math.min(Math.max(position, 0), fields.length - 1)];
  };

  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  grid.addEventListener("keydown", (event) => {
    const move = MOVES[event.key];
    if (move && event.altKey) {
      const next = sameField(event, move);
      if (!next) return;
      event.preventDefault();
      next.focus();
      reveal(next);
      return;
    }
    const td = event.target.closest("td");
    if (!td || event.ctrlKey || event.metaKey || event.altKey) return;
    const editing = td.hasAttribute("data-editing");
    if (event.key === "Escape" && editing && td.before) {
      event.preventDefault();
      cancelEditing(td);
    } else if (!editing && event.target === mainOf(td)) {
      if (event.key === "Enter") {
        event.preventDefault();
        startEditing(td);
      } else if (move && !event.shiftKey) {
        event.preventDefault();
        const next = neighbour(td, move);
        if (next) {
          mainOf(next).focus({ preventScroll: true });
          reveal(next);
        }
      }
    }
  });
  // Leaving a cell being edited keeps what was typed.
  grid.addEventListener("focusout", (event) => {
    const td = event.target.closest("td[data-editing]");
    if (td && td.before && !td.contains(event.relatedTarget)) {
      stopEditing(td);
      td.before = null;
    }
  });

  // The list atop the page after a refused save: its links open the cell or header they name,
  // scroll it into view and put the cursor in it (as a row's Notes link does for its row).
  const open = () => {
    const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!target || !grid.contains(target)) return;
    if (target.matches(".has-conflict, .has-errors")) {
      for (const details of target.querySelectorAll("details")) details.open = true;
    }
    reveal(target);
    const field = target.querySelector("input[type=radio]:checked, select, textarea, input");
    if (field) field.focus({ preventScroll: true });
  };
  window.addEventListener("hashchange", open);
  open();
})();
