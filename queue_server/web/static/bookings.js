/* The bookings panel: today's bookings (refreshed every 20 s and after each action), check-in
   and cancel for a caller, and "book for a caller". Talks to /api/v1/bookings and /api/v1/slots
   with the page's session cookie and its CSRF token, as the console's actions do. */
(function () {
  "use strict";
  const node = document.getElementById("bookings-config");
  if (!node) return;
  const cfg = JSON.parse(node.textContent);
  const S = cfg.strings;
  const STATUS = { booked: "Booked", due: "Due", late: "Late", checked_in: "Checked in",
                   no_show: "No-show", cancelled: "Cancelled" };
  const $ = (id) => document.getElementById(id);

  function t(msgid, params) {
    let text = S[msgid] || msgid;
    if (params) text = text.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
    return text;
  }

  async function call(method, path, body) {
    const headers = { "Accept": "application/json", "Accept-Language": cfg.lang, "X-CSRF-Token": cfg.csrf };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let r;
    try {
      r = await fetch(path, { method, headers, credentials: "same-origin",
                              body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new Error(t("Could not reach the server: try again."));
    }
    if (r.status === 204) return null;
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(t("The server refused: {message}", { message: (data.error || {}).message || r.status }));
    return data;
  }

  function note(text) { $("bk-note").textContent = text || ""; }

  function cell(tr, text, cls) {
    const td = document.createElement("td");
    td.textContent = text == null ? "" : text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  function button(label, onclick) {
    const b = document.createElement("button");
    b.type = "button"; b.className = "btn"; b.textContent = label;
    b.addEventListener("click", onclick);
    return b;
  }

  function render(data) {
    const rows = $("bk-rows");
    rows.textContent = "";
    const list = data.bookings;
    $("bk-empty").hidden = list.length > 0;
    const counts = Object.entries(data.counts).map(([k, n]) => `${t(STATUS[k] || k)}: ${n}`);
    $("bk-counts").textContent = list.length ? `${t("{n} in all", { n: list.length })} · ${counts.join(" · ")}` : "";
    const launch = $("bk-launch-count");
    if (launch && day === cfg.today) {
      const soon = (data.counts.due || 0) + (data.counts.late || 0);
      launch.textContent = list.length ? `(${list.length}${soon ? " · " + t("Due") + ": " + soon : ""})` : "";
    }
    for (const b of list) {
      const tr = document.createElement("tr");
      tr.dataset.code = b.code;
      if (b.status === "cancelled") tr.className = "is-cancelled";
      cell(tr, b.time);
      cell(tr, b.code_spaced, "code");
      cell(tr, b.name);
      cell(tr, cfg.names[b.service_id] || b.service_id);
      const st = cell(tr, "");
      const tag = document.createElement("span");
      tag.className = "bk-status st-" + b.status;
      tag.textContent = t(STATUS[b.status] || b.status);
      st.appendChild(tag);
      cell(tr, b.number ? (b.number + (b.late ? " · " + t("walk-in (late)") : "")) : "");
      const actions = cell(tr, "", "actions");
      if (b.state === "booked" && b.today) {
        actions.appendChild(button(t("Check in"), () => checkIn(b.code)));
      }
      if (b.changeable) {
        const cancel = button(t("Cancel booking"), () => {
          if (cancel.dataset.sure) { cancelBooking(b.code); return; }
          cancel.dataset.sure = "1";
          cancel.textContent = t("Yes, cancel");
          cancel.setAttribute("aria-label", t("Cancel the booking?") + " " + b.code_spaced);
        });
        actions.appendChild(cancel);
      }
      rows.appendChild(tr);
    }
  }

  let day = cfg.today;
  async function load() {
    try {
      render(await call("GET", "/api/v1/bookings?date=" + encodeURIComponent(day)));
    } catch (e) {
      note(e.message);
    }
  }

  async function checkIn(code) {
    try {
      const ticket = await call("POST", `/api/v1/bookings/${code}/check-in`, {});
      note(t("Checked in: number {number}.", { number: ticket.number }));
    } catch (e) { note(e.message); }
    load();
  }

  async function cancelBooking(code) {
    try {
      await call("DELETE", `/api/v1/bookings/${code}`);
      note(t("Cancelled."));
    } catch (e) { note(e.message); }
    load();
  }

  $("bk-day").addEventListener("change", (ev) => { day = ev.target.value || cfg.today; load(); });
  const list = $("bk-list");
  if (list) {
    document.querySelector("[data-bk-show]").addEventListener("click", () => { list.showModal(); load(); });
    document.querySelector("[data-bk-list-close]").addEventListener("click", () => list.close());
  }
  $("bk-day-form").addEventListener("submit", (ev) => ev.preventDefault());

  const dialog = $("bk-dialog");
  if (dialog) {
    const form = $("bk-form");
    const times = $("bk-time");
    const error = $("bk-error");
    const done = $("bk-done");
    async function loadTimes() {
      times.textContent = "";
      const service = $("bk-service").value, date = $("bk-date").value;
      if (!service || !date) return;
      try {
        const data = await call("GET", `/api/v1/slots?service_id=${encodeURIComponent(service)}&date=${date}`);
        const free = data.slots.filter((s) => s.free > 0);
        for (const s of free) {
          const o = document.createElement("option");
          o.value = s.start; o.textContent = s.time;
          times.appendChild(o);
        }
        if (!free.length) {
          const o = document.createElement("option");
          o.value = ""; o.textContent = t("No free times that day."); times.appendChild(o);
        }
      } catch (e) { error.textContent = e.message; error.hidden = false; }
    }
    document.querySelector("[data-book-open]").addEventListener("click", () => {
      error.hidden = true; done.hidden = true;
      dialog.showModal();
      loadTimes();
      $("bk-service").focus();
    });
    document.querySelector("[data-bk-close]").addEventListener("click", () => dialog.close());
    $("bk-service").addEventListener("change", loadTimes);
    $("bk-date").addEventListener("change", loadTimes);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      error.hidden = true; done.hidden = true;
      if (!times.value) { error.textContent = t("Choose a time."); error.hidden = false; return; }
      const body = { service_id: $("bk-service").value, start: times.value, name: $("bk-name").value,
                     phone: $("bk-phone").value || null, email: $("bk-email").value || null, lang: cfg.lang };
      try {
        const b = await call("POST", "/api/v1/bookings", body);
        const when = new Date(b.start);
        done.textContent = t("Booked: {code} on {day} at {time}. Read the code to the caller.",
          { code: b.code_spaced, day: when.toLocaleDateString(cfg.lang, { day: "numeric", month: "long", timeZone: cfg.timezone }),
            time: b.time });
        done.hidden = false;
        $("bk-name").value = ""; $("bk-phone").value = ""; $("bk-email").value = "";
        loadTimes();
        load();
      } catch (e) { error.textContent = e.message; error.hidden = false; }
    });
  }

  load();
  setInterval(load, 20000);
}());
