// Tests of static/js/risk.js without a browser: run with
//
//	node --test internal/web/ui/testdata/
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const source = fs.readFileSync(
  path.join(__dirname, "..", "static", "js", "risk.js"), "utf8");

// load runs risk.js in a fresh context and returns its window.RiskText.
function load() {
  const context = {};
  context.window = context;
  vm.runInNewContext(source, context);
  return context.RiskText;
}

test("events have readable labels", () => {
  const r = load();
  const cases = [
    ["login_success", "Signed in"],
    ["refresh_reuse_detected", "Token reuse detected"],
    ["user_updated", "Account changed by an administrator"],
    ["password_change_failed", "Wrong password on password change"],
    ["some_new_event", "Some new event"],
    ["", "Event"],
    [undefined, "Event"],
    ["__proto__", "Proto"],
    ["toString", "ToString"],
  ];
  for (const [type, want] of cases) {
    assert.equal(r.eventLabel(type), want, String(type));
  }
});

test("reasons read as sentences", () => {
  const r = load();
  const cases = [
    [{ signal: "new_country", contribution: 0.5, detail: "NZ" }, "New country (+0.50): NZ"],
    [{ signal: "new_device", contribution: 0.3 }, "New device (+0.30)"],
    [{ signal: "impossible_travel", contribution: 0.9, detail: " 1200 km/h " },
      "Impossible travel (+0.90): 1200 km/h"],
    [{ signal: "token_reuse", score: 1 }, "Refresh token reused"],
    [{ signal: "odd_signal", contribution: 0 }, "Odd signal"],
    [{ signal: "failure_burst", contribution: "x" }, "Burst of failed sign-ins"],
    ["spraying", "Many accounts tried from one address"],
    [{ contribution: 0.4 }, ""],
    [null, ""],
    [42, ""],
  ];
  for (const [reason, want] of cases) {
    assert.equal(r.reasonText(reason), want, JSON.stringify(reason));
  }
  // Arrays made in the script's context: compare their items, not their prototypes.
  const list = (v) => Array.from(v);
  assert.deepEqual(list(r.reasonsText([{ signal: "new_device" }, 7, "spraying", {}])),
    ["New device", "Many accounts tried from one address"]);
  assert.deepEqual(list(r.reasonsText(undefined)), []);
  assert.deepEqual(list(r.reasonsText("new_device")), []);
});

test("scores show two decimals or a dash", () => {
  const r = load();
  const cases = [[0, "0.00"], [0.855, "0.85"], [1, "1.00"], [null, "—"], [undefined, "—"],
    ["", "—"], ["abc", "—"], [Infinity, "—"]];
  for (const [score, want] of cases) {
    assert.equal(r.scoreText(score), want, String(score));
  }
});

test("labels are text, never markup", () => {
  const r = load();
  const text = r.reasonText({ signal: "<img src=x onerror=alert(1)>", detail: "<b>hi</b>" });
  assert.equal(text, "<img src=x onerror=alert(1)>: <b>hi</b>");
});
