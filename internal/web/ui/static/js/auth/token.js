// token.js: the access token and authenticated requests, as window.Auth.
//
// The access token lives only in sessionStorage (one tab, gone when the tab closes), never in
// a cookie or localStorage. The refresh token is an HttpOnly cookie that this script never
// sees; POST /auth/refresh trades it for a new access token and a new refresh cookie.
(function () {
  "use strict";

  var TOKEN_KEY = "access_token";
  var LOCK_NAME = "finintelli-refresh";
  var CSRF_COOKIE = "XSRF-TOKEN";
  var CSRF_HEADER = "X-CSRF-Token";

  // memoryToken backs sessionStorage where storage is unavailable (some private modes throw).
  var memoryToken = null;

  // inflight is the one refresh this tab is running, shared by every caller that needs it.
  var inflight = null;

  function getAccessToken() {
    try {
      var stored = window.sessionStorage.getItem(TOKEN_KEY);
      if (stored) {
        return stored;
      }
    } catch (e) {
      // Storage blocked: fall back to the in-memory copy.
    }
    return memoryToken;
  }

  function setAccessToken(token) {
    memoryToken = token || null;
    try {
      if (token) {
        window.sessionStorage.setItem(TOKEN_KEY, token);
      } else {
        window.sessionStorage.removeItem(TOKEN_KEY);
      }
    } catch (e) {
      // Storage blocked: the in-memory copy still serves this page.
    }
  }

  function clearAccessToken() {
    setAccessToken(null);
  }

  // getCookie returns the value of the named cookie, or "" when there is none. The server
  // sets XSRF-TOKEN to a value that needs no URL-decoding, so none is done.
  function getCookie(name) {
    var parts = document.cookie ? document.cookie.split(";") : [];
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i].trim();
      var eq = part.indexOf("=");
      if (eq > 0 && part.slice(0, eq) === name) {
        return part.slice(eq + 1);
      }
    }
    return "";
  }

  function isUnsafe(method) {
    return method !== "GET" && method !== "HEAD";
  }

  // addCSRF adds the double-submit header to headers when the method changes state.
  // The cookie is read on every call, because the server may replace it at any response.
  function addCSRF(headers, method) {
    if (!isUnsafe(method)) {
      return;
    }
    var csrf = getCookie(CSRF_COOKIE);
    if (csrf) {
      headers.set(CSRF_HEADER, csrf);
    }
  }

  // refreshOnce asks the server for a new access token. It resolves to the token, or to null
  // (with the token cleared) when the server refuses or cannot be reached.
  async function refreshOnce() {
    var headers = new Headers({ Accept: "application/json" });
    addCSRF(headers, "POST");
    try {
      var res = await fetch("/auth/refresh", {
        method: "POST",
        credentials: "include",
        headers: headers,
      });
      if (!res.ok) {
        clearAccessToken();
        return null;
      }
      var body = await res.json();
      if (!body || typeof body.access_token !== "string" || !body.access_token) {
        clearAccessToken();
        return null;
      }
      setAccessToken(body.access_token);
      return body.access_token;
    } catch (e) {
      clearAccessToken();
      return null;
    }
  }

  // refresh resolves to a fresh access token, or null when the session is over.
  //
  // Within a tab, callers that arrive while a refresh runs share its promise, so a burst of
  // 401s costs one refresh.
  //
  // Across tabs, the server rotates the refresh cookie on every use and accepts the previous
  // one only for a short grace window. Two tabs refreshing at once would both send the same
  // cookie, and a slow second one could land after the grace window and look like token
  // reuse, which revokes the whole session and logs both tabs out. So tabs take turns under
  // a Web Lock: the second tab waits until the first has finished, and only then sends its
  // request. Because all tabs share one cookie jar, by then the cookie it sends is the one
  // the first tab just received, the newest in the chain. The second tab still refreshes
  // (it cannot skip: its access token lives in its own sessionStorage, and the first tab's
  // token is not shared through any storage), so no timestamp or token crosses tabs.
  //
  // Without the Web Locks API (very old browsers) the tabs refresh freely and rely on the
  // server's grace window, which covers the common case of two near-simultaneous calls.
  function refresh() {
    if (inflight) {
      return inflight;
    }
    var locks = navigator.locks;
    var run = locks && typeof locks.request === "function"
      ? locks.request(LOCK_NAME, refreshOnce)
      : refreshOnce();
    inflight = Promise.resolve(run)
      .catch(function () {
        clearAccessToken();
        return null;
      })
      .finally(function () {
        inflight = null;
      });
    return inflight;
  }

  // send makes one request with the current token and CSRF cookie. It returns the response
  // and the token it used, so a 401 can be told apart from a token that has since changed.
  async function send(url, options, method) {
    var headers = new Headers(options.headers || {});
    var token = getAccessToken();
    if (token) {
      headers.set("Authorization", "Bearer " + token);
    }
    addCSRF(headers, method);
    var init = Object.assign({}, options, {
      method: method,
      headers: headers,
      credentials: "include",
    });
    var res = await fetch(url, init);
    return { res: res, token: token };
  }

  // authFetch is fetch for the API: it sends the access token and the CSRF header, and on a
  // 401 refreshes once and retries once. When the refresh fails it returns the first 401,
  // with the token cleared, so the caller can send the person to the login page.
  //
  // The retry sends options.body again, so the body must be reusable (a string, FormData,
  // URLSearchParams or Blob, not a stream).
  async function authFetch(url, options) {
    var opts = options || {};
    var method = (opts.method || "GET").toUpperCase();

    var first = await send(url, opts, method);
    if (first.res.status !== 401) {
      return first.res;
    }

    // Another request may have refreshed while this one was on the wire: then the token has
    // already changed and a second refresh would only burn a rotation.
    var current = getAccessToken();
    if (!current || current === first.token) {
      current = await refresh();
    }
    if (!current) {
      return first.res;
    }

    var second = await send(url, opts, method);
    return second.res;
  }

  window.Auth = Object.freeze({
    getAccessToken: getAccessToken,
    setAccessToken: setAccessToken,
    clearAccessToken: clearAccessToken,
    getCookie: getCookie,
    refresh: refresh,
    authFetch: authFetch,
  });
})();
