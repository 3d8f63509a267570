// Comfort for the wizard's SageMaker pickers. Without JavaScript each picker is a search box and
// a Search button; the step shows the results as buttons. With it, the search box becomes a
// combobox (WAI-ARIA 1.2 "list autocomplete"): typing asks the server for the list (the same
// one, as JSON), arrows move through it, Enter or a click chooses. Choosing a model package
// group or a processing job opens its versions or report files; choosing a final item sends
// the same "wizard_pick" as the buttons do: the field is filled and looked up.
"use strict";

function pickerCombobox(picker) {
  const input = picker.querySelector("input[type=search]");
  const form = picker.closest("form");
  if (!input || !form) return;
  const start = picker.dataset.picker;
  const listbox = document.createElement("ul");
  const status = document.createElement("span");
  const id = `${input.id}-list`;
  listbox.id = id;
  listbox.className = "picker-list";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", "Results");
  listbox.hidden = true;
  status.setAttribute("role", "status");
  status.className = "visually-hidden";
  (input.closest(".picker-search") || input).after(listbox);
  listbox.after(status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", id);

  let active = -1;
  let timer = null;
  let asked = 0;

  function options() {
    return [...listbox.querySelectorAll("[role=option]")];
  }

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function activate(index) {
    const all = options();
    if (!all.length) return;
    active = (index + all.length) % all.length;
    all.forEach((option, i) => option.setAttribute("aria-selected", String(i === active)));
    input.setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  }

  function option(text, detail, data) {
    const item = document.createElement("li");
    item.setAttribute("role", "option");
    item.setAttribute("aria-selected", "false");
    item.id = `${id}-${listbox.children.length}`;
    item.textContent = text;
    if (detail) {
      const small = document.createElement("small");
      small.textContent = ` ${detail}`;
      item.append(small);
    }
    Object.assign(item.dataset, data);
    item.addEventListener("mousedown", (event) => event.preventDefault());
    item.addEventListener("click", () => choose(item));
    return item;
  }

  async function show(params, append) {
    const ask = ++asked;
    // The card's AWS target (the studio lists in the account the card is published to).
    const scope = picker.dataset.card ? { ...params, card: picker.dataset.card } : params;
    const url = `${picker.dataset.url}?${new URLSearchParams(scope)}`;
    let answer;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      answer = await response.json();
    } catch {
      answer = { error: "SageMaker's list could not be loaded. Use the Search button." };
    }
    if (ask !== asked) return; // a newer question was asked meanwhile
    if (!append) listbox.replaceChildren();
    listbox.querySelector("[data-more]")?.remove();
    if (answer.error) {
      listbox.replaceChildren(option(answer.error, "", { none: "1" }));
    } else {
      for (const choice of answer.choices) {
        const label = choice.opens ? `${choice.label} …` : choice.label;
        listbox.append(
          option(label, choice.detail, choice.opens
            ? { opens: choice.opens, value: choice.value }
            : { pick: choice.pick, value: choice.value }),
        );
      }
      if (answer.next) {
        listbox.append(option("More…", "", {
          more: "1", kind: answer.kind, q: params.q || "", parent: answer.parent, next: answer.next,
        }));
      }
      if (!listbox.children.length) {
        listbox.append(option(answer.notes?.[0] || "Nothing found.", "", { none: "1" }));
      }
    }
    const count = options().filter((o) => o.dataset.pick || o.dataset.opens).length;
    const where = answer.parent ? ` in ${answer.parent}` : "";
    status.textContent = answer.error || `${count} ${answer.label || "results"}${where}.`;
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
    if (append) activate(active);
  }

  function choose(item) {
    if (item.dataset.none) return;
    if (item.dataset.more) {
      const { kind, q, parent, next } = item.dataset;
      show({ pick: kind, q, parent, next }, true);
      return;
    }
    if (item.dataset.opens) {
      show({ pick: item.dataset.opens, parent: item.dataset.value }, false);
      active = -1;
      return;
    }
    const target = document.getElementById(picker.dataset.target);
    if (target) target.value = item.dataset.value;
    const pick = document.createElement("input");
    pick.type = "hidden";
    pick.name = "wizard_pick";
    pick.value = item.dataset.pick;
    form.append(pick);
    close();
    form.requestSubmit();
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => show({ pick: start, q: input.value.trim() }, false), 250);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (listbox.hidden) {
        show({ pick: start, q: input.value.trim() }, false);
        return;
      }
      activate(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      // Enter here never means the step's Next.
      event.preventDefault();
      if (!listbox.hidden && active >= 0) choose(options()[active]);
      else show({ pick: start, q: input.value.trim() }, false);
    } else if (event.key === "Escape" && !listbox.hidden) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-picker]").forEach(pickerCombobox);
});
