// Comfort for the wizard's tables; without JavaScript every table shows one blank row (step 3:
// only an empty table, and "Add …" buttons that save and come back with one), a spare grid
// row, a Remove box per row, and Save.
//  - "Add …" copies a table's empty-form template and bumps its TOTAL_FORMS; nested tables
//    (step 3's groups and metrics) use their own placeholder, so each numbers its own rows.
//  - "Remove" ticks the row's Remove box and hides the row (the server drops it on save).
//  - Chart grids get "Add row" / "Add column"; choosing a chart type draws an empty grid.
//  - Leaving a page with typed, unsaved input asks first.
"use strict";

function formsetOf(element) {
  return element.closest("[data-formset]");
}

// The element of this table, not of a table nested in it (step 3: groups in a job).
function own(fieldset, selector) {
  return [...fieldset.querySelectorAll(selector)].find((el) => formsetOf(el) === fieldset);
}

function addRow(fieldset) {
  const prefix = fieldset.dataset.formset;
  const placeholder = fieldset.dataset.placeholder || "__prefix__";
  const total = fieldset.querySelector(`input[name="${CSS.escape(prefix)}-TOTAL_FORMS"]`);
  const template = own(fieldset, "template[data-formset-empty]");
  const rows = own(fieldset, "[data-formset-rows]");
  if (!total || !template || !rows) return;
  const index = Number(total.value);
  rows.insertAdjacentHTML("beforeend", template.innerHTML.replaceAll(placeholder, String(index)));
  total.value = String(index + 1);
  const added = rows.lastElementChild;
  enhance(added);
  const first = added.querySelector("input:not([type=hidden]), select, textarea");
  if (first) first.focus();
}

function removeRow(button) {
  const row = button.closest("[data-row]");
  const box = row.querySelector("[data-remove] input[type=checkbox]");
  if (box) box.checked = true;
  row.hidden = true;
  markDirty();
}

const CHART_SHAPES = { bar_chart: [1, true, false], linear_graph: [2, false, false], matrix: [2, true, true] };

function cellInput(name, label) {
  const input = document.createElement("input");
  input.name = name;
  input.setAttribute("aria-label", label);
  input.inputMode = "decimal";
  return input;
}

function gridRow(grid, r) {
  const name = grid.dataset.grid;
  const [, rowNames] = CHART_SHAPES[grid.dataset.kind];
  const width = Number(grid.querySelector("[data-grid-cols]").value);
  const tr = document.createElement("tr");
  if (rowNames) {
    const th = document.createElement("th");
    th.scope = "row";
    th.append(cellInput(`${name}-r${r}`, `Row name ${r + 1}`));
    tr.append(th);
  }
  for (let c = 0; c < width; c++) {
    const td = document.createElement("td");
    td.append(cellInput(`${name}-${r}-${c}`, `Row ${r + 1}, column ${c + 1}`));
    tr.append(td);
  }
  return tr;
}

function addGridRow(grid) {
  const rows = grid.querySelector("[data-grid-rows]");
  const r = Number(rows.value);
  if (r >= 20) return;
  grid.querySelector("[data-grid-body]").append(gridRow(grid, r));
  rows.value = String(r + 1);
}

function addGridColumn(grid) {
  const cols = grid.querySelector("[data-grid-cols]");
  const c = Number(cols.value);
  if (c >= 20) return;
  const name = grid.dataset.grid;
  const head = document.createElement("th");
  head.scope = "col";
  head.append(cellInput(`${name}-c${c}`, `y axis name ${c + 1}`));
  grid.querySelector("thead tr").append(head);
  grid.querySelectorAll("[data-grid-body] tr").forEach((tr, r) => {
    const td = document.createElement("td");
    td.append(cellInput(`${name}-${r}-${c}`, `Row ${r + 1}, column ${c + 1}`));
    tr.append(td);
  });
  cols.value = String(c + 1);
}

