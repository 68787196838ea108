/* Operator console: one counter, its current visitor, its queues, the actions.
   The page shows only what the server says: an action is shown as done after
   the server answered it, and the picture comes from the server's state. */
"use strict";

(() => {
  const { cfg, t, el, make, minutes, setTime, say, sayOffline, clearMessage, api, connect } = Q;
  const me = cfg.counter_id;
  const L = cfg.labels;
  let snap = JSON.parse(el("initial-state").textContent);
  let seq = snap.seq;
  let receivedAt = performance.now();
  let busy = false;

  const buttons = {};
  document.querySelectorAll("[data-action]").forEach((b) => { buttons[b.dataset.action] = b; });

  const since = () => (performance.now() - receivedAt) / 1000;
  const mine = () => snap.counters.find((c) => c.counter_id === me);
  const serviceName = (id) => (cfg.services[id] ? cfg.services[id].name : id);

  function render(state, fresh) {
    if (!fresh && typeof state.seq === "number" && state.seq < seq) return;
    seq = state.seq;
    snap = state;
    receivedAt = performance.now();
    paint();
  }

  function reasonText(reason) {
    if (!reason) return t("—");
    const template = cfg.reasons[reason.code];
    if (!template) return reason.message || t("—");
    const params = Object.assign({}, reason.params);
    if (params.priority) params.priority = L.priority[params.priority] || params.priority;
    return t(template, params);
  }

  function paintCounter(c) {
    let status = L.counter_status[c.status] || c.status;
    if (c.status === "paused" && c.pause_reason) status += ": " + (L.pause[c.pause_reason] || c.pause_reason);
    el("counter-status").textContent = status;
    const alert = el("counter-alert");
    let text = "";
    if (c.status === "closed") text = t("{counter} is closed.", { counter: cfg.counters[me] });
    else if (c.operator && c.operator !== cfg.login && cfg.role === "operator") {
      text = t("{counter} is now taken by {operator}: log out.", { counter: cfg.counters[me], operator: c.operator });
    } else if (c.status === "paused") {
      text = t("On a pause: {reason}.", { reason: L.pause[c.pause_reason] || c.pause_reason || t("—") });
    }
    alert.textContent = text;
    alert.hidden = !text;
  }

  const noVisitorText = el("no-visitor").textContent;
  function paintVisitor(cur) {
    const c = mine();
    el("no-visitor").hidden = !!cur;
    /* on a pause the counter calls nobody: do not ask the clerk to call the next one */
    el("no-visitor").textContent = c && c.status === "paused"
      ? t("No visitor: the counter is on a pause. Resume work to call the next one.") : noVisitorText;
    el("visitor").hidden = !cur;
    if (!cur) return;
    el("v-number").textContent = cur.number;
    el("v-service").textContent = serviceName(cur.service_id);
    el("v-state").textContent = L.state[cur.state] || cur.state;
    const prio = el("v-priority");
    prio.hidden = !cur.priority;
    prio.textContent = cur.priority ? (L.priority[cur.priority] || cur.priority) : "";
    const recalls = el("v-recalls");
    recalls.hidden = !cur.recalls;
    recalls.textContent = t("Recalls: {n}", { n: cur.recalls });
    el("v-wait-norm").textContent = t("norm {minutes} min", { minutes: minutes(cur.norm.wait_s) });
    el("v-service-norm").textContent = t("norm {minutes} min", { minutes: minutes(cur.norm.service_s) });
    el("v-visit-norm").textContent = t("norm {minutes} min", { minutes: minutes(cfg.visit_norm_s) });
    el("v-reason").textContent = reasonText(cur.reason);
    const note = el("v-note");
    note.hidden = !cur.note;
    note.textContent = cur.note ? t("Note: {note}", { note: cur.note }) : "";
    const list = el("v-history-list");
    list.replaceChildren();
    for (const h of cur.history || []) {
      const where = h.counter_id
        ? t("{service}, {counter}", { service: serviceName(h.service_id), counter: cfg.counters[h.counter_id] || h.counter_id })
        : serviceName(h.service_id);
      const item = make("li", {}, where + " — " + (L.state[h.state] || h.state));
      if (h.note) item.append(make("div", { class: "muted" }, t("Note: {note}", { note: h.note })));
      list.append(item);
    }
    el("v-history").hidden = !(cur.history && cur.history.length);
    tickVisitor(cur);
  }

  function tickVisitor(cur) {
    const running = cur.state === "called" || cur.state === "serving";
    const extra = running ? since() : 0;
    setTime(el("v-wait"), cur.wait_s, cur.norm.wait_s);
    setTime(el("v-service-time"), cur.service_s === null ? null : cur.service_s + extra, cur.norm.service_s);
    setTime(el("v-visit"), cur.visit_s + extra, cfg.visit_norm_s);
  }

  function paintQueues(c) {
    const rows = el("queue-rows");
    rows.replaceChildren();
    for (const sid of c.services) {
      const q = snap.queues.find((x) => x.service_id === sid);
      if (!q) continue;
      const tr = make("tr", { "data-queue": sid });
      tr.append(make("td", {}, serviceName(sid)), make("td", { class: "num" }, String(q.waiting)));
      const cell = make("td", { class: "stack" });
      if (q.waiting) {
        const badge = make("span", { class: "badge", "data-oldest": sid });
        cell.append(badge, " ", make("span", { class: "muted" }, t("norm {minutes} min", { minutes: minutes(q.wait_norm_s) })));
      } else {
        cell.append(make("span", { class: "muted" }, t("nobody waiting")));
      }
      tr.append(cell);
      rows.append(tr);
    }
    tickQueues();
    document.querySelectorAll("[data-waiting-for]").forEach((node) => {
      const q = snap.queues.find((x) => x.service_id === node.dataset.waitingFor);
      node.textContent = q ? t("{n} waiting", { n: q.waiting }) : "";
    });
  }

  function tickQueues() {
    for (const q of snap.queues) {
      const badge = document.querySelector(`[data-oldest="${q.service_id}"]`);
      if (badge) setTime(badge, q.oldest_wait_s + since(), q.wait_norm_s);
    }
  }

  function paintButtons(c) {
    const cur = c.current;
    const open = c.status === "open";
    const called = !!cur && cur.state === "called";
    const active = !!cur && (cur.state === "called" || cur.state === "serving");
    const enabled = {
      next: open && !cur, recall: called, start: called, finish: active, transfer: active,
      "no-show": called, pause: open && !cur, resume: c.status === "paused",
    };
    for (const [name, b] of Object.entries(buttons)) b.disabled = !enabled[name];
    el("actions-h").parentElement.setAttribute("aria-busy", String(busy));
    buttons.pause.hidden = c.status === "paused";
    buttons.resume.hidden = c.status !== "paused";
  }

  function paint() {
    const c = mine();
    if (!c) return;
    paintCounter(c);
    paintVisitor(c.current);
    paintQueues(c);
    paintButtons(c);
  }

  setInterval(() => {
    const c = mine();
    if (c && c.current) tickVisitor(c.current);
    tickQueues();
  }, 1000);

  async function refresh() {
    const r = await api("GET", "/api/v1/state");
    if (r.ok) render(r.data);
  }

  /* One request at a time. An action asked for while another is on its way
     waits for it and is then checked against the new state; pressing the same
     action twice while it is on its way does it once. */
  let pending = null;
  let inflight = null;
  async function act(name, body) {
    while (pending) await pending.catch(() => null);
    inflight = name;
    pending = send(name, body);
    try { return await pending; } finally { pending = null; inflight = null; }
  }

  async function trigger(name) {
    if (name === inflight) return;
    while (pending) await pending.catch(() => null);
    if (!buttons[name].disabled) run[name]();
  }

  /* what the clerk is told once the server has done it: every action says so */
  function done(name, number, body, data) {
    const n = number || (data && data.number) || "";
    switch (name) {
      case "next": return data && data.number ? t("Called {number}.", { number: data.number }) : "";
      case "recall": return t("Called {number} again.", { number: n });
      case "start": return t("Serving {number}.", { number: n });
      case "finish": return t("{number}: service finished.", { number: n });
      case "transfer": return t("{number} sent to {service}.", { number: n, service: serviceName(body.service_id) });
      case "no-show": return t("{number}: marked as not come.", { number: n });
      case "pause": return t("On a pause: {reason}.", { reason: L.pause[body.reason] || body.reason });
      case "resume": return t("Back at work.");
      default: return "";
    }
  }

  async function send(name, body) {
    const before = (mine() || {}).current;
    busy = true;
    paint();
    const r = await api("POST", `/api/v1/counters/${encodeURIComponent(me)}/${name}`, body || {});
    busy = false;
    paint();
    if (!r.ok) {
      if (r.offline) sayOffline(r.message); else say(r.message, "error");
      return false;
    }
    const words = name === "next" && r.status === 204 ? t("Nobody is waiting for this counter's services.")
      : done(name, before && before.number, body || {}, r.data);
    if (words) say(words, "info"); else clearMessage();
    await refresh();
    return true;
  }

  /* ---- dialogs ---- */
  const finishDialog = el("finish-dialog");
  const transferDialog = el("transfer-dialog");
  const pauseDialog = el("pause-dialog");
  document.querySelectorAll("dialog [data-close]").forEach((b) => b.addEventListener("click", () => b.closest("dialog").close()));

  const pick = { outcome: "served", kind: null, topic: null };
  function press(attr, value) {
    finishDialog.querySelectorAll(`[data-${attr}]`).forEach((b) => b.setAttribute("aria-pressed", String(b.dataset[attr] === value)));
  }
  function openFinish() {
    pick.outcome = "served"; pick.kind = null; pick.topic = null;
    press("outcome", "served"); press("kind", null); press("topic", null);
    finishDialog.showModal();
    finishDialog.querySelector("[data-kind]").focus();
  }
  async function finishNow() {
    finishDialog.close();
    const body = { outcome: pick.outcome, kind: pick.kind, topic: pick.topic };
    if (window.QAppeals && QAppeals.beforeFinish(body, () => act("finish", body))) return;  /* appeals.js */
    await act("finish", body);
  }
  finishDialog.querySelectorAll("[data-outcome]").forEach((b) => b.addEventListener("click", () => {
    pick.outcome = b.dataset.outcome; press("outcome", pick.outcome);
  }));
  finishDialog.querySelectorAll("[data-kind]").forEach((b) => b.addEventListener("click", () => {
    pick.kind = b.dataset.kind; press("kind", pick.kind);
    if (pick.topic) finishNow(); else finishDialog.querySelector("[data-topic]").focus();
  }));
  finishDialog.querySelectorAll("[data-topic]").forEach((b) => b.addEventListener("click", () => {
    pick.topic = b.dataset.topic; press("topic", pick.topic);
    if (pick.kind) finishNow(); else finishDialog.querySelector("[data-kind]").focus();
  }));
  finishDialog.querySelector("[data-finish-now]").addEventListener("click", finishNow);

  function openTransfer() {
    const cur = (mine() || {}).current;
    let first = null;
    transferDialog.querySelectorAll("[data-service-option]").forEach((label) => {
      const input = label.querySelector("input");
      input.checked = false;
      label.hidden = !!cur && label.dataset.serviceOption === cur.service_id;
      if (!label.hidden && !first) first = input;
    });
    el("transfer-note").value = "";
    el("transfer-error").hidden = true;
    transferDialog.showModal();
    if (first) first.focus();
  }
  async function transferNow() {
    const chosen = transferDialog.querySelector("input[name=transfer-service]:checked");
    if (!chosen) {
      el("transfer-error").hidden = false;
      return;
    }
    const note = el("transfer-note").value.trim();
    transferDialog.close();
    await act("transfer", { service_id: chosen.value, note });
  }
  transferDialog.querySelector("[data-transfer-now]").addEventListener("click", transferNow);
  transferDialog.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.target.name === "transfer-service") { e.preventDefault(); transferNow(); }
  });

  pauseDialog.querySelectorAll("[data-pause]").forEach((b) => b.addEventListener("click", async () => {
    pauseDialog.close();
    await act("pause", { reason: b.dataset.pause });
  }));
  function openPause() {
    pauseDialog.showModal();
    pauseDialog.querySelector("[data-pause]").focus();
  }

  const run = {
    next: () => act("next"), recall: () => act("recall"), start: () => act("start"),
    finish: openFinish, transfer: openTransfer, "no-show": () => act("no-show"),
    pause: openPause, resume: () => act("resume"),
  };
  for (const [name, b] of Object.entries(buttons)) b.addEventListener("click", () => trigger(name));

  /* ---- keys: physical keys (KeyN…), so they work on a Russian layout too ---- */
  const KEYS = { KeyN: "next", KeyR: "recall", KeyS: "start", KeyF: "finish", KeyT: "transfer", KeyX: "no-show", KeyP: "pause" };
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.altKey || e.metaKey || e.repeat) return;
    if (document.querySelector("dialog[open]")) return;
    if (e.target.closest && e.target.closest("input, textarea, select")) return;
    let name = KEYS[e.code];
    if (!name) return;
    if (name === "pause" && !buttons.resume.hidden) name = "resume";
    e.preventDefault();
    trigger(name);
  });

  paint();
  connect({ snapshot: (s) => render(s, true), state: (s) => render(s) });
})();
