/* The booking page's small script: it reloads the times when the service or the day
   changes (the page works without it, with a button), and solves the proof of work
   the server may ask for (api/booking_guard.py) in a worker while the visitor types. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var strings = {};
  try { strings = JSON.parse(document.getElementById("book-strings").textContent); } catch (e) { /* none */ }

  var pick = document.getElementById("pick");
  function picked() {
    var service = pick.querySelector("input[name=service]:checked");
    var date = pick.querySelector("input[name=date]:checked");
    return (service ? service.value : (pick.dataset.picked || "").split("|")[0]) + "|" + (date ? date.value : "");
  }
  function reload() {
    pick.action = pick.action.split("#")[0] + "#times";
    pick.submit();
  }
  if (pick) {
    pick.addEventListener("change", function (ev) {
      if (ev.target && ev.target.type === "radio") { reload(); }
    });
    // a choice made while the page was still loading, before this script ran
    if (picked() !== pick.dataset.picked) { reload(); }
  }

  var form = document.querySelector("form[data-proof]");
  if (!form || !window.Worker || !window.fetch) { return; }
  var proof = form.querySelector("input[name=proof]");
  var status = document.getElementById("proof-status");
  var solved = null;
  var waiting = false;

  function start() {
    fetch("/api/v1/bookings/challenge", {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (c) {
        if (!c) { return; }
        var worker = new Worker(document.querySelector("script[src*='book.js']").src.replace("book.js", "pow-worker.js"));
        worker.onmessage = function (ev) {
          solved = c.challenge + ":" + ev.data;
          proof.value = solved;
          worker.terminate();
          if (waiting) { waiting = false; form.submit(); }
        };
        worker.postMessage({challenge: c.challenge, bits: c.bits});
      })
      .catch(function () { /* the server decides whether it needs one */ });
  }

  form.addEventListener("submit", function (ev) {
    if (solved !== null || waiting) { return; }
    // give the background work a few seconds; the server sends the form back if it must
    ev.preventDefault();
    waiting = true;
    if (status) { status.textContent = strings.checking || ""; }
    setTimeout(function () { if (waiting) { waiting = false; form.submit(); } }, 4000);
  });
  start();
}());
