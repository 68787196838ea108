/* Office head's dashboard: every queue and counter live, today's figures
   against the norms, alerts for queues over their norm, device faults, devices gone silent
   and kiosk printers faulty for long. */
"use strict";

(() => {
  const { cfg, t, el, make, duration, minutes, setTime, localTime, api, connect } = Q;
  const L = cfg.labels;
  let snap = JSON.parse(el("initial-state").textContent);
  let seq = snap.seq;
  let receivedAt = performance.now();
  const faults = new Map();   // "device|component" -> fault
  const down = new Map();     // device -> {device, kind, since}: silent devices (device watch)
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
    for (const [name, d] of down) list.push({ key: "down:" + name, down: d });
    for (const [key, f] of faults) {
      const long = printerLong(f);
      list.push({ key: "d:" + key + (long ? ":long" : ""), fault: f, long });
    }
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
      } else if (a.down) {
        const d = a.down;
        const li = make("li", { class: "alert-over alert-device-down", "data-alert": a.key },
          t("Device {device} ({kind}) is not responding", { device: d.device, kind: L.device_kind[d.kind] || d.kind || t("—") }));
        li.append(" ", make("span", {}, t("since {time}", { time: when(d.since) })));
        ul.append(li);
      } else if (a.long) {
        const f = a.fault;
        const li = make("li", { class: "alert-over alert-printer-long", "data-alert": a.key },
          t("Kiosk {device}: the printer has not worked for {minutes} min: {message}",
            { device: f.device, minutes: Math.floor(faultFor(f) / 60), message: f.message || t("—") }));
        li.append(" ", make("span", {}, t("since {time}", { time: when(f.at) })));
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

  /* a kiosk's printer faulty for longer than devices.printer_fault_alert_s is an alert of its own */
  function printerLong(f) {
    return f.component === "printer" && f.at && cfg.printer_fault_alert_s > 0 && faultFor(f) > cfg.printer_fault_alert_s;
  }

  /* seconds since `f.at` by the server's clock (the last state's time, ticking here since) */
  function faultFor(f) { return (Date.parse(snap.at) - Date.parse(f.at)) / 1000 + since(); }

  /* "10:32" today, "19.11 18:05" on an earlier day */
  function when(iso) {
    const day = (d) => d.toLocaleDateString("en-CA", { timeZone: cfg.timezone });
    if (day(new Date(iso)) === day(new Date(Date.parse(snap.at) + since() * 1000))) return localTime(iso);
    const date = new Date(iso).toLocaleDateString(cfg.lang === "en" ? "en-GB" : "ru-RU",
                                                   { day: "2-digit", month: "2-digit", timeZone: cfg.timezone });
    return date + " " + localTime(iso);
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
    down.clear();
    for (const x of d.devices_down || []) down.set(x.device, x);
    alertKeys = "";
    paintAlerts();
  }

  function onDevice(d) {
    const key = d.device + "|" + (d.component || "");
    if (d.type === "device.fault") faults.set(key, { device: d.device, component: d.component, kind: d.kind, message: d.message, at: d.at });
    else if (d.type === "device.ok") faults.delete(key);
    else if (d.type === "device.down") down.set(d.device, { device: d.device, kind: d.kind, since: d.since });
    else {  /* back, or added again or revoked by the administrator: its alerts go */
      down.delete(d.device);
      if (d.type !== "device.up") for (const k of [...faults.keys()]) if (k.startsWith(d.device + "|")) faults.delete(k);
    }
    paintAlerts();
  }

  setInterval(() => { tick(); paintAlerts(); }, 1000);
  render(snap, true);
  connect({ snapshot: (s) => render(s, true), state: (s) => render(s), device: onDevice });
})();
