// Package e2e holds the end-to-end test of the whole product: it starts the real server
// in-process on a loopback port and drives its pages with a headless Chromium through the
// DevTools protocol. The package has no code of its own; everything is in its test files.
//
// The test needs Debian's chromium (CHROMIUM_PATH, or chromium on PATH). Without it the test
// is skipped, except with CI=true, when it fails.
package e2e
