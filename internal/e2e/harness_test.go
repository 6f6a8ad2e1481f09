package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/finintelli/auth/internal/app"
	"github.com/finintelli/auth/internal/config"
	"github.com/finintelli/auth/internal/testenv"
)

// testSecret signs the server's tokens; the test needs it to mint an expired access token.
const testSecret = "e2e-Kq7vRz2mWx9pLs4tYb8nHc3jFd6gUa1eVo5iTr0kMw"

// stepTimeout bounds one browser action (a navigation, a wait, a script). It is generous:
// the machine is small and shared, and no assertion depends on how long anything takes.
const stepTimeout = 30 * time.Second

// chromiumPath returns the browser to drive: CHROMIUM_PATH, else chromium on PATH. Without
// one the test is skipped, or fails when CI=true.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			testenv.Unavailable(t, "Chromium (CHROMIUM_PATH)", err)
		}
		return p
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		testenv.Unavailable(t, "Chromium (apt-get install chromium)", err)
	}
	return p
}

// syncBuffer is a bytes.Buffer that the server and the browser may write to from any
// goroutine; the test prints it only when it fails.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// tail returns the last n bytes written.
func (b *syncBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return s
}

// withoutDBus drops the lines in which Chromium complains that it has no D-Bus, which a
// headless browser in a container never has.
func withoutDBus(s string) string {
	var keep []string
	for _, line := range strings.Split(s, "\n") {
		if !strings.Contains(line, ":ERROR:dbus/") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

// startServer runs the real server in-process on SQLite in a temporary folder and returns
// its base URL. The server's log is printed when the test fails.
func startServer(t *testing.T) string {
	t.Helper()
	env := map[string]string{
		"APP_ENV":                     "development",
		"LISTEN_ADDR":                 "127.0.0.1:0",
		"DATA_DIR":                    t.TempDir(),
		"JWT_SECRET":                  testSecret,
		"BCRYPT_COST":                 "4",
		"ACCESS_TOKEN_EXPIRE_MINUTES": "15",
	}
	cfg, err := config.Load(func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}, "")
	if err != nil {
		t.Fatalf("config: %v", err)
	}

	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	a, err := app.Open(ctx, cfg, logger)
	if err != nil {
		t.Fatalf("open app: %v", err)
	}

	served := make(chan error, 1)
	go func() { served <- a.Serve() }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		if t.Failed() {
			t.Logf("server log (tail):\n%s", logs.tail(16<<10))
		}
	})
	return "http://" + a.Addr()
}

// browser is a headless Chromium with one profile: its tabs share cookies.
type browser struct {
	base   string
	alloc  context.Context // starts the browser
	output *syncBuffer     // the browser's stdout and stderr, and chromedp's errors
	first  context.Context // the first tab, nil until newTab opens it
}

// startBrowser prepares Chromium with a fresh profile under t.TempDir; the first newTab
// starts it. The browser lives until ctx ends or the test cleans up.
func startBrowser(ctx context.Context, t *testing.T, exe, base string) *browser {
	t.Helper()
	output := &syncBuffer{}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
		chromedp.WindowSize(1280, 800),
		chromedp.CombinedOutput(output),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}

	alloc, cancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(func() {
		cancel()
		if t.Failed() {
			t.Logf("browser output (tail, without D-Bus noise):\n%s",
				withoutDBus(output.tail(64<<10)))
		}
	})
	return &browser{base: base, alloc: alloc, output: output}
}

// tab is one browser tab with the recorder of its events.
type tab struct {
	name string
	base string
	ctx  context.Context
	rec  *recorder
}

// newTab opens a tab. The first call starts the browser; later calls open new tabs in the
// same browser context, so that all tabs share cookies. Each tab's recorder is in place
// before the tab is attached, so it sees every event.
func (b *browser) newTab(t *testing.T, name string) *tab {
	t.Helper()
	rec := newRecorder(name)
	var ctx context.Context
	var cancel context.CancelFunc
	if b.first == nil {
		ctx, cancel = chromedp.NewContext(b.alloc, chromedp.WithListener(rec.listen),
			chromedp.WithErrorf(func(format string, args ...any) {
				fmt.Fprintf(b.output, "chromedp: "+format+"\n", args...)
			}))
		b.first = ctx
	} else {
		ctx, cancel = chromedp.NewContext(b.first, chromedp.WithListener(rec.listen))
	}
	t.Cleanup(cancel)

	// The first action binds the tab to ctx, so it runs without a shorter deadline.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("%s: open tab: %v", name, err)
	}
	return &tab{name: name, base: b.base, ctx: ctx, rec: rec}
}

// do runs actions in the tab, failing the test on an error.
func (tb *tab) do(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %s: %v", tb.name, what, err)
	}
}

// run runs one action in the tab and returns its value, failing the test on an error.
func run[T any](t *testing.T, tb *tab, what string, action chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		t.Fatalf("%s: %s: %v", tb.name, what, err)
	}
	return v
}

// eval evaluates a script in the page, waiting for the promise it returns, if any.
func eval[T any](t *testing.T, tb *tab, script string) T {
	t.Helper()
	return run(t, tb, "evaluate "+firstLine(script),
		chromedp.Evaluate[T](script, chromedp.EvalAwaitPromise))
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' || i >= 60 {
			return s[:i] + "…"
		}
	}
	return s
}

// open navigates to path and waits for the element sel to be visible.
func (tb *tab) open(t *testing.T, path, sel string) {
	t.Helper()
	tb.do(t, "open "+path, chromedp.Navigate(tb.base+path),
		chromedp.WaitVisible(chromedp.CSS(sel)))
}

// waitTrue waits until the script evaluates to true. Errors while waiting (such as a page
// that is being replaced) count as "not yet".
func (tb *tab) waitTrue(t *testing.T, what, script string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](script))
		if err == nil && ok {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: waiting for %s: %v (last error: %v)", tb.name, what, ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// waitPath waits until the tab shows path.
func (tb *tab) waitPath(t *testing.T, path string) {
	t.Helper()
	tb.waitTrue(t, "location "+path, "location.pathname === "+jsString(path))
}

// jsString returns s as a JavaScript string literal.
func jsString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // a string always marshals
	}
	return string(b)
}

// cookies returns the cookies the browser would send to each of urls.
func (tb *tab) cookies(t *testing.T, urls ...string) []*network.Cookie {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: urls})
	if err != nil {
		t.Fatalf("%s: get cookies: %v", tb.name, err)
	}
	return res.Cookies
}

// viewport is a screen size for screenshots.
type viewport struct {
	width, height int64
	mobile        bool
}

func (v viewport) String() string { return fmt.Sprintf("%dx%d", v.width, v.height) }

// setViewport emulates a screen of size v.
func (tb *tab) setViewport(t *testing.T, v viewport) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	_, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride,
		emulation.SetDeviceMetricsOverrideParams{Width: v.width, Height: v.height,
			DeviceScaleFactor: 1, Mobile: v.mobile})
	if err != nil {
		t.Fatalf("%s: set viewport %v: %v", tb.name, v, err)
	}
}

// screenshot saves the visible part of the page as dir/name.png.
func (tb *tab) screenshot(t *testing.T, dir, name string) {
	t.Helper()
	png := run(t, tb, "screenshot "+name, chromedp.CaptureScreenshot())
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatalf("save screenshot: %v", err)
	}
}
