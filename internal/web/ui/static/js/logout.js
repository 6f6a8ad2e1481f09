// logout.js: the #logout button. Needs token.js.
//
// Logging out always ends on the home page with the token gone, even when the request
// fails: the person asked to leave, and a stale access token expires on its own.
(function () {
  "use strict";

  var button = document.getElementById("logout");
  if (!button) {
    return;
  }

  button.addEventListener("click", async function () {
    button.disabled = true;

    // Plain fetch, not authFetch: refreshing a session only to end it would be wasted work.
    var headers = new Headers({ Accept: "application/json" });
    var csrf = window.Auth.getCookie("XSRF-TOKEN");
    if (csrf) {
      headers.set("X-CSRF-Token", csrf);
    }
    var token = window.Auth.getAccessToken();
    if (token) {
      headers.set("Authorization", "Bearer " + token);
    }

    try {
      await fetch("/auth/logout", { method: "POST", credentials: "include", headers: headers });
    } catch (e) {
      // Ignored on purpose: see above.
    } finally {
      window.Auth.clearAccessToken();
      window.location.assign("/");
    }
  });
})();
