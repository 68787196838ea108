/* /network: every office the account may see, one row each. */
"use strict";
(function () {
  var t = QC.t, el = QC.el;

  function alertText(a, office) {
    switch (a.code) {
      case "link_down": return t("Link lost since {time}", { time: QC.clock(a.since) });
      case "link_late": return t("Link late: last contact {time}", { time: QC.clock(a.since) });
      case "never_connected": return t("Never connected");
      case "diverged": return t("The journal differs from the centre's from line {seq}: resync needed", { seq: a.seq });
      case "over_norm": return t("{service}: waited {time}, norm {minutes} min",
        { service: (a.service && (a.service[QC.lang] || a.service.ru)) || a.service_id, time: QC.minutes(a.wait_s), minutes: Math.round(a.norm_s / 60) });
      case "device_fault": return t("Device {device} ({component}): {message}",
        { device: a.device, component: a.component || "—", message: a.message || "—" });
      default: return a.code;
    }
  }

  function row(o, now) {
    var link = el("td", {}, [
      el("span", { cls: "chip link-" + o.link, text: t(o.link === "never" ? "no data" : o.link) }),
      el("span", { cls: "muted small", text: " " + QC.ago(o.last_contact, now) })
    ]);
    var worst = o.worst_wait;
    var worstCell = worst
      ? el("td", {}, [el("span", { cls: "chip " + QC.level(worst.wait_s, worst.norm_s), text: QC.minutes(worst.wait_s) }),
                      el("span", { cls: "muted small", text: " " + t("norm {minutes} min", { minutes: Math.round(worst.norm_s / 60) }) })])
      : el("td", { cls: "muted", text: t("nobody waiting") });
    var counters = o.counters_total === 0 ? el("td", { cls: "muted", text: t("—") }) : el("td", {}, [
      t("{open} of {total}", { open: o.counters_open, total: o.counters_total }),
      o.counters_paused ? el("span", { cls: "muted small", text: " · " + t("paused: {n}", { n: o.counters_paused }) }) : null
    ]);
    var alerts = el("td", {}, o.alerts.length
      ? [el("ul", { cls: "cell-alerts" }, o.alerts.map(function (a) {
          return el("li", { cls: "alert-" + a.code, text: alertText(a, o) });
        }))]
      : [el("span", { cls: "muted", text: t("No alerts.") })]);
    var stale = o.link !== "up" && o.link !== "never"
      ? el("div", { cls: "muted small", text: t("as of {time}", { time: QC.clock(o.as_of) }) }) : null;
    return el("tr", { "data-office": String(o.id), cls: o.alerts.length ? "has-alerts" : "" }, [
      el("th", { scope: "row" }, [el("a", { href: "/network/offices/" + o.id, text: o.name })]),
      link,
      el("td", { cls: "num" }, [el("strong", { text: QC.numbers.format(o.waiting) }), stale]),
      worstCell, counters, alerts
    ]);
  }

  function render(data) {
    var offices = data.offices;
    QC.replace(document.getElementById("offices"), offices.map(function (o) { return row(o, data.at); }));
    var waiting = 0, down = 0, alerts = 0;
    offices.forEach(function (o) {
      waiting += o.waiting; alerts += o.alerts.length;
      if (o.link === "down" || o.link === "never") down += 1;
    });
    document.getElementById("summary").textContent = [
      t("Offices: {n}", { n: offices.length }), t("waiting: {n}", { n: QC.numbers.format(waiting) }),
      t("links down: {n}", { n: down }), t("alerts: {n}", { n: alerts })
    ].join(" · ");
  }

  QC.follow(render);
})();
