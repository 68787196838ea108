/* Staff and devices (/admin, administrators): lists and acts through /api/v1/admin/…
   Every act is done by the server (and journaled there); the page re-reads the lists
   after each answer and follows the devices live (the `device` push). */
"use strict";

(() => {
  const { cfg, t, el, make, localTime, api, say, connect } = Q;
  const L = cfg.labels;
  let users = [];
  let devices = [];
  const clockOffset = Date.parse(cfg.now) - Date.now();  /* the server's clock, not this PC's */

  /* "10:32" today, "19.11 18:05" on another day, "—" for never */
  function when(iso) {
    if (!iso) return t("—");
    const day = (d) => d.toLocaleDateString("en-CA", { timeZone: cfg.timezone });
    if (day(new Date(iso)) === day(new Date(Date.now() + clockOffset))) return localTime(iso);
    const date = new Date(iso).toLocaleDateString(cfg.lang === "en" ? "en-GB" : "ru-RU",
                                                  { day: "2-digit", month: "2-digit", year: "2-digit", timeZone: cfg.timezone });
    return date + " " + localTime(iso);
  }

  function button(label, attrs, onClick) {
    const b = make("button", Object.assign({ type: "button", class: "btn btn-small" }, attrs), label);
    b.addEventListener("click", onClick);
    return b;
  }

  /* ---- staff ---- */
  async function loadUsers() {
    const r = await api("GET", "/api/v1/admin/users");
    if (!r.ok) { say(r.message, "error"); return; }
    users = r.data.users;
    paintUsers();
  }

  function paintUsers() {
    const rows = el("user-rows");
    rows.replaceChildren();
    for (const u of users) {
      const tr = make("tr", { "data-user": u.login });
      const status = make("td", { class: u.disabled ? "st-disabled" : "st-active" },
                          u.disabled ? t("disabled") : t("active"));
      if (!u.disabled && u.sessions) status.append(make("span", { class: "muted seen" }, t("sessions: {n}", { n: u.sessions })));
      const acts = make("td", { class: "acts" });
      if (u.login !== cfg.login) {
        acts.append(u.disabled
          ? button(t("Enable"), { "data-act": "enable" }, () => act(u.login, "enable", t("{login} may log in again.", { login: u.login })))
          : button(t("Disable"), { "data-act": "disable" }, () => act(u.login, "disable", t("{login} is disabled: their sessions are ended.", { login: u.login }))));
      }
      acts.append(button(t("Password…"), { "data-act": "password" }, () => askPassword(u.login)));
      if (u.login !== cfg.login) {
        acts.append(button(t("Remove…"), { "data-act": "remove" }, () => confirmThen(
          t("Remove {login}?", { login: u.login }), t("The account is removed and its sessions end at once. The journal keeps what it did."),
          t("Remove"), async () => {
            const r = await api("DELETE", "/api/v1/admin/users/" + encodeURIComponent(u.login));
            done(r, t("{login} is removed.", { login: u.login }), loadUsers);
          })));
      }
      tr.append(make("td", { class: "login" }, u.login), make("td", {}, u.name || t("—")),
                make("td", {}, L.staff_role[u.role] || u.role), status, acts);
      rows.append(tr);
    }
  }

  async function act(login, what, message) {
    const r = await api("POST", "/api/v1/admin/users/" + encodeURIComponent(login) + "/" + what);
    done(r, message, loadUsers);
  }

  function done(r, message, reload) {
    if (r.ok) say(message, "info");
    else say(r.message, "error");
    reload();
  }

  el("user-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    const body = { login: f.login.value.trim(), name: f.name.value.trim(), role: f.role.value, password: f.password.value };
    const r = await api("POST", "/api/v1/admin/users", body);
    if (r.ok) { f.reset(); el("add-user").open = false; }
    done(r, t("{login} is saved.", { login: body.login }), loadUsers);
  });

  /* ---- password dialog ---- */
  const pwDialog = el("password-dialog");
  let pwLogin = null;
  function askPassword(login) {
    pwLogin = login;
    el("pw-h").textContent = t("New password for {login}", { login });
    el("pw-new").value = el("pw-again").value = "";
    el("pw-error").hidden = true;
    pwDialog.showModal();
  }
  el("password-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const error = el("pw-error");
    if (el("pw-new").value !== el("pw-again").value) {
      error.textContent = t("The two passwords differ.");
      error.hidden = false;
      return;
    }
    const r = await api("POST", "/api/v1/admin/users/" + encodeURIComponent(pwLogin) + "/password", { password: el("pw-new").value });
    if (!r.ok) { error.textContent = r.message; error.hidden = false; return; }
    pwDialog.close();
    done(r, t("The password of {login} is changed: their sessions are ended.", { login: pwLogin }), loadUsers);
  });

  /* ---- confirmation dialog ---- */
  const cfDialog = el("confirm-dialog");
  let onYes = null;
  function confirmThen(title, text, yes, fn) {
    el("cf-h").textContent = title;
    el("cf-text").textContent = text;
    el("cf-yes").textContent = yes;
    onYes = fn;
    cfDialog.showModal();
  }
  cfDialog.addEventListener("close", () => {
    if (cfDialog.returnValue === "yes" && onYes) onYes();
    onYes = null;
    cfDialog.returnValue = "";
  });
  document.querySelectorAll("dialog [data-close]").forEach((b) => b.addEventListener("click", () => b.closest("dialog").close()));

  /* ---- devices ---- */
  async function loadDevices() {
    const r = await api("GET", "/api/v1/admin/devices");
    if (!r.ok) { say(r.message, "error"); return; }
    devices = r.data.devices;
    paintDevices();
  }

  const STATE_WORDS = { up: "works", silent: "silent", never: "not heard from yet" };

  function paintDevices() {
    const rows = el("device-rows");
    rows.replaceChildren();
    for (const d of devices) {
      const tr = make("tr", { "data-device": d.name });
      const state = make("td", { class: "st-" + d.state, "data-state": d.state });
      state.textContent = d.state === "down" ? t("down since {time}", { time: when(d.down_since) }) : t(STATE_WORDS[d.state]);
      if (d.last_seen && d.state !== "down") state.append(make("span", { class: "muted seen" }, t("last heard {time}", { time: when(d.last_seen) })));
      const acts = make("td", { class: "acts" });
      acts.append(button(t("Revoke…"), { "data-act": "revoke" }, () => confirmThen(
        t("Revoke {device}?", { device: d.name }), t("Its token stops working and its connections close at once. To use the device again, add it anew and give it the new token."),
        t("Revoke"), async () => {
          const r = await api("DELETE", "/api/v1/admin/devices/" + encodeURIComponent(d.name));
          done(r, t("{device} is revoked.", { device: d.name }), loadDevices);
        })));
      tr.append(make("td", { class: "login" }, d.name), make("td", {}, L.device_kind[d.kind] || d.kind), state,
                make("td", { class: "nowrap" }, when(d.created_at)), acts);
      rows.append(tr);
    }
  }

  el("device-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    const body = { name: f.name.value.trim(), kind: f.kind.value };
    const r = await api("POST", "/api/v1/admin/devices", body);
    if (!r.ok) { say(r.message, "error"); return; }
    f.reset();
    el("add-device").open = false;
    el("new-token-title").textContent = t("{device} is added.", { device: r.data.name });
    el("new-token-value").textContent = r.data.token;
    el("new-token").hidden = false;
    el("new-token-value").focus();
    loadDevices();
  });
  el("copy-token").addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(el("new-token-value").textContent); say(t("Copied."), "info"); }
    catch (e) { window.getSelection().selectAllChildren(el("new-token-value")); }
  });
  el("hide-token").addEventListener("click", () => { el("new-token-value").textContent = ""; el("new-token").hidden = true; });

  /* devices change state live: re-read the list when the server pushes a change */
  let deviceTimer = null;
  function deviceChanged() {
    if (deviceTimer) return;
    deviceTimer = setTimeout(() => { deviceTimer = null; loadDevices(); }, 300);
  }
  setInterval(loadDevices, 30000);  /* "last heard" moves without pushes (heartbeats are not pushed) */

  loadUsers();
  loadDevices();
  connect({ device: deviceChanged, snapshot: () => {}, state: () => {} });
})();
