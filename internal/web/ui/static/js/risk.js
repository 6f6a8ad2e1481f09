// risk.js: readable text for the events of the activity log and the signals behind a risk
// score. Needs nothing; the dashboard uses it as window.RiskText.
//
// The server sends each reason as {"signal", "contribution", "detail"}; a bare signal name
// is accepted too. Unknown events and signals are shown with their underscores as spaces.
(function (root) {
  "use strict";

  var EVENT_LABELS = {
    register: "Account created",
    login_success: "Signed in",
    login_failed: "Failed sign-in",
    refresh: "Session renewed",
    refresh_reuse_detected: "Token reuse detected",
    logout: "Signed out",
    session_revoked: "Session revoked",
    password_changed: "Password changed",
    password_change_failed: "Wrong password on password change",
    rate_limited: "Too many attempts",
    user_created: "Account created by the operator",
    user_imported: "Account imported",
    user_updated: "Account changed by an administrator",
  };

  var SIGNAL_LABELS = {
    new_device: "New device",
    new_country: "New country",
    impossible_travel: "Impossible travel",
    failure_burst: "Burst of failed sign-ins",
    spraying: "Many accounts tried from one address",
    refresh_reuse: "Refresh token reused",
    token_reuse: "Refresh token reused",
  };

  function has(map, key) {
    return typeof key === "string" && Object.prototype.hasOwnProperty.call(map, key);
  }

  // humanize turns "some_name" into "Some name".
  function humanize(name) {
    var text = String(name || "").replace(/_/g, " ").trim();
    return text ? text.charAt(0).toUpperCase() + text.slice(1) : "";
  }

  function eventLabel(type) {
    return has(EVENT_LABELS, type) ? EVENT_LABELS[type] : humanize(type) || "Event";
  }

  function signalLabel(signal) {
    return has(SIGNAL_LABELS, signal) ? SIGNAL_LABELS[signal] : humanize(signal);
  }

  // reasonText describes one reason, such as "New country (+0.50): NZ", or "" for none.
  function reasonText(reason) {
    if (typeof reason === "string") {
      return signalLabel(reason);
    }
    if (!reason || typeof reason !== "object") {
      return "";
    }
    var text = signalLabel(reason.signal);
    if (!text) {
      return "";
    }
    var weight = Number(reason.contribution);
    if (reason.contribution !== null && reason.contribution !== undefined &&
      isFinite(weight) && weight > 0) {
      text += " (+" + weight.toFixed(2) + ")";
    }
    if (typeof reason.detail === "string" && reason.detail.trim() !== "") {
      text += ": " + reason.detail.trim();
    }
    return text;
  }

  // reasonsText describes every reason of a list, leaving out what cannot be read.
  function reasonsText(reasons) {
    if (!Array.isArray(reasons)) {
      return [];
    }
    return reasons.map(reasonText).filter(function (t) {
      return t !== "";
    });
  }

  // scoreText shows a score from 0 to 1 with two decimals, or a dash when there is none.
  function scoreText(score) {
    var n = Number(score);
    if (score === null || score === undefined || score === "" || !isFinite(n)) {
      return "—";
    }
    return n.toFixed(2);
  }

  root.RiskText = {
    eventLabel: eventLabel,
    signalLabel: signalLabel,
    reasonText: reasonText,
    reasonsText: reasonsText,
    scoreText: scoreText,
  };
})(window);
