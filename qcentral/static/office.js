/* /network/offices/<id>: one office as its head's dashboard shows it, read from the centre. */
"use strict";
(function () {
  var t = QC.t, el = QC.el;

  function norm(seconds, normS) {
    if (seconds === null || seconds === undefined) return el("span", { cls: "muted", text: t("—") });
    return el("span", {}, [el("span", { cls: "chip " + QC.level(seconds, normS), text: QC.minutes(seconds) }),
      el("span", { cls: "muted small", text: " " + t("norm {minutes} min", { minutes: Math.round(normS / 60) }) })]);
  }

  function render(data) {
    var o = data.office, names = data.names || { services: {}, roles: {}, counters: {} };
    var tz = names.timezone;
    document.getElementById("link").textContent = [
      t(o.link === "never" ? "no data" : o.link) + " · " + QC.ago(o.last_contact, data.state ? data.state.at : o.as_of),
      t("as of {time}", { time: QC.clock(o.as_of, tz) }),
      data.unfolded_lines ? t("{n} lines not understood by the centre", { n: data.unfolded_lines }) : null
    ].filter(Boolean).join(" · ");
    var alerts = o.alerts.map(function (a) {
      var text = a.code === "device_fault"
        ? t("Device {device} ({component}): {message}", { device: a.device, component: a.component || "—", message: a.message || "—" })
        : a.code === "over_norm"
          ? t("{service}: waited {time}, norm {minutes} min", { service: name(names.services, a.service_id), time: QC.minutes(a.wait_s), minutes: Math.round(a.norm_s / 60) })
          : a.code === "link_down" ? t("Link lost since {time}", { time: QC.clock(a.since, tz) })
          : a.code === "link_late" ? t("Link late: last contact {time}", { time: QC.clock(a.since, tz) })
          : a.code === "diverged" ? t("The journal differs from the centre's from line {seq}: resync needed", { seq: a.seq })
          : a.code === "never_connected" ? t("Never connected") : a.code;
      return el("li", { cls: "alert-" + a.code, text: text });
    });
    QC.replace(document.getElementById("alerts"), alerts.length ? alerts : [el("li", { cls: "muted", text: t("No alerts.") })]);
    if (!data.state) return;
    QC.replace(document.getElementById("queues"), data.state.queues.map(function (q) {
      return el("tr", {}, [el("th", { scope: "row", text: name(names.services, q.service_id) }),
        el("td", { cls: "num", text: QC.numbers.format(q.waiting) }),
        el("td", {}, [q.waiting ? norm(q.oldest_wait_s, q.wait_norm_s) : el("span", { cls: "muted", text: t("nobody waiting") })])]);
    }));
    QC.replace(document.getElementById("counters"), data.state.counters.map(function (c) {
      var visitor = c.current ? c.current.number + " · " + t(c.current.state) : t("—");
      return el("tr", {}, [el("th", { scope: "row", text: c.name }),
        el("td", {}, [el("span", { cls: "chip status-" + c.status, text: t(c.status) })]),
        el("td", { text: c.operator || t("—") }), el("td", { text: visitor }),
        el("td", { text: c.since ? QC.clock(c.since, tz) : t("—") })]);
    }));
    var today = data.today;
    document.getElementById("today-date").textContent = today.date;
    QC.replace(document.getElementById("today"), today.roles.map(function (r) {
      return el("tr", {}, [el("th", { scope: "row", text: r.name[QC.lang] || r.name.ru }),
        el("td", { cls: "num", text: QC.numbers.format(r.called) }), el("td", {}, [norm(r.wait_mean_s, r.wait_norm_s)]),
        el("td", { cls: "num", text: QC.numbers.format(r.served) }), el("td", {}, [norm(r.service_mean_s, r.service_norm_s)])]);
    }));
    var v = today.visits;
    document.getElementById("visits").textContent = t("Visits today: {issued}, finished: {completed}, mean time in the office {time} (norm {minutes} min).",
      { issued: v.issued, completed: v.completed, time: QC.minutes(v.total_mean_s), minutes: Math.round(v.norm_s / 60) });
  }

  function name(table, id) {
    var entry = table[id];
    return entry ? (entry[QC.lang] || entry.ru || id) : id;
  }

  QC.follow(render);
})();
