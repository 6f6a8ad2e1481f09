// dashboard.js: the account, its sessions, its recent activity and, for administrators, the
// risk feed of every account. Needs token.js and risk.js.
//
// Everything the server sends is put on the page with textContent and createElement, never
// as HTML. The sessions and activity panels stay hidden while their endpoints answer 404,
// the risk feed unless the account is an administrator's.
(function () {
  "use strict";

  var errorRegion = document.getElementById("form-error");
  var statusRegion = document.getElementById("status");

  var RiskText = window.RiskText;

  // RISK_FEED asks for the events of every account scored 0.5 or more.
  var RISK_FEED = "/api/admin/activity?min_risk=0.5&limit=50";

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

  // loadAccount shows the account and resolves to it, or to null.
  async function loadAccount() {
    var res = await api("/api/me");
    if (!res) {
      return null;
    }
    if (!res.ok) {
      var loading = document.getElementById("account-loading");
      loading.textContent = "Your account could not be loaded.";
      showError(await detail(res));
      return null;
    }
    var user = await readJSON(res);
    if (!user) {
      showError("The server sent an unexpected answer. Please reload the page.");
      return null;
    }
    renderAccount(user);
    return user;
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

  function outcomeCell(success) {
    if (success === true) {
      return el("td", "", "Success");
    }
    if (success === false) {
      return el("td", "outcome-failed", "Failed");
    }
    return el("td", "", "—");
  }

  // riskCell shows the score, with the signals behind it listed under it.
  function riskCell(score, reasons) {
    var cell = el("td", "risk-cell");
    cell.appendChild(document.createTextNode(RiskText.scoreText(score)));
    var texts = RiskText.reasonsText(reasons);
    if (texts.length) {
      var list = el("ul", "reasons");
      texts.forEach(function (t) {
        list.appendChild(el("li", "", t));
      });
      cell.appendChild(list);
    }
    return cell;
  }

  function activityRow(a) {
    var row = el("tr");
    var when = el("td", "nowrap");
    when.appendChild(timeEl(a.created_at));
    row.appendChild(when);
    row.appendChild(el("td", "", RiskText.eventLabel(a.event_type)));
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

  // ---- risk feed (administrators) ----

  var riskSection = document.getElementById("risk-feed");
  var riskRows = document.getElementById("risk-rows");
  var riskWrap = document.getElementById("risk-wrap");
  var riskMessage = document.getElementById("risk-message");

  function accountCell(a) {
    if (a.username) {
      return el("td", "", a.username);
    }
    return el("td", "muted", a.user_id ? "Account " + a.user_id : "Unknown account");
  }

  function riskRow(a) {
    var row = el("tr");
    var when = el("td", "nowrap");
    when.appendChild(timeEl(a.created_at));
    row.appendChild(when);
    row.appendChild(accountCell(a));
    row.appendChild(el("td", "", RiskText.eventLabel(a.event_type)));
    row.appendChild(outcomeCell(a.login_success));
    row.appendChild(el("td", "", place(a.geolocation_city, a.geolocation_country)));
    row.appendChild(el("td", "nowrap", a.ip_address || "—"));
    row.appendChild(riskCell(a.risk_score, a.reasons));
    return row;
  }

  async function loadRiskFeed() {
    var res = await api(RISK_FEED);
    if (!res) {
      return;
    }
    if (res.status === 403 || res.status === 404) {
      riskSection.hidden = true;
      return;
    }
    riskSection.hidden = false;
    if (!res.ok) {
      riskWrap.hidden = true;
      riskMessage.hidden = false;
      riskMessage.textContent = "The risk feed could not be loaded.";
      return;
    }
    var body = await readJSON(res);
    var items = body && Array.isArray(body.items) ? body.items : [];
    riskRows.replaceChildren.apply(riskRows, items.map(riskRow));
    riskWrap.hidden = items.length === 0;
    riskMessage.hidden = items.length !== 0;
    riskMessage.textContent = items.length === 0 ? "No high-risk events." : "";
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
    var user = await loadAccount();
    if (!user) {
      return;
    }
    var loads = [loadSessions(), loadActivity()];
    if (user.is_admin === true) {
      loads.push(loadRiskFeed());
    }
    await Promise.all(loads);
  }

  start().catch(function () {
    showError("The dashboard could not be loaded. Please reload the page.");
  });
})();
