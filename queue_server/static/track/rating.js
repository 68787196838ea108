// Rating a finished visit from the tracking page: 1-5 and a comment, once. A score of 1-2
// with a comment offers to register the comment as a complaint. No cookies are sent
// (credentials: "omit"): the visit's own id in the link is the only key.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("rating-data").textContent);
  var s = data.strings, visitId = data.visit_id, score = 0, state = data.state;
  var box = document.getElementById("rating"), thanks = document.getElementById("rating-thanks");

  function post(path, body) {
    return fetch(path, {method: "POST", credentials: "omit", cache: "no-store",
                        headers: {"Content-Type": "application/json", "Accept-Language": document.documentElement.lang},
                        body: JSON.stringify(body)})
      .then(function (r) { return r.json().then(function (d) { return {ok: r.ok, status: r.status, data: d}; }); })
      .catch(function () { return {ok: false, status: 0, data: null}; });
  }
  function error(id, r) {
    var el = document.getElementById(id);
    el.textContent = (r.data && r.data.error && r.data.error.message) || s.offline;
    el.hidden = false;
  }

  Array.prototype.forEach.call(box.querySelectorAll(".star"), function (b) {
    b.addEventListener("click", function () {
      score = Number(b.dataset.score);
      Array.prototype.forEach.call(box.querySelectorAll(".star"), function (x) {
        x.setAttribute("aria-checked", String(x === b));
      });
      document.getElementById("rating-send").disabled = false;
    });
  });
  document.getElementById("rating-send").addEventListener("click", function () {
    var comment = document.getElementById("rating-comment").value.trim();
    this.disabled = true;
    post("/api/v1/visits/" + encodeURIComponent(visitId) + "/rating", {score: score, comment: comment || null})
      .then(function (r) {
        if (!r.ok && r.status !== 409) { document.getElementById("rating-send").disabled = false; return error("rating-error", r); }
        box.hidden = true;
        thanks.hidden = false;
        document.getElementById("complaint-offer").hidden = !(r.ok && r.data.complaint_offered);
      });
  });
  document.getElementById("complaint-send").addEventListener("click", function () {
    var email = document.getElementById("complaint-email").value.trim();
    this.disabled = true;
    post("/api/v1/visits/" + encodeURIComponent(visitId) + "/complaint", {contact: email ? {email: email} : null})
      .then(function (r) {
        if (!r.ok) { document.getElementById("complaint-send").disabled = false; return error("complaint-error", r); }
        document.getElementById("complaint-offer").hidden = true;
        document.getElementById("complaint-done").hidden = false;
        document.getElementById("complaint-code").textContent = r.data.code.slice(0, 4) + "-" + r.data.code.slice(4);
        document.getElementById("complaint-link").href = r.data.status_url;
      });
  });

  // the visit finishes while the page is open: track.js marks the status "done" then
  var status = document.getElementById("status");
  if (status && state === "later" && window.MutationObserver) {
    new MutationObserver(function () {
      if (state === "later" && /\bdone\b/.test(status.className)) { state = "open"; box.hidden = false; }
    }).observe(status, {attributes: true, attributeFilter: ["class"]});
  }
})();