function newGrid(metric, kind) {
  const name = metric.dataset.gridName;
  const [width, rowNames, colNames] = CHART_SHAPES[kind];
  const box = document.createElement("div");
  box.className = "grid-editor";
  box.dataset.editor = "grid";
  box.dataset.grid = name;
  box.dataset.kind = kind;
  box.innerHTML =
    `<input type="hidden" data-grid-rows><input type="hidden" data-grid-cols>` +
    `<div class="scroll"><table class="grid"><thead><tr></tr></thead><tbody data-grid-body></tbody></table></div>` +
    `<button type="button" data-grid-add-row>Add row</button>` +
    (colNames ? `<button type="button" data-grid-add-col>Add column</button>` : "");
  box.querySelector("[data-grid-rows]").name = `${name}-rows`;
  box.querySelector("[data-grid-rows]").value = "0";
  const cols = box.querySelector("[data-grid-cols]");
  cols.name = `${name}-cols`;
  cols.value = colNames ? "0" : String(width);
  const head = box.querySelector("thead tr");
  if (rowNames) head.insertAdjacentHTML("beforeend", `<th scope="col">${kind === "bar_chart" ? "Label" : "x axis name"}</th>`);
  if (colNames) {
    for (let c = 0; c < width; c++) addGridColumn(box);
  } else {
    for (const heading of kind === "bar_chart" ? ["Value"] : ["x", "y"]) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = heading;
      head.append(th);
    }
  }
  for (let r = 0; r < 3; r++) addGridRow(box);
  return box;
}

function typeChanged(select) {
  const metric = select.closest("[data-metric]");
  if (!metric) return;
  const kind = select.value;
  const editor = metric.querySelector(".editor");
  // An editor of another type goes; without it the server re-reads the value's text.
  for (const part of editor.querySelectorAll("[data-editor=grid], [data-editor=boolean]")) {
    if (part.dataset.kind !== kind) part.remove();
  }
  if (CHART_SHAPES[kind] && !editor.querySelector("[data-editor=grid]")) {
    editor.prepend(newGrid(metric, kind));
  }
  const scalar = editor.querySelector("[data-editor=scalar]");
  const raw = editor.querySelector("details.raw");
  if (!scalar && raw && !CHART_SHAPES[kind]) raw.open = true;
  markDirty();
}

let dirty = false;
function markDirty() {
  dirty = true;
}

function enhance(root) {
  for (const button of root.querySelectorAll("[data-formset-add], [data-grid-add-row], [data-grid-add-col]")) {
    button.hidden = false;
  }
  for (const holder of root.querySelectorAll("[data-remove]")) {
    if (holder.querySelector("button")) continue;
    const label = holder.querySelector("label");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "remove-row";
    button.textContent = label ? label.textContent.trim() : "Remove";
    button.dataset.removeRow = "";
    if (label) label.hidden = true;
    holder.append(button);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  enhance(document);
  document.addEventListener("click", (event) => {
    const target = event.target.closest("button");
    if (!target) return;
    if (target.matches("[data-formset-add]")) {
      // Without JavaScript the button saves and comes back with a blank row; here the row
      // is added in the page.
      event.preventDefault();
      addRow(formsetOf(target));
    }
    else if (target.matches("[data-remove-row]")) removeRow(target);
    else if (target.matches("[data-grid-add-row]")) addGridRow(target.closest("[data-grid]"));
    else if (target.matches("[data-grid-add-col]")) addGridColumn(target.closest("[data-grid]"));
  });
  document.addEventListener("change", (event) => {
    if (event.target.matches("select[name$='-type']")) typeChanged(event.target);
  });
  for (const form of document.querySelectorAll("form.wizard, form[data-warn-unsaved]")) {
    form.addEventListener("input", markDirty);
    form.addEventListener("submit", () => {
      dirty = false;
    });
  }
  window.addEventListener("beforeunload", (event) => {
    if (dirty) event.preventDefault();
  });
});
