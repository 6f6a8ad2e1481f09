// dashboard.js: the account, its sessions and its recent activity. Needs token.js.
//
// Everything the server sends is put on the page with textContent and createElement, never
// as HTML. The sessions and activity panels stay hidden while their endpoints answer 404.
(function () {
  "use strict";

  var errorRegion = document.getElementById("form-error");
  var statusRegion = document.getElementById("status");

  var EVENT_LABELS = {
    register: "Account created",
    login_success: "Signed in",
    login_failed: "Failed sign-in",
    refresh: "Session renewed",
    refresh_reuse_detected: "Token reuse detected",
    logout: "Signed out",
    session_revoked: "Session revoked",
    password_changed: "Password changed",
    rate_limited: "Too many attempts",
  };

  // ---- small helpers ----

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function showError(message) {
    errorRegion.hidden = false;
    errorRegion.textContent = message;
  }

  function clearError() {
    errorRegion.textContent = "";
    errorRegion.hidden = true;
  }

  function announce(message) {
    statusRegion.textContent = message;
  }

  function goToLogin() {
    window.Auth.clearAccessToken();
    window.location.assign("/login");
  }

  // timeEl renders an ISO date as a <time> in the reader's locale; bad dates show as sent.
  function timeEl(value) {
    var node = el("time");
    var date = value ? new Date(value) : null;
    if (!date || isNaN(date.getTime())) {
      node.textContent = value ? String(value) : "unknown";
      return node;
    }
    node.dateTime = date.toISOString();
    node.textContent = date.toLocaleString(undefined, {
      dateStyle: "medium",
      timeStyle: "short",
    });
    return node;
  }

  function place(city, country) {
    var parts = [city, country].filter(function (p) {
      return typeof p === "string" && p.trim() !== "";
    });
    return parts.length ? parts.join(", ") : "Unknown location";
  }

  // readJSON resolves to the parsed body, or null when it is not JSON.
  async function readJSON(res) {
    try {
      return await res.json();
    } catch (e) {
      return null;
    }
  }

  async function detail(res) {
    try {
      var body = await res.json();
      if (body && typeof body.detail === "string" && body.detail) {
        return body.detail;
      }
    } catch (e) {
      // Not JSON: use the fallback below.
    }
    return "Something went wrong (HTTP " + res.status + ").";
  }

  // api wraps Auth.authFetch: a 401 that survives the refresh means the session is over.
  // It resolves to the response, or to null after sending the person to the login page or
  // showing a network error.
  async function api(url, options) {
    var res;
    try {
      res = await window.Auth.authFetch(url, options);
    } catch (e) {
      showError("Could not reach the server. Check your connection and try again.");
      return null;
    }
    if (res.status === 401) {
      goToLogin();
      return null;
    }
    return res;
  }

  // ---- account ----

  function renderAccount(user) {
    document.getElementById("account-username").textContent = user.username || "";
    document.getElementById("account-email").textContent = user.email || "";
    document.getElementById("account-role").textContent = user.is_admin
      ? "Administrator" : "Member";
    document.getElementById("account-status").textContent = user.is_active
      ? "Active" : "Disabled";
    document.getElementById("nav-user").textContent = "Signed in as " + (user.username || "");

    document.getElementById("account-loading").hidden = true;
    document.getElementById("account-details").hidden = false;
    document.getElementById("account").setAttribute("aria-busy", "false");
  }

  async function loadAccount() {
    var res = await api("/api/me");
    if (!res) {
      return false;
    }
    if (!res.ok) {
      var loading = document.getElementById("account-loading");
      loading.textContent = "Your account could not be loaded.";
      showError(await detail(res));
      return false;
    }
    var user = await readJSON(res);
    if (!user) {
      showError("The server sent an unexpected answer. Please reload the page.");
      return false;
    }
    renderAccount(user);
    return true;
  }

  // ---- sessions ----

  var sessionsSection = document.getElementById("sessions");
  var sessionsList = document.getElementById("sessions-list");
  var sessionsMessage = document.getElementById("sessions-message");
  var revokeOthers = document.getElementById("revoke-others");

  function sessionItem(s) {
    var device = s.device || "Unknown device";
    var item = el("li", s.current ? "session session-current" : "session");

    var main = el("div", "session-main");
    var title = el("p", "session-device", device);
    if (s.current) {
      title.appendChild(el("span", "badge", "This device"));
    }
    main.appendChild(title);
    main.appendChild(el("p", "session-meta",
      [s.ip || "Unknown IP", place(s.city, s.country)].join(" · ")));

    var when = el("p", "session-meta", "Signed in ");
    when.appendChild(timeEl(s.created_at));
    when.appendChild(document.createTextNode(" · last active "));
    when.appendChild(timeEl(s.last_used_at));
    main.appendChild(when);
    item.appendChild(main);

    // The current session ends with "Log out"; revoking it here would strand this tab.
    if (!s.current) {
      var button = el("button", "button button-danger button-small", "Revoke");
      button.type = "button";
      button.appendChild(el("span", "visually-hidden", " session on " + device));
      button.addEventListener("click", function () {
        revokeSession(s.id, device, item, button);
      });
      item.appendChild(button);
    }
    return item;
  }

  function renderSessions(list) {
    sessionsList.replaceChildren();
    var others = 0;
    list.forEach(function (s) {
      if (!s.current) {
        others++;
      }
      sessionsList.appendChild(sessionItem(s));
    });
    updateOthers(others);
  }

  function updateOthers(others) {
    revokeOthers.disabled = others === 0;
    sessionsMessage.hidden = others !== 0;
    sessionsMessage.textContent = others === 0 ? "No other device is signed in." : "";
  }

  async function loadSessions() {
    var res = await api("/api/sessions");
    if (!res) {
      return;
    }
    if (res.status === 404) {
      sessionsSection.hidden = true;
      return;
    }
    sessionsSection.hidden = false;
    if (!res.ok) {
      sessionsMessage.hidden = false;
      sessionsMessage.textContent = "Your sessions could not be loaded.";
      revokeOthers.disabled = true;
      return;
    }
    var body = await readJSON(res);
    renderSessions(Array.isArray(body) ? body : []);
  }

  async function revokeSession(id, device, item, button) {
    clearError();
    button.disabled = true;
    var res = await api("/api/sessions/" + encodeURIComponent(id), { method: "DELETE" });
    if (!res) {
      button.disabled = false;
      return;
    }
    // 404: the session had already ended, which is what was asked for.
    if (!res.ok && res.status !== 404) {
      showError(await detail(res));
      button.disabled = false;
      return;
    }
    item.remove();
    updateOthers(sessionsList.querySelectorAll(".session:not(.session-current)").length);
    announce("Signed out " + device + ".");
    loadActivity();
  }

  revokeOthers.addEventListener("click", async function () {
    clearError();
    revokeOthers.disabled = true;
    var res = await api("/api/sessions/revoke-others", { method: "POST" });
    if (!res) {
      revokeOthers.disabled = false;
      return;
    }
    if (!res.ok) {
      showError(await detail(res));
      revokeOthers.disabled = false;
      return;
    }
    announce("Signed out everywhere else.");
    await loadSessions();
    loadActivity();
  });

  // ---- activity ----

  var activitySection = document.getElementById("activity");
  var activityRows = document.getElementById("activity-rows");
  var activityWrap = document.getElementById("activity-wrap");
  var activityMessage = document.getElementById("activity-message");

  function eventLabel(type) {
    if (Object.prototype.hasOwnProperty.call(EVENT_LABELS, type)) {
      return EVENT_LABELS[type];
    }
    return String(type || "event").replace(/_/g, " ");
  }

  function outcomeCell(success) {
    if (success === true) {
      return el("td", "", "Success");
    }
    if (success === false) {
      return el("td", "outcome-failed", "Failed");
    }
    return el("td", "", "—");
  }

  // riskCell shows the score as the server sends it (rounded), with the reasons under it.
  function riskCell(score, reasons) {
    var cell = el("td");
    var n = Number(score);
    var known = score !== null && score !== undefined && isFinite(n);
    cell.appendChild(document.createTextNode(known ? String(Math.round(n * 100) / 100) : "—"));
    if (Array.isArray(reasons) && reasons.length) {
      cell.appendChild(el("span", "reasons", reasons.map(String).join(", ")));
    }
    return cell;
  }

  function activityRow(a) {
    var row = el("tr");
    var when = el("td", "nowrap");
    when.appendChild(timeEl(a.created_at));
    row.appendChild(when);
    row.appendChild(el("td", "", eventLabel(a.event_type)));
    row.appendChild(outcomeCell(a.login_success));
    row.appendChild(el("td", "", place(a.geolocation_city, a.geolocation_country)));
    row.appendChild(el("td", "nowrap", a.ip_address || "—"));
    row.appendChild(el("td", "", a.device_info || "—"));
    row.appendChild(riskCell(a.risk_score, a.reasons));
    return row;
  }

  async function loadActivity() {
    var res = await api("/api/activity?limit=20");
    if (!res) {
      return;
    }
    if (res.status === 404) {
      activitySection.hidden = true;
      return;
    }
    activitySection.hidden = false;
    if (!res.ok) {
      activityWrap.hidden = true;
      activityMessage.hidden = false;
      activityMessage.textContent = "Your activity could not be loaded.";
      return;
    }
    var body = await readJSON(res);
    var items = body && Array.isArray(body.items) ? body.items : [];
    activityRows.replaceChildren.apply(activityRows, items.map(activityRow));
    activityWrap.hidden = items.length === 0;
    activityMessage.hidden = items.length !== 0;
    activityMessage.textContent = items.length === 0 ? "No activity yet." : "";
  }

  // ---- start ----

  // The access token lives per tab, so a new tab (or a reload after it closed) has none:
  // trade the refresh cookie for one before asking for anything, or go to the login page.
  async function start() {
    if (!window.Auth.getAccessToken()) {
      var token = await window.Auth.refresh();
      if (!token) {
        window.location.assign("/login");
        return;
      }
    }
    if (!(await loadAccount())) {
      return;
    }
    await Promise.all([loadSessions(), loadActivity()]);
  }

  start().catch(function () {
    showError("The dashboard could not be loaded. Please reload the page.");
  });
})();
