// Zhifa pages: small progressive enhancements (no inline scripts: the CSP allows only this file).
"use strict";

function csrfToken() {
  const headers = document.body.getAttribute("hx-headers");
  try { return JSON.parse(headers)["X-CSRFToken"]; } catch (e) { return ""; }
}

// Move focus to the error summary (or the sign-in error) so screen readers announce it.
function focusFirstAlert(root) {
  const target = (root || document).querySelector("[data-autofocus]");
  if (target) { target.focus(); }
}

// Repeatable groups: add a row from the <template>, remove a row, keep numbering readable.
function renumber(container) {
  container.querySelectorAll(":scope > [data-zf-row]").forEach((row, index) => {
    const number = row.querySelector("[data-zf-row-number]");
    if (number) { number.textContent = String(index + 1); }
  });
}

function nextIndex(container, path) {
  let max = -1;
  container.querySelectorAll("input[name$='._row']").forEach((input) => {
    const match = input.name.slice(path.length).match(/^\[(\d+)\]\._row$/);
    if (match) { max = Math.max(max, Number(match[1])); }
  });
  return max + 1;
}

function addRow(button) {
  const path = button.getAttribute("data-zf-add-row");
  const group = button.closest("fieldset");
  const container = group.querySelector("[data-zf-rows='" + CSS.escape(path) + "']");
  const template = group.querySelector("template[data-zf-row-template='" + CSS.escape(path) + "']");
  const max = Number(container.getAttribute("data-zf-max") || "1000");
  if (container.querySelectorAll(":scope > [data-zf-row]").length >= max) { return; }
  const index = nextIndex(container, path);
  const html = template.innerHTML.split(path + "[__i__]").join(path + "[" + index + "]")
    .split(idOf(path) + "-__i__").join(idOf(path) + "-" + index);
  container.insertAdjacentHTML("beforeend", html);
  renumber(container);
  const rows = container.querySelectorAll(":scope > [data-zf-row]");
  const first = rows[rows.length - 1].querySelector("input:not([type=hidden]), select, textarea");
  if (first) { first.focus(); }
  saveDraftSoon(button.closest("form"));
}

function idOf(path) {
  return "f-" + path.split("[").join("-").split("]").join("").split(".").join("-");
}

function removeRow(button) {
  const row = button.closest("[data-zf-row]");
  const container = row.parentElement;
  row.remove();
  renumber(container);
  const add = container.parentElement.querySelector("[data-zf-add-row]");
  if (add) { add.focus(); }
  saveDraftSoon(container.closest("form"));
}

// Evidence upload: each chosen file goes to the task's upload URL; the answer is a list item
// holding the hidden input with the attachment id, a thumbnail and the SHA-256.
async function upload(input) {
  const list = document.getElementById(input.getAttribute("data-zf-list"));
  const error = input.parentElement.querySelector(".zf-upload-error");
  error.textContent = "";
  for (const file of Array.from(input.files)) {
    const body = new FormData();
    body.append("file", file);
    body.append("field", input.getAttribute("data-zf-field"));
    const response = await fetch(input.getAttribute("data-zf-upload"), {
      method: "POST", body: body, headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      credentials: "same-origin",
    });
    const html = await response.text();
    if (response.ok) {
      list.insertAdjacentHTML("beforeend", html);
    } else {
      const holder = document.createElement("div");
      holder.innerHTML = html;
      error.textContent = file.name + "：" + (holder.textContent || response.statusText).trim();
    }
  }
  input.value = "";
  saveDraftSoon(input.closest("form"));
}

// Drafts: the form is saved a moment after typing stops, and survives a reload.
const draftTimers = new WeakMap();
function saveDraftSoon(form) {
  if (!form || !form.hasAttribute("data-zf-draft")) { return; }
  clearTimeout(draftTimers.get(form));
  draftTimers.set(form, setTimeout(() => saveDraft(form), 600));
}

async function saveDraft(form) {
  const status = form.querySelector("[data-zf-draft-status]");
  const body = new URLSearchParams(new FormData(form));
  const response = await fetch(form.getAttribute("data-zf-draft"), {
    method: "POST", body: body, headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
    credentials: "same-origin",
  });
  if (status) {
    status.textContent = response.ok ? status.getAttribute("data-saved") : status.getAttribute("data-failed");
    status.setAttribute("data-state", response.ok ? "saved" : "failed");
  }
}

document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-zf-add-row], [data-zf-remove-row], [data-zf-remove-file]");
  if (!target) { return; }
  if (target.hasAttribute("data-zf-add-row")) { addRow(target); }
  else if (target.hasAttribute("data-zf-remove-row")) { removeRow(target); }
  else {
    const form = target.closest("form");
    target.closest("li").remove();
    saveDraftSoon(form);
  }
});

document.addEventListener("change", (event) => {
  const input = event.target;
  if (input.matches && input.matches("input[type=file][data-zf-upload]")) { upload(input); return; }
  if (input.form) { saveDraftSoon(input.form); }
});

document.addEventListener("input", (event) => {
  if (event.target.form) { saveDraftSoon(event.target.form); }
});

// Auto-submitting filter selects (a submit button stays for keyboard and no-JS users).
document.addEventListener("change", (event) => {
  const form = event.target.closest && event.target.closest("form[data-zf-autosubmit]");
  if (form && event.target.matches("select, input[type=checkbox], input[type=radio], input[type=date]")) {
    form.requestSubmit();
  }
});

document.addEventListener("DOMContentLoaded", () => focusFirstAlert(document));
