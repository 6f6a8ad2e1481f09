// Behaviour tests of static/js/auth/token.js without a browser: run with
//
//	node --test internal/web/ui/testdata/
//
// Each "tab" is a fresh vm context holding token.js, with its own sessionStorage and a fake
// fetch; tabs of one browser share a cookie jar and a Web Locks manager.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const source = fs.readFileSync(
  path.join(__dirname, "..", "static", "js", "auth", "token.js"), "utf8");

function memoryStorage() {
  const data = new Map();
  return {
    getItem: (k) => (data.has(k) ? data.get(k) : null),
    setItem: (k, v) => data.set(k, String(v)),
    removeItem: (k) => data.delete(k),
    get size() { return data.size; },
  };
}

// lockManager grants each named lock to one holder at a time, in request order.
function lockManager() {
  const tails = new Map();
  const log = [];
  return {
    log,
    request(name, cb) {
      log.push(name);
      const prev = tails.get(name) || Promise.resolve();
      const run = prev.then(() => cb({ name }));
      tails.set(name, run.catch(() => {}));
      return run;
    },
  };
}

function browser(opts = {}) {
  return {
    cookies: { "XSRF-TOKEN": "csrf-1" },
    locks: opts.noLocks ? undefined : lockManager(),
  };
}

// tab loads token.js into a new context. handler(req) answers each fetch.
function tab(b, handler) {
  const calls = [];
  const session = memoryStorage();
  const local = memoryStorage();
  const ctx = {
    Headers, Promise, Object, Array, String, Error,
    sessionStorage: session,
    localStorage: local,
    navigator: b.locks ? { locks: b.locks } : {},
    document: {
      get cookie() {
        return Object.entries(b.cookies).map(([k, v]) => k + "=" + v).join("; ");
      },
    },
    fetch: async (url, init) => {
      const req = {
        url,
        method: init.method,
        credentials: init.credentials,
        headers: Object.fromEntries(new Headers(init.headers).entries()),
        body: init.body,
      };
      calls.push(req);
      return handler(req);
    },
  };
  ctx.window = ctx;
  vm.createContext(ctx);
  vm.runInContext(source, ctx);
  return { Auth: ctx.Auth, calls, session, local };
}

function json(status, body) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

const tick = () => new Promise((r) => setTimeout(r, 5));

test("authFetch sends the token, the CSRF header on writes, and cookies", async () => {
  const t = tab(browser(), () => json(200, {}));
  t.Auth.setAccessToken("at-1");

  await t.Auth.authFetch("/api/me");
  await t.Auth.authFetch("/api/sessions/7", { method: "delete" });

  const [get, del] = t.calls;
  assert.equal(get.headers.authorization, "Bearer at-1");
  assert.equal(get.headers["x-csrf-token"], undefined);
  assert.equal(get.credentials, "include");
  assert.equal(del.method, "DELETE");
  assert.equal(del.headers["x-csrf-token"], "csrf-1");
  assert.equal(t.session.getItem("access_token"), "at-1");
  assert.equal(t.local.size, 0);
});

test("a 401 refreshes once and retries once with the new token", async () => {
  const t = tab(browser(), (req) => {
    if (req.url === "/auth/refresh") {
      return json(200, { access_token: "at-2", token_type: "bearer", expires_in: 900 });
    }
    return req.headers.authorization === "Bearer at-2" ? json(200, { id: 1 }) : json(401, {});
  });
  t.Auth.setAccessToken("at-1");

  const res = await t.Auth.authFetch("/api/me");

  assert.equal(res.status, 200);
  assert.deepEqual(t.calls.map((c) => c.url), ["/api/me", "/auth/refresh", "/api/me"]);
  const refresh = t.calls[1];
  assert.equal(refresh.method, "POST");
  assert.equal(refresh.credentials, "include");
  assert.equal(refresh.headers["x-csrf-token"], "csrf-1");
  assert.equal(refresh.headers.authorization, undefined);
  assert.equal(t.Auth.getAccessToken(), "at-2");
});

test("a failed refresh clears the token and returns the first 401", async () => {
  const t = tab(browser(), (req) =>
    req.url === "/auth/refresh" ? json(401, { detail: "no" }) : json(401, { detail: "first" }));
  t.Auth.setAccessToken("at-1");

  const res = await t.Auth.authFetch("/api/me");

  assert.equal(res.status, 401);
  assert.equal((await res.json()).detail, "first");
  assert.deepEqual(t.calls.map((c) => c.url), ["/api/me", "/auth/refresh"]);
  assert.equal(t.Auth.getAccessToken(), null);
  assert.equal(t.session.getItem("access_token"), null);
});

