/* The dashboard's appeals: overdue ones and those due within `due_soon_days`, read from
   the registry's API when the hall's state changes (at most every 5 s) and every minute
   (a due date passes without any event). Codes, kinds and dates only: no names. */
"use strict";

(() => {
  const node = document.getElementById("appeal-config");
  if (!node || !document.getElementById("appeals-rows")) return;
  const A = JSON.parse(node.textContent);
  const { el, make, api } = Q;

  function w(msgid, params) {
    let text = (A.w && A.w[msgid]) || msgid;
    if (params) text = text.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
    return text;
  }
  const MAX_ROWS = 3;  /* the dashboard fits one screen: the rest is in the registry */
  const dueWords = (iso) => (A.lang === "en" ? iso : iso.split("-").reverse().join("."));

  function left(a) {
    if (a.overdue) return { text: w("Overdue by {days} d.", { days: Math.max(1, Math.ceil(-a.days_left)) }), cls: "appeal-overdue" };
    const days = Math.floor(a.days_left);
    return days < 1 ? { text: w("due today"), cls: "appeal-soon" } : { text: w("{days} d. left", { days }), cls: "appeal-soon" };
  }

  async function load() {
    const [over, soon] = await Promise.all([
      api("GET", "/api/v1/appeals?overdue=true"),
      api("GET", `/api/v1/appeals?due_within_days=${A.due_soon_days}`),
    ]);
    if (!over.ok || !soon.ok) return;
    const rows = el("appeals-rows");
    rows.replaceChildren();
    const list = [...over.data.appeals, ...soon.data.appeals];
    for (const a of list.slice(0, MAX_ROWS)) {
      const when = left(a);
      const tr = make("tr", { "data-appeal": a.code, class: when.cls });
      const link = make("a", { href: `/appeals#${a.code}` }, a.code.slice(0, 4) + "-" + a.code.slice(4));
      const code = make("td", { class: "nowrap" });
      code.append(link);
      const due = make("td", { class: "nowrap" }, dueWords(a.due_date) + " ");
      due.append(make("span", { class: "badge " + when.cls }, when.text));
      tr.append(code, make("td", {}, A.words.kind[a.kind] || a.kind), make("td", {}, A.words.topic[a.topic] || a.topic),
                due, make("td", {}, A.words.status[a.status] || a.status));
      rows.append(tr);
    }
    if (list.length > MAX_ROWS) {
      const more = make("td", { colspan: "5" });
      more.append(make("a", { href: "/appeals" }, w("And {n} more: the registry", { n: list.length - MAX_ROWS })));
      rows.append(make("tr", {})).append(more);
    }
    el("appeals-summary").textContent = list.length
      ? w("Appeals: {overdue} overdue, {soon} due within {days} days", { overdue: over.data.appeals.length, soon: soon.data.appeals.length, days: A.due_soon_days })
      : w("Nothing is due within {days} days; nothing overdue.", { days: A.due_soon_days });
    el("appeals-summary").className = "appeals-summary" + (over.data.appeals.length ? " has-overdue" : "");
  }

  let timer = null;
  let again = false;
  function schedule() {
    if (timer) { again = true; return; }
    load();
    timer = setTimeout(() => { timer = null; if (again) { again = false; schedule(); } }, 5000);
  }
  document.addEventListener("q:state", schedule);
  setInterval(schedule, 60000);
  schedule();
})();
