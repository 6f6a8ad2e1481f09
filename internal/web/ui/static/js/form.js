// form.js: what the login and register forms share, as window.AuthForm. Needs token.js.
(function () {
  "use strict";

  var NETWORK_ERROR = "Could not reach the server. Check your connection and try again.";

  // showError puts message in the error region and reveals it. textContent only: server
  // text is never parsed as HTML.
  function showError(region, message) {
    region.hidden = false;
    region.textContent = message;
  }

  function clearError(region) {
    region.textContent = "";
    region.hidden = true;
  }

  // setBusy disables the form's buttons while a request is in flight, so a double click
  // cannot send it twice.
  function setBusy(form, busy) {
    form.setAttribute("aria-busy", busy ? "true" : "false");
    var buttons = form.querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].disabled = busy;
    }
  }

  // errorMessage reads {"detail": "..."} from a failed response, with a plain fallback.
  async function errorMessage(res) {
    try {
      var body = await res.json();
      if (body && typeof body.detail === "string" && body.detail) {
        return body.detail;
      }
    } catch (e) {
      // Not JSON: use the fallback below.
    }
    if (res.status === 429) {
      return "Too many attempts. Please wait a moment and try again.";
    }
    return "Something went wrong (HTTP " + res.status + "). Please try again.";
  }

  // postForm posts data to url with the CSRF header. It uses plain fetch, not
  // Auth.authFetch: a 401 from a login form means wrong credentials, not an expired token.
  function postForm(url, data) {
    var headers = new Headers({ Accept: "application/json" });
    var csrf = window.Auth.getCookie("XSRF-TOKEN");
    if (csrf) {
      headers.set("X-CSRF-Token", csrf);
    }
    return fetch(url, {
      method: "POST",
      credentials: "include",
      headers: headers,
      body: data,
    });
  }

  // submitForAccess posts data and, when the server answers with an access token, stores it
  // and opens the dashboard. Otherwise it shows the server's reason in region.
  async function submitForAccess(form, region, url, data) {
    setBusy(form, true);
    try {
      var res = await postForm(url, data);
      if (!res.ok) {
        showError(region, await errorMessage(res));
        setBusy(form, false);
        return;
      }
      var body = await res.json();
      if (!body || typeof body.access_token !== "string" || !body.access_token) {
        showError(region, "The server sent an unexpected answer. Please try again.");
        setBusy(form, false);
        return;
      }
      window.Auth.setAccessToken(body.access_token);
      // The buttons stay disabled while the dashboard loads.
      window.location.assign("/dashboard");
    } catch (e) {
      showError(region, NETWORK_ERROR);
      setBusy(form, false);
    }
  }

  window.AuthForm = Object.freeze({
    showError: showError,
    clearError: clearError,
    setBusy: setBusy,
    errorMessage: errorMessage,
    submitForAccess: submitForAccess,
  });
})();