test("a network error on refresh counts as a failed refresh", async () => {
  const t = tab(browser(), (req) => {
    if (req.url === "/auth/refresh") {
      throw new TypeError("offline");
    }
    return json(401, {});
  });
  t.Auth.setAccessToken("at-1");

  const res = await t.Auth.authFetch("/api/me");

  assert.equal(res.status, 401);
  assert.equal(t.Auth.getAccessToken(), null);
});

test("a second 401 after the retry is returned, not refreshed again", async () => {
  const t = tab(browser(), (req) =>
    req.url === "/auth/refresh" ? json(200, { access_token: "at-2" }) : json(401, {}));
  t.Auth.setAccessToken("at-1");

  const res = await t.Auth.authFetch("/api/me");

  assert.equal(res.status, 401);
  assert.deepEqual(t.calls.map((c) => c.url), ["/api/me", "/auth/refresh", "/api/me"]);
});

test("simultaneous 401s share one refresh", async () => {
  let release;
  const gate = new Promise((r) => { release = r; });
  const t = tab(browser(), async (req) => {
    if (req.url === "/auth/refresh") {
      await gate;
      return json(200, { access_token: "at-2" });
    }
    return req.headers.authorization === "Bearer at-2" ? json(200, {}) : json(401, {});
  });
  t.Auth.setAccessToken("at-1");

  const all = Promise.all([
    t.Auth.authFetch("/api/me"),
    t.Auth.authFetch("/api/sessions"),
    t.Auth.authFetch("/api/activity?limit=20"),
  ]);
  await tick();
  release();
  const res = await all;

  assert.deepEqual(res.map((r) => r.status), [200, 200, 200]);
  assert.equal(t.calls.filter((c) => c.url === "/auth/refresh").length, 1);
});

test("a 401 for a token that has since been replaced retries without refreshing", async () => {
  let answerOld;
  const old = new Promise((r) => { answerOld = r; });
  const t = tab(browser(), (req) => {
    if (req.url === "/auth/refresh") {
      return json(200, { access_token: "at-2" });
    }
    if (req.headers.authorization === "Bearer at-2") {
      return json(200, {});
    }
    return req.url === "/slow" ? old : json(401, {});
  });
  t.Auth.setAccessToken("at-1");

  const slow = t.Auth.authFetch("/slow");
  await tick();
  await t.Auth.authFetch("/api/me"); // refreshes to at-2
  answerOld(json(401, {}));
  const res = await slow;

  assert.equal(res.status, 200);
  assert.equal(t.calls.filter((c) => c.url === "/auth/refresh").length, 1);
});

test("refresh runs under the finintelli-refresh Web Lock", async () => {
  const b = browser();
  const t = tab(b, () => json(200, { access_token: "at-2" }));

  assert.equal(await t.Auth.refresh(), "at-2");
  assert.deepEqual(b.locks.log, ["finintelli-refresh"]);
});

test("without Web Locks refresh still works", async () => {
  const t = tab(browser({ noLocks: true }), () => json(200, { access_token: "at-2" }));

  assert.equal(await t.Auth.refresh(), "at-2");
});

// rotatingServer models the server's refresh rule: each use rotates the cookie; the token
// just replaced is accepted for a grace period, an older one is reuse and ends the session.
function rotatingServer(b) {
  let n = 1;
  let previous = null;
  let inFlight = 0;
  const state = { maxInFlight: 0, reuse: false, rotations: 0 };
  b.cookies.refresh_token = "rt-1";
  state.handler = async (req) => {
    if (req.url !== "/auth/refresh") {
      return json(200, {});
    }
    const sent = b.cookies.refresh_token; // the jar's cookie at send time
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    await tick();
    inFlight--;
    const current = "rt-" + n;
    if (sent !== current && sent !== previous) {
      state.reuse = true;
      return json(401, { detail: "reuse" });
    }
    previous = current;
    n++;
    state.rotations++;
    b.cookies.refresh_token = "rt-" + n;
    return json(200, { access_token: "at-" + n });
  };
  return state;
}

test("two tabs refreshing together take turns and both keep their session", async () => {
  const b = browser();
  const server = rotatingServer(b);
  const tabs = [tab(b, server.handler), tab(b, server.handler), tab(b, server.handler)];

  const tokens = await Promise.all(tabs.map((t) => t.Auth.refresh()));

  assert.equal(server.maxInFlight, 1, "refreshes overlapped");
  assert.equal(server.reuse, false);
  assert.equal(server.rotations, 3);
  assert.equal(new Set(tokens).size, 3);
  tokens.forEach((t) => assert.ok(t));
  tabs.forEach((t) => assert.equal(t.local.size, 0));
});
