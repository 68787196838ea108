/* Registering an appeal (GOST R 53368 §7.2–7.3): the form on the registry page and the
   console's dialog. At the console an appeal takes two touches more than finishing:
   "Register an appeal" in the finish dialog, then "Register and finish" once the
   customer's words are typed; the slip prints on the counter's printer, or its page
   opens for the office printer. Words come from the "appeals" catalog (#appeal-config). */
"use strict";

const QAppeals = (() => {
  const node = document.getElementById("appeal-config");
  const A = node ? JSON.parse(node.textContent) : { w: {}, words: {} };
  const { el, make, api, say } = Q;

  function w(msgid, params) {
    let text = (A.w && A.w[msgid]) || msgid;
    if (params) text = text.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
    return text;
  }

  function dueWords(iso) {
    const [y, m, d] = iso.split("-");
    return A.lang === "en" ? iso : `${d}.${m}.${y}`;
  }

  /* the chips are data-a-kind / data-a-topic: the finish dialog's own are data-kind / data-topic */
  const KEY = { kind: "aKind", topic: "aTopic" };
  function press(form, group, value) {
    form.querySelectorAll(`[data-a-${group}]`).forEach((b) => b.setAttribute("aria-pressed", String(b.dataset[KEY[group]] === value)));
  }
  function picked(form, group) {
    const b = form.querySelector(`[data-a-${group}][aria-pressed="true"]`);
    return b ? b.dataset[KEY[group]] : null;
  }

  /* One form: chips, fields, submit; `onDone(result, form)` after a registration. */
  function bind(form, onDone) {
    form.querySelectorAll("[data-a-kind]").forEach((b) => b.addEventListener("click", () => press(form, "kind", b.dataset.aKind)));
    form.querySelectorAll("[data-a-topic]").forEach((b) => b.addEventListener("click", () => press(form, "topic", b.dataset.aTopic)));
    let mode = "register";
    form.querySelectorAll("[data-submit]").forEach((b) => b.addEventListener("click", () => { mode = b.dataset.submit; }));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const error = form.querySelector("[data-form-error]");
      error.hidden = true;
      const body = collect(form);
      if (!body.kind || !body.topic) return fail(error, w("Choose the kind and the topic."));
      if (!body.text) return fail(error, w("Write what the customer asks or complains about."));
      const buttons = form.querySelectorAll("[data-submit]");
      buttons.forEach((b) => { b.disabled = true; });
      const r = await api("POST", "/api/v1/appeals", body);
      buttons.forEach((b) => { b.disabled = false; });
      if (!r.ok) return fail(error, r.message);
      await done(form, r.data);
      if (onDone) await onDone(r.data, form, mode);
    });
  }

  function fail(node, text) {
    node.textContent = text;
    node.hidden = false;
    return false;
  }

  function collect(form) {
    const f = new FormData(form);
    const text = (name) => (f.get(name) || "").toString().trim() || null;
    const contact = {};
    for (const k of ["name", "email", "phone", "address"]) if (text(k)) contact[k] = text(k);
    const body = {
      kind: picked(form, "kind"), topic: picked(form, "topic"), channel: text("channel") || "in_person",
      text: text("text"), requested_action: text("requested_action"), immediate_measures: text("immediate_measures"),
      service_id: text("service_id"), contract: text("contract"), visit_id: text("visit_id"),
      contact: Object.keys(contact).length ? contact : null,
    };
    if (A.counter_id && body.channel === "in_person") body.counter_id = A.counter_id;
    return body;
  }

  /* Show the code and the answer date; print the slip at this counter (or say why not). */
  async function done(form, result) {
    const box = form.querySelector("[data-done]");
    const spaced = result.code.slice(0, 4) + "-" + result.code.slice(4);
    box.querySelector("[data-done-code]").textContent = spaced;
    const due = result.due_at ? dueWords(new Date(result.due_at).toLocaleDateString("sv-SE", { timeZone: A.timezone })) : "";
    let text = w("Registered: {code}. Answer due by {due}.", { code: spaced, due });
    box.querySelector("[data-done-slip]").href = `/appeals/${result.code}/slip?print=1`;
    box.querySelector("[data-done-status]").href = result.status_url;
    box.hidden = false;
    if (A.counter_id && (A.printers || []).includes(A.counter_id)) {
      const p = await api("POST", `/api/v1/appeals/${result.code}/slip`, { counter_id: A.counter_id });
      text += " " + (p.ok ? w("The slip is printed at the counter.") : w("The slip did not print: {message}", { message: p.message }));
    }
    box.querySelector("[data-done-text]").textContent = text;
    form.dataset.code = result.code;
    form.classList.add("is-done");
    form.querySelectorAll("[data-submit]").forEach((b) => { b.hidden = true; });
  }

  function reset(form, preset) {
    form.reset();
    delete form.dataset.code;
    form.classList.remove("is-done");
    press(form, "kind", (preset && preset.kind) || null);
    press(form, "topic", (preset && preset.topic) || null);
    form.querySelector("[data-done]").hidden = true;
    form.querySelector("[data-form-error]").hidden = true;
    form.querySelectorAll("[data-submit]").forEach((b) => { b.hidden = false; });
    if (preset) {
      if (preset.visit_id) form.elements.visit_id.value = preset.visit_id;
      if (preset.service_id) form.elements.service_id.value = preset.service_id;
      if (preset.channel) form.elements.channel.value = preset.channel;
    }
  }

  /* ---- the console: a dialog from the finish dialog, or from its own button (A) ---- */
  const dialog = el("appeal-dialog");
  let pendingFinish = null;
  const FINISH_KINDS = { complaint: "complaint", application: "application", consultation: "question" };

  async function currentVisit() {
    const r = await api("GET", "/api/v1/state");
    if (!r.ok) return null;
    const c = (r.data.counters || []).find((x) => x.counter_id === A.counter_id);
    return c && c.current ? c.current : null;
  }

  async function open(preset, finish) {
    pendingFinish = finish || null;
    const cur = await currentVisit();
    const form = dialog.querySelector("form");
    reset(form, Object.assign({ channel: "in_person" }, cur ? { visit_id: cur.visit_id, service_id: cur.service_id } : {}, preset || {}));
    const finishButton = form.querySelector('[data-submit="finish"]');
    if (finishButton) finishButton.hidden = !pendingFinish;
    form.querySelector('[data-submit="register"]').hidden = !!pendingFinish;
    dialog.showModal();
    (form.querySelector("textarea[name=text]")).focus();
  }

  if (dialog) {
    const form = dialog.querySelector("form");
    bind(form, async (result, f, mode) => {
      if (mode === "finish" && pendingFinish) {
        const finish = pendingFinish;
        pendingFinish = null;
        await finish();
      }
    });
    dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());
    /* "Register an appeal" in the finish dialog: the first touch */
    const finishDialog = el("finish-dialog");
    if (finishDialog) {
      const actions = finishDialog.querySelector(".dialog-actions");
      const toggle = make("button", { type: "button", class: "btn chip appeal-toggle", "aria-pressed": "false", "data-appeal-toggle": "" },
                          w("Register an appeal"));
      toggle.addEventListener("click", () => toggle.setAttribute("aria-pressed", String(toggle.getAttribute("aria-pressed") !== "true")));
      finishDialog.querySelector("fieldset").before(toggle);
      finishDialog.addEventListener("close", () => toggle.setAttribute("aria-pressed", "false"));
      if (actions) actions.dataset.appeals = "on";
    }
    /* its own button, beside the queues: an appeal without finishing (a caller, a letter) */
    const aside = document.querySelector(".console .queues");
    if (aside) {
      const b = make("button", { type: "button", class: "btn btn-wide", "data-appeal-open": "", "aria-keyshortcuts": "A", "aria-haspopup": "dialog" }, w("Appeal…"));
      b.append(make("kbd", {}, "A"));
      b.addEventListener("click", () => open(null, null));
      aside.append(b);
    }
    document.addEventListener("keydown", (ev) => {
      if (ev.key.toLowerCase() !== "a" || ev.ctrlKey || ev.altKey || ev.metaKey) return;
      if (document.querySelector("dialog[open]") || /^(INPUT|TEXTAREA|SELECT)$/.test((ev.target || {}).tagName || "")) return;
      ev.preventDefault();
      open(null, null);
    });
  }

  /* console.js asks before finishing: with the toggle pressed, the appeal comes first */
  function beforeFinish(pick, finish) {
    const toggle = document.querySelector("[data-appeal-toggle]");
    if (!dialog || !toggle || toggle.getAttribute("aria-pressed") !== "true") return false;
    open({ kind: FINISH_KINDS[pick.kind] || null, topic: pick.topic || null }, finish);
    return true;
  }

  /* the registry page's form */
  document.querySelectorAll("form[data-appeal-form]").forEach((form) => {
    if (!dialog || !dialog.contains(form)) bind(form, async () => { document.dispatchEvent(new CustomEvent("q:appeals")); });
  });

  return { w, A, beforeFinish, open, reset, dueWords };
})();
window.QAppeals = QAppeals;
