// The visitor's tracking page: render one ticket, follow it live over Socket.IO.
// The socket joins only this ticket's room (auth: {visit}); a slow poll of the
// public JSON covers networks that block WebSockets and long polling alike.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("track-data").textContent);
  var s = data.strings, services = data.services, counters = data.counters || {}, lang = data.lang;
  var visitId = data.view.visit_id;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }
  function text(id, value) {
    var el = document.getElementById(id);
    el.textContent = value || "";
    el.hidden = !value;
    return el;
  }
  function clock() {
    var d = new Date();
    return d.toLocaleTimeString(lang === "ru" ? "ru-RU" : "en-GB", {hour: "2-digit", minute: "2-digit", second: "2-digit"});
  }

  function render(view) {
    if (!view || view.visit_id !== visitId) return;
    var status = document.getElementById("status");
    status.className = "status";
    if (!view.known) {
      text("ahead", ""); text("wait", "");
      text("status", s.unknown).className = "status alert";
      return;
    }
    text("number", view.number);
    if (services[view.service_id]) text("service", services[view.service_id]);
    var counter = {counter: counters[view.counter_id] || view.counter_id || ""};  // "Касса 4", not "окно 4"
    if (view.state === "queued") {
      text("ahead", view.ahead > 0 ? fill(s.ahead, {n: view.ahead}) : s.nobody_ahead);
      var minutes = Math.max(1, Math.ceil((view.estimated_wait_s || 0) / 60));
      text("wait", view.ahead > 0 && view.estimated_wait_s > 0 ? fill(s.wait, {minutes: minutes}) : s.wait_soon);
      text("status", "");
    } else {
      text("ahead", ""); text("wait", "");
      var words = {called: fill(s.called, counter), serving: fill(s.serving, counter),
                   finished: s.finished, no_show: s.no_show, cancelled: s.cancelled,
                   transferred: s.transferred}[view.state] || "";
      text("status", words).className = "status" + (view.state === "called" || view.state === "no_show"
        ? " alert" : view.state === "finished" ? " done" : "");
    }
    document.getElementById("updated").textContent = fill(s.updated, {time: clock()});
  }

  function online(on) {
    document.getElementById("dot").className = on ? "dot" : "dot off";
    document.getElementById("conn").textContent = on ? s.live : s.offline;
  }

  render(data.view);
  window.trackRender = render;

  var socket = io({auth: {visit: visitId}, transports: ["websocket", "polling"],
                   reconnectionDelayMax: 10000});
  socket.on("connect", function () { online(true); });
  socket.on("disconnect", function () { online(false); });
  socket.on("connect_error", function () { online(false); });
  socket.on("track", render);

  setInterval(function () {
    if (socket.connected) return;
    fetch("/api/v1/track/" + encodeURIComponent(visitId), {cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (view) { if (view) render(view); })
      .catch(function () {});
  }, 30000);
})();
