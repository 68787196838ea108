/* Office head's dashboard: every queue and counter live, today's figures
   against the norms, alerts for queues over their norm and device faults. */
"use strict";

(() => {
  const { cfg, t, el, make, duration, minutes, setTime, localTime, api, connect } = Q;
  const L = cfg.labels;
  let snap = JSON.parse(el("initial-state").textContent);
  let seq = snap.seq;
  let receivedAt = performance.now();
  const faults = new Map();   // "device|component" -> fault
  let alertKeys = "";

  const since = () => (performance.now() - receivedAt) / 1000;
  const serviceName = (id) => (cfg.services[id] ? cfg.services[id].name : id);

  /* t() with DOM nodes for some parameters: "waited {time}" with a live badge in it */
  function tNode(msgid, params, nodes) {
    const frag = document.createDocumentFragment();
    const text = t(msgid, params);
    const parts = text.split(/(\{\w+\})/);
    for (const part of parts) {
      const m = /^\{(\w+)\}$/.exec(part);
      if (m && nodes[m[1]]) frag.append(nodes[m[1]]);
      else if (part) frag.append(part);
    }
    return frag;
  }

  function render(state, fresh) {
    if (!fresh && typeof state.seq === "number" && state.seq < seq) return;
    seq = state.seq;
    snap = state;
    receivedAt = performance.now();
    paintQueues();
    paintCounters();
    paintAlerts();
    scheduleToday();
    document.dispatchEvent(new CustomEvent("q:state"));  /* dashboard_appeals.js re-reads its lists */
  }

  function paintQueues() {
    const rows = el("dash-queue-rows");
    rows.replaceChildren();
    for (const q of snap.queues) {
      const tr = make("tr", { "data-queue": q.service_id });
      tr.append(make("td", {}, serviceName(q.service_id)), make("td", { class: "num" }, String(q.waiting)));
      const cell = make("td", { class: "nowrap" });
      if (q.waiting) {
        cell.append(make("span", { class: "badge", "data-oldest": q.service_id }), " ",
                    make("span", { class: "muted" }, t("norm {minutes} min", { minutes: minutes(q.wait_norm_s) })));
      } else {
        cell.append(make("span", { class: "muted" }, t("nobody waiting")));
      }
      tr.append(cell);
      rows.append(tr);
    }
  }

  function paintCounters() {
    const rows = el("dash-counter-rows");
    rows.replaceChildren();
    for (const c of snap.counters) {
      const tr = make("tr", { "data-counter": c.counter_id });
      let status = L.counter_status[c.status] || c.status;
      if (c.status === "paused" && c.pause_reason) status += ": " + (L.pause[c.pause_reason] || c.pause_reason);
      tr.append(make("td", { class: "nowrap" }, cfg.counters[c.counter_id] || c.counter_id),
                make("td", { class: "status-" + c.status }, status),
                make("td", {}, c.operator || t("—")));
      const cur = c.current;
      const who = make("td");
      const how = make("td", { class: "nowrap" });
      if (cur) {
        who.append(make("strong", {}, cur.number), " ", serviceName(cur.service_id),
                   make("span", { class: "muted" }, " (" + (L.state[cur.state] || cur.state) + ")"));
        how.append(make("span", { class: "badge", "data-serving": c.counter_id }), " ",
                   make("span", { class: "muted" }, t("norm {minutes} min", { minutes: minutes(cur.norm.service_s) })));
      } else {
        who.textContent = t("—");
        if (c.status === "paused" && c.since) how.append(make("span", { "data-paused": c.counter_id }));
      }
      tr.append(who, how);
      rows.append(tr);
    }
    tick();
  }

  function pausedFor(c) {
    return (Date.parse(snap.at) - Date.parse(c.since)) / 1000 + since();
  }

  function tick() {
    for (const q of snap.queues) {
      const badge = document.querySelector(`[data-oldest="${q.service_id}"]`);
      if (badge) setTime(badge, q.oldest_wait_s + since(), q.wait_norm_s);
    }
    for (const c of snap.counters) {
      const badge = document.querySelector(`[data-serving="${c.counter_id}"]`);
      if (badge && c.current) {
        const s = c.current.service_s === null ? null : c.current.service_s + since();
        setTime(badge, s, c.current.norm.service_s);
      }
      const paused = document.querySelector(`[data-paused="${c.counter_id}"]`);
      if (paused) paused.textContent = t("paused for {time}", { time: duration(pausedFor(c)) });
    }
    document.querySelectorAll("[data-alert-oldest]").forEach((node) => {
      const q = snap.queues.find((x) => x.service_id === node.dataset.alertOldest);
      if (q) node.textContent = duration(q.oldest_wait_s + since());
    });
  }

  function currentAlerts() {
    const list = [];
    for (const q of snap.queues) {
      if (q.waiting && q.oldest_wait_s + since() > q.wait_norm_s) list.push({ key: "q:" + q.service_id, queue: q });
    }
    for (const [key, f] of faults) list.push({ key: "d:" + key, fault: f });
    return list;
  }

  function paintAlerts() {
    const alerts = currentAlerts();
    const keys = alerts.map((a) => a.key).join(",");
    if (keys === alertKeys && el("alerts").childElementCount) return;
    alertKeys = keys;
    const ul = el("alerts");
    ul.replaceChildren();
    for (const a of alerts) {
      if (a.queue) {
        const q = a.queue;
        const time = make("span", { "data-alert-oldest": q.service_id }, duration(q.oldest_wait_s + since()));
        const li = make("li", { class: "alert-over", "data-alert": a.key });
        li.append(tNode("Queue “{service}”: the oldest visitor has waited {time}, the norm is {minutes} min.",
                        { service: serviceName(q.service_id), minutes: minutes(q.wait_norm_s) }, { time }));
        ul.append(li);
      } else {
        const f = a.fault;
        const li = make("li", { class: "alert-device", "data-alert": a.key },
          t("Device {device} ({component}): {message}", { device: f.device, component: f.component || f.kind || t("—"), message: f.message || t("—") }));
        if (f.at) li.append(" ", make("span", {}, t("since {time}", { time: localTime(f.at) })));
        ul.append(li);
      }
    }
    if (!alerts.length) ul.append(make("li", { class: "alert-none" }, t("No alerts.")));
  }

  /* ---- today's figures: fetched after changes (at most every 3 s), never on a timer ---- */
  let todayTimer = null;
  let todayPending = false;
  function scheduleToday() {
    if (todayTimer) { todayPending = true; return; }
    loadToday();
    todayTimer = setTimeout(() => {
      todayTimer = null;
      if (todayPending) { todayPending = false; scheduleToday(); }
    }, 3000);
  }

  async function loadToday() {
    const r = await api("GET", "/api/v1/dashboard/today");
    if (!r.ok) return;
    const d = r.data;
    el("today-date").textContent = d.date;
    const rows = el("today-rows");
    rows.replaceChildren();
    for (const role of d.roles) {
      const tr = make("tr", { "data-role": role.role });
      const wait = make("span", { class: "badge" });
      const serve = make("span", { class: "badge" });
      setTime(wait, role.wait_mean_s, role.wait_norm_s);
      setTime(serve, role.service_mean_s, role.service_norm_s);
      const waitCell = make("td", { class: "nowrap" });
      waitCell.append(wait, " ", make("span", { class: "muted" }, t("norm {minutes} min", { minutes: minutes(role.wait_norm_s) })));
      const serveCell = make("td", { class: "nowrap" });
      serveCell.append(serve, " ", make("span", { class: "muted" }, t("norm {minutes} min", { minutes: minutes(role.service_norm_s) })));
      tr.append(make("td", {}, (cfg.roles[role.role] || {}).name || role.role), make("td", { class: "num" }, String(role.called)),
                waitCell, make("td", { class: "num" }, String(role.served)), serveCell);
      rows.append(tr);
    }
    const v = d.visits;
    const visits = el("today-visits");
    visits.replaceChildren();
    if (v.total_mean_s === null) {
      visits.append(t("Visits today: {issued}, finished: {completed}.", v));
    } else {
      const badge = make("span", { class: "badge" });
      setTime(badge, v.total_mean_s, v.norm_s);
      visits.append(tNode("Visits today: {issued}, finished: {completed}, mean time in the office {time} (norm {minutes} min).",
                          { issued: v.issued, completed: v.completed, minutes: minutes(v.norm_s) }, { time: badge }));
    }
    faults.clear();
    for (const f of d.device_faults) faults.set(f.device + "|" + (f.component || ""), f);
    alertKeys = "";
    paintAlerts();
  }

  function onDevice(d) {
    const key = d.device + "|" + (d.component || "");
    if (d.type === "device.fault") faults.set(key, { device: d.device, component: d.component, kind: d.kind, message: d.message, at: d.at });
    else faults.delete(key);
    paintAlerts();
  }

  setInterval(() => { tick(); paintAlerts(); }, 1000);
  render(snap, true);
  connect({ snapshot: (s) => render(s, true), state: (s) => render(s), device: onDevice });
})();
