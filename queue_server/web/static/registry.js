/* The appeals registry page: the list by due date (head, admin), one appeal's record and
   history, and the head's actions — extend with a reason, decide with the answer, the
   customer's word on the decision. Every change is the server's: the page re-reads the
   appeal after each answer. */
"use strict";

(() => {
  const { el, make, api } = Q;
  const { w, A, dueWords } = QAppeals;
  const heads = A.role === "head" || A.role === "admin";
  let filter = "open";
  let current = null;

  const spaced = (code) => code.slice(0, 4) + "-" + code.slice(4);
  const localTime = (iso) => new Date(iso).toLocaleString(A.lang === "en" ? "en-GB" : "ru-RU",
    { timeZone: A.timezone, day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit" });

  async function loadList() {
    if (!heads) return;
    const query = filter === "overdue" ? "overdue=true" : filter === "soon" ? `due_within_days=${A.due_soon_days}`
      : `status=${encodeURIComponent(filter)}`;
    const r = await api("GET", `/api/v1/appeals?${query}`);
    if (!r.ok) return;
    const rows = el("reg-rows");
    rows.replaceChildren();
    for (const a of r.data.appeals) {
      const tr = make("tr", { "data-appeal": a.code, class: a.overdue ? "appeal-overdue" : "" });
      const link = make("a", { href: "#" + a.code }, spaced(a.code));
      const code = make("td", { class: "nowrap" });
      code.append(link);
      const due = make("td", { class: "nowrap" }, dueWords(a.due_date));
      if (a.overdue) due.append(" ", make("span", { class: "badge appeal-overdue" }, w("Overdue by {days} d.", { days: Math.max(1, Math.ceil(-a.days_left)) })));
      tr.append(code, make("td", {}, A.words.kind[a.kind]), make("td", {}, A.words.topic[a.topic]),
                due, make("td", {}, A.words.status[a.status]));
      rows.append(tr);
    }
    if (!r.data.appeals.length) rows.append(make("tr", {}, "")).append(make("td", { colspan: "5", class: "muted" }, w("No appeals here.")));
  }

  function fact(dl, label, value) {
    if (value === null || value === undefined || value === "") return;
    dl.append(make("dt", {}, label), make("dd", {}, String(value)));
  }

  function historyLine(h) {
    const when = localTime(h.at);
    const by = h.by ? " · " + w("by {who}", { who: h.by }) : "";
    const what = {
      "appeal.registered": w("Registered") + (h.by ? "" : " · " + w("the visitor, from a rating")),
      "appeal.extended": `${w("Extended")}: +${h.days} → ${h.due_date ? dueWords(h.due_date) : ""}. ${h.reason || ""}`,
      "appeal.decided": `${w("Decided")}: ${A.words.decision[h.decision] || h.decision}`,
      "appeal.closed": `${w("Customer's answer")}: ${h.accepted ? w("accepted") : w("not accepted")}`,
      "appeal.slip_printed": `${w("Slip")}: ${h.ok ? w("sent") : w("not sent") + " (" + (h.error || "") + ")"}`,
      "message.sent": `${w("E-mail")}: ${w("sent")}`,
      "message.failed": `${w("E-mail")}: ${w("not sent")} (${h.error || ""})`,
    }[h.type] || h.type;
    return `${when} — ${what}${by}`;
  }

  async function show(code) {
    const r = await api("GET", `/api/v1/appeals/${encodeURIComponent(code)}`);
    const error = el("find-error");
    if (!r.ok) { error.textContent = r.message; error.hidden = false; return; }
    error.hidden = true;
    const a = r.data;
    current = a.code;
    el("detail").hidden = false;
    el("d-code").textContent = spaced(a.code);
    const status = el("d-status");
    status.textContent = A.words.status[a.status];
    status.className = "badge " + (a.overdue ? "appeal-overdue" : "status-" + a.status);
    const dl = el("d-facts");
    dl.replaceChildren();
    fact(dl, A.labels.kind, A.words.kind[a.kind]);
    fact(dl, A.labels.topic, A.words.topic[a.topic]);
    fact(dl, A.labels.channel, A.words.channel[a.channel]);
    fact(dl, A.labels.service, A.services[a.service_id]);
    fact(dl, A.labels.registered, localTime(a.registered_at));
    fact(dl, A.labels.due, dueWords(a.due_date) + (a.extended_days ? ` (+${a.extended_days})` : ""));
    fact(dl, A.labels.contract, a.contract);
    fact(dl, A.labels.contact, ["name", "email", "phone", "address"].map((k) => a.contact[k]).filter(Boolean).join(", "));
    fact(dl, A.labels.text, a.text);
    fact(dl, A.labels.requested, a.requested_action);
    fact(dl, A.labels.measures, a.immediate_measures);
    fact(dl, A.labels.decision, a.decision ? A.words.decision[a.decision] : null);
    fact(dl, A.labels.answer, a.answer);
    fact(dl, A.labels.repeat_of, a.repeat_of ? spaced(a.repeat_of) : null);
    fact(dl, A.labels.missing, (a.missing || []).map((m) => A.labels["missing_" + m] || m).join(", "));
    const list = el("d-history");
    list.replaceChildren(...a.history.map((h) => make("li", {}, historyLine(h))));
    el("d-slip").href = `/appeals/${a.code}/slip`;
    el("d-letter-ack").href = `/appeals/${a.code}/letter?about=ack`;
    el("d-letter-ext").href = `/appeals/${a.code}/letter?about=extension`;
    el("d-letter-answer").href = `/appeals/${a.code}/letter?about=answer`;
    document.querySelectorAll(".act-form").forEach((f) => { f.hidden = !f.dataset.when.split(" ").includes(a.status); });
    if (location.hash !== "#" + a.code) history.replaceState(null, "", "#" + a.code);
  }

  async function act(path, body) {
    const error = el("act-error");
    error.hidden = true;
    const r = await api("POST", `/api/v1/appeals/${current}/${path}`, body);
    if (!r.ok) { error.textContent = r.message; error.hidden = false; return false; }
    await show(current);
    await loadList();
    return true;
  }

  if (heads) {
    document.querySelectorAll("[data-filter]").forEach((b) => b.addEventListener("click", () => {
      filter = b.dataset.filter;
      document.querySelectorAll("[data-filter]").forEach((x) => x.setAttribute("aria-pressed", String(x === b)));
      loadList();
    }));
    el("reg-rows").addEventListener("click", (ev) => {
      const row = ev.target.closest("[data-appeal]");
      if (!row) return;
      ev.preventDefault();
      show(row.dataset.appeal);
    });
    el("extend-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const f = ev.target;
      if (await act("extend", { days: Number(f.days.value), reason: f.reason.value.trim() })) f.reason.value = "";
    });
    el("decide-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const f = ev.target;
      const decision = (f.querySelector("input[name=decision]:checked") || {}).value;
      if (await act("decide", { decision, answer: f.answer.value.trim() })) f.reset();
    });
    document.querySelectorAll("[data-accepted]").forEach((b) => b.addEventListener("click", () => act("close", { accepted: b.dataset.accepted === "true" })));
  }
  el("find-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const code = ev.target.code.value.trim();
    if (code) show(code);
  });
  document.querySelectorAll("form[data-appeal-form] [data-close]").forEach((b) => b.addEventListener("click", () => {
    QAppeals.reset(b.closest("form"), { channel: "phone" });
  }));
  document.addEventListener("q:appeals", () => {
    const form = document.querySelector("#new-appeal form");
    if (form && form.dataset.code) show(form.dataset.code);
    loadList();
  });
  loadList();
  if (location.hash.length > 1) show(location.hash.slice(1));
  setInterval(loadList, 60000);
})();
