// Adds "Add row" to Django formsets: clones the empty form and bumps TOTAL_FORMS.
// Without JavaScript every formset still shows one blank row, and saving adds another.
document.addEventListener("DOMContentLoaded", () => {
  for (const fieldset of document.querySelectorAll("[data-formset]")) {
    const prefix = fieldset.dataset.formset;
    const total = fieldset.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
    const template = fieldset.querySelector("template[data-formset-empty]");
    const rows = fieldset.querySelector("[data-formset-rows]");
    const button = fieldset.querySelector("[data-formset-add]");
    if (!total || !template || !rows || !button) continue;
    button.hidden = false;
    button.addEventListener("click", () => {
      const index = Number(total.value);
      const html = template.innerHTML.replaceAll("__prefix__", String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      const first = rows.lastElementChild.querySelector("input, select, textarea");
      if (first) first.focus();
    });
  }
});
