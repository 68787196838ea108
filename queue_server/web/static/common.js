/* Shared by the console and the dashboard: strings, times, norms, API calls,
   the live connection and its "reconnecting…" banner, log out.
   No framework: the pages are rendered by the server; this only fills in values. */
"use strict";

const Q = (() => {
  const cfgNode = document.getElementById("page-config");
  const cfg = cfgNode ? JSON.parse(cfgNode.textContent) : { strings: {}, lang: "ru" };
  const strings = cfg.strings || {};

  function t(msgid, params) {
    let text = strings[msgid] || msgid;
    if (params) {
      text = text.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
    }
    return text;
  }

  function el(id) { return document.getElementById(id); }

  function make(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  /* 75 -> "1:15", 3725 -> "1:02:05" */
  function duration(seconds) {
    if (seconds === null || seconds === undefined) return t("—");
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m)}:${pad(r)}` : `${m}:${pad(r)}`;
  }

  /* minutes with at most one decimal, in the page's locale: «3,2» in Russian, "3.2" in English */
  const decimal = new Intl.NumberFormat(cfg.lang === "en" ? "en-GB" : "ru-RU", { maximumFractionDigits: 1 });
  function minutes(seconds) { return decimal.format(Math.round((seconds / 60) * 10) / 10); }

  /* green below 80 % of the norm, amber from 80 %, red over it */
  function normLevel(seconds, norm) {
    if (seconds === null || seconds === undefined || !norm) return "none";
    if (seconds > norm) return "over";
    if (seconds >= 0.8 * norm) return "near";
    return "ok";
  }

  const LEVEL_WORDS = { over: "over the norm", near: "near the norm", ok: "within the norm", none: "no data yet" };

  /* a time badge coloured against its norm, with the words for those who cannot see the colour */
  function setTime(node, seconds, norm) {
    const level = normLevel(seconds, norm);
    node.textContent = duration(seconds);
    node.className = node.className.replace(/\bnorm-\w+\b/g, "").trim() + " norm-" + level;
    node.title = t(LEVEL_WORDS[level]);
    node.setAttribute("aria-label", duration(seconds) + " — " + t(LEVEL_WORDS[level]));
    return level;
  }

  function localTime(iso) {
    try {
      return new Date(iso).toLocaleTimeString(cfg.lang === "en" ? "en-GB" : "ru-RU",
                                              { hour: "2-digit", minute: "2-digit", timeZone: cfg.timezone });
    } catch (e) { return iso; }
  }

  /* ---- messages ---- */
  const msgNode = el("message");
  let msgTimer = null;
  let offlineShown = false;  // the message on screen is "could not reach the server"
  function say(text, kind, node) {
    if (!msgNode) return;
    clearTimeout(msgTimer);
    offlineShown = false;
    msgNode.replaceChildren(text);
    if (node) msgNode.append(" ", node);
    msgNode.className = "message is-" + (kind || "info");
    msgNode.hidden = false;
    if (kind !== "error") msgTimer = setTimeout(() => { msgNode.hidden = true; }, 6000);
  }
  function clearMessage() { if (msgNode) msgNode.hidden = true; offlineShown = false; }
  /* "could not reach the server" goes as soon as the server answers again, by a
     request or by the live connection, not when the next action is pressed */
  function backOnline() { if (offlineShown) clearMessage(); }

  function sessionLost() {
    const link = make("a", { href: location.pathname }, t("Log in again"));
    say(t("Your session has ended: log in again."), "error", link);
  }

  /* ---- the JSON API, authenticated by the HttpOnly cookie plus the CSRF header ----
     Resolves to {ok, status, data, message}; never throws, never pretends. */
  async function api(method, path, body) {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), 8000);
    const csrf = document.querySelector('meta[name="csrf-token"]');
    try {
      const r = await fetch(path, {
        method,
        credentials: "same-origin",
        cache: "no-store",
        signal: ctrl.signal,
        headers: {
          "Content-Type": "application/json",
          "Accept-Language": cfg.lang,
          "X-CSRF-Token": csrf ? csrf.content : "",
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      let data = null;
      if (r.status !== 204) {
        try { data = await r.json(); } catch (e) { data = null; }
      }
      if (r.ok) { backOnline(); return { ok: true, status: r.status, data }; }
      if (r.status === 401) sessionLost();
      const message = (data && data.error && data.error.message) || t("The server refused the action.");
      return { ok: false, status: r.status, data, message, code: data && data.error && data.error.code };
    } catch (e) {
      return { ok: false, status: 0, data: null, offline: true,
               message: t("Could not reach the server: the action was not done. Check the connection and try again.") };
    } finally {
      clearTimeout(timer);
    }
  }

  /* ---- live connection ---- */
  const banner = el("banner");
  function showBanner(on) {
    if (!banner) return;
    banner.textContent = t("Reconnecting to the server…");
    banner.hidden = !on;
  }

  function connect(handlers) {
    if (typeof io === "undefined") { showBanner(true); return null; }
    const socket = io({ reconnectionDelay: 500, reconnectionDelayMax: 2000, timeout: 5000 });
    socket.on("connect", () => { showBanner(false); backOnline(); document.body.dataset.live = "on"; });
    socket.on("disconnect", (reason) => {
      showBanner(true);
      document.body.dataset.live = "off";
      if (reason === "io server disconnect") socket.connect();
    });
    socket.on("connect_error", () => {
      if (socket.active) { showBanner(true); return; }
      showBanner(false);
      sessionLost();   // refused by the server: the token is gone
    });
    for (const [name, fn] of Object.entries(handlers)) socket.on(name, fn);
    return socket;
  }

  /* ---- log out (closes the operator's counter; refused while a visitor is there) ---- */
  document.querySelectorAll("[data-logout]").forEach((button) => {
    button.addEventListener("click", async () => {
      button.disabled = true;
      const r = await api("POST", "/api/v1/web/logout");
      button.disabled = false;
      if (r.ok || r.status === 401) { location.assign(location.pathname); return; }
      say(r.message, "error");
    });
  });

  function sayOffline(text) { say(text, "error"); offlineShown = true; }

  return { cfg, t, el, make, duration, minutes, normLevel, setTime, localTime, say, sayOffline, clearMessage, api,
           connect };
})();
