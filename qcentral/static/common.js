/* Shared by the centre's pages: settings, translated strings, formatting, the refresh loop.
   No inline script anywhere (the pages are served with a strict CSP). */
"use strict";
var QC = (function () {
  var config = JSON.parse(document.getElementById("page-config").textContent);
  var lang = config.lang;
  var numbers = new Intl.NumberFormat(lang === "ru" ? "ru-RU" : "en-GB");

  function t(text, params) {
    var s = (config.strings && config.strings[text]) || text;
    if (params) {
      Object.keys(params).forEach(function (k) { s = s.split("{" + k + "}").join(String(params[k])); });
    }
    return s;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "cls") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function minutes(seconds) {
    if (seconds === null || seconds === undefined) return t("—");
    var m = Math.floor(seconds / 60), s = Math.floor(seconds % 60);
    return numbers.format(m) + ":" + (s < 10 ? "0" : "") + s;
  }

  function ago(iso, now) {
    if (!iso) return t("—");
    var seconds = (Date.parse(now) - Date.parse(iso)) / 1000;
    if (seconds < 60) return t("just now");
    if (seconds < 3600) return t("{n} min ago", { n: numbers.format(Math.floor(seconds / 60)) });
    if (seconds < 86400) return t("{n} h ago", { n: numbers.format(Math.floor(seconds / 3600)) });
    return t("{n} d ago", { n: numbers.format(Math.floor(seconds / 86400)) });
  }

  function clock(iso, timeZone) {
    if (!iso) return t("—");
    var opts = { hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit" };
    if (timeZone) opts.timeZone = timeZone;
    return new Intl.DateTimeFormat(lang === "ru" ? "ru-RU" : "en-GB", opts).format(new Date(iso));
  }

  function level(value, norm) {
    if (value === null || value === undefined || !norm) return "";
    if (value > norm) return "over";
    if (value > 0.8 * norm) return "near";
    return "ok";
  }

  function banner(text) {
    var b = document.getElementById("banner");
    b.textContent = text || "";
    b.hidden = !text;
  }

  function replace(node, children) {
    while (node.firstChild) node.removeChild(node.firstChild);
    children.forEach(function (c) { node.appendChild(c); });
  }

  /* Render the embedded picture, then fetch a fresh one every refresh_s seconds. */
  function follow(render) {
    render(JSON.parse(document.getElementById("initial-data").textContent));
    function tick() {
      fetch(config.api, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) {
          if (r.status === 401) { banner(t("Your session has ended: log in again.")); return null; }
          if (!r.ok) throw new Error(String(r.status));
          return r.json();
        })
        .then(function (data) { if (data) { banner(""); render(data); } })
        .catch(function () { banner(t("The centre cannot be reached: the figures are not refreshing.")); })
        .then(function () { setTimeout(tick, config.refresh_s * 1000); });
    }
    setTimeout(tick, config.refresh_s * 1000);
  }

  return { config: config, lang: lang, t: t, el: el, minutes: minutes, ago: ago, clock: clock,
           level: level, replace: replace, follow: follow, numbers: numbers };
})();
