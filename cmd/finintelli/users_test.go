package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/config"
	"github.com/finintelli/auth/internal/password"
	"github.com/finintelli/auth/internal/store/postgres"
	"github.com/finintelli/auth/internal/store/sqlite"
	"github.com/finintelli/auth/internal/testenv"
	"github.com/finintelli/auth/internal/token"
)

// testPassword passes the password policy.
const testPassword = "correct horse battery staple 42"

// runIn runs the command with the given settings and standard input.
func runIn(t *testing.T, env map[string]string, stdin string, args ...string) (int, string,
	string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	code := run(context.Background(), args, lookup, strings.NewReader(stdin), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// mustRun runs the command and fails the test unless it exits 0.
func mustRun(t *testing.T, env map[string]string, stdin string, args ...string) string {
	t.Helper()
	code, stdout, stderr := runIn(t, env, stdin, args...)
	if code != 0 {
		t.Fatalf("%s: exit %d, stderr %q", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

// wantFailure runs the command and checks its exit code and that stderr mentions want.
func wantFailure(t *testing.T, env map[string]string, stdin string, code int, want string,
	args ...string) string {
	t.Helper()
	got, stdout, stderr := runIn(t, env, stdin, args...)
	if got != code || !strings.Contains(stderr, want) {
		t.Fatalf("%s: got exit %d, stderr %q (stdout %q); want exit %d mentioning %q",
			strings.Join(args, " "), got, stderr, stdout, code, want)
	}
	return stderr
}

// backend is a database the commands run against.
type backend struct {
	env  map[string]string
	open func(t *testing.T) auth.Store
}

// forEachBackend runs fn on a fresh SQLite data directory and a fresh PostgreSQL database.
func forEachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		fn(t, backend{
			env: map[string]string{"DATA_DIR": dir, "BCRYPT_COST": "4"},
			open: func(t *testing.T) auth.Store {
				s, err := sqlite.Open(context.Background(), filepath.Join(dir,
					config.SQLiteFile))
				if err != nil {
					t.Fatalf("open sqlite: %v", err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			},
		})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		url := testenv.Postgres(t)
		fn(t, backend{
			env: map[string]string{"DATA_DIR": t.TempDir(), "BCRYPT_COST": "4",
				"DATABASE_URL": url},
			open: func(t *testing.T) auth.Store {
				s, err := postgres.Open(context.Background(), url)
				if err != nil {
					t.Fatalf("open postgres: %v", err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			},
		})
	})
}

// userNamed reads an account from the store.
func userNamed(t *testing.T, s auth.Store, login string) (auth.User, error) {
	t.Helper()
	var u auth.User
	err := s.InTx(context.Background(), func(tx auth.Tx) (err error) {
		u, err = tx.UserByLogin(context.Background(), auth.LoginKey(login))
		return err
	})
	return u, err
}

// countUsers counts the accounts in the store.
func countUsers(t *testing.T, s auth.Store) int {
	t.Helper()
	var n int
	err := s.InTx(context.Background(), func(tx auth.Tx) (err error) {
		_, n, err = tx.ListUsers(context.Background(), auth.UserFilter{Limit: 1})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCommandHelp(t *testing.T) {
	env := map[string]string{"DATA_DIR": t.TempDir()}
	for _, args := range [][]string{
		{"user", "--help"},
		{"user", "create", "--help"},
		{"user", "import", "-h"},
		{"user", "set-admin", "--help"},
		{"user", "activate", "--help"},
		{"user", "deactivate", "--help"},
		{"tokens", "prune", "--help"},
		{"activity", "prune", "--help"},
		{"tokens", "--help"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, stdout, stderr := runIn(t, env, "", args...)
			if code != 0 || !strings.Contains(stdout, "usage: finintelli "+args[0]) ||
				stderr != "" {
				t.Errorf("got exit %d, stdout %q, stderr %q; want 0 and the usage on stdout",
					code, stdout, stderr)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(env["DATA_DIR"], config.SQLiteFile)); err == nil {
		t.Error("--help opened the database")
	}
}

func TestCommandUsageErrors(t *testing.T) {
	env := map[string]string{"DATA_DIR": t.TempDir()}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"user"}, "usage: finintelli user"},
		{[]string{"user", "rename"}, `unknown command "rename"`},
		{[]string{"user", "create"}, "--username and --email are required"},
		{[]string{"user", "create", "--username", "a"}, "--username and --email"},
		{[]string{"user", "create", "--username", "a", "--email", "a@example.com",
			"--password", "secret"}, "flag provided but not defined: -password"},
		{[]string{"user", "create", "--username", "a", "--email", "a@example.com", "extra"},
			"takes no arguments"},
		{[]string{"user", "import"}, "expects 1 argument(s)"},
		{[]string{"user", "import", "a.csv", "b.csv"}, "expects 1 argument(s)"},
		{[]string{"user", "import", "--format", "xml", "a.csv"}, `unknown --format "xml"`},
		{[]string{"user", "set-admin"}, "expects 1 argument(s)"},
		{[]string{"user", "deactivate", "a", "b"}, "expects 1 argument(s)"},
		{[]string{"tokens"}, "usage: finintelli tokens prune"},
		{[]string{"tokens", "purge"}, "usage: finintelli tokens prune"},
		{[]string{"activity", "prune", "now"}, "takes no arguments"},
		{[]string{"activity", "prune", "--days", "-1"}, "--days must be"},
		{[]string{"tokens", "prune", "--days", "x"}, "invalid value"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			wantFailure(t, env, "", 2, tt.want, tt.args...)
		})
	}
}

func TestUserCommands(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		env := b.env
		out := mustRun(t, env, testPassword+"\n", "user", "create", "--username", "Alice",
			"--email", "alice@example.com")
		if !strings.Contains(out, "created user Alice") {
			t.Errorf("create: got %q", out)
		}
		out = mustRun(t, env, testPassword+"\r\n", "user", "create", "--admin",
			"--username=Root", "--email=root@example.com")
		if !strings.Contains(out, "created administrator Root") {
			t.Errorf("create --admin: got %q", out)
		}

		failures := []struct {
			name, stdin, want string
			args              []string
		}{
			{"taken username", testPassword, "Username already registered",
				[]string{"--username", "ALICE", "--email", "other@example.com"}},
			{"taken e-mail", testPassword, "Email already registered",
				[]string{"--username", "alice2", "--email", "Alice@Example.com"}},
			{"common password", "password123\n", "too common",
				[]string{"--username", "bob", "--email", "bob@example.com"}},
			{"short password", "short\n", "at least",
				[]string{"--username", "bob", "--email", "bob@example.com"}},
			{"no password", "", "no password given",
				[]string{"--username", "bob", "--email", "bob@example.com"}},
			{"password too long", strings.Repeat("p", 2000), "too long",
				[]string{"--username", "bob", "--email", "bob@example.com"}},
			{"bad username", testPassword, "Username may contain only",
				[]string{"--username", "bob smith", "--email", "bob@example.com"}},
			{"bad e-mail", testPassword, "valid e-mail",
				[]string{"--username", "bob", "--email", "bob@"}},
		}
		for _, tt := range failures {
			t.Run(tt.name, func(t *testing.T) {
				wantFailure(t, env, tt.stdin, 1, tt.want,
					append([]string{"user", "create"}, tt.args...)...)
			})
		}

		s := b.open(t)
		alice, err := userNamed(t, s, "alice")
		if err != nil {
			t.Fatalf("alice: %v", err)
		}
		ok, _, err := password.New(password.Config{Cost: 4}).Verify(context.Background(),
			alice.HashedPassword, testPassword)
		if err != nil || !ok || alice.IsAdmin || !alice.IsActive {
			t.Fatalf("alice: got admin %t, active %t, password ok %t (%v)", alice.IsAdmin,
				alice.IsActive, ok, err)
		}
		if n := countUsers(t, s); n != 2 {
			t.Errorf("got %d users, want 2", n)
		}

		out = mustRun(t, env, "", "user", "set-admin", "alice@example.com")
		if !strings.Contains(out, "Alice is an administrator") {
			t.Errorf("set-admin: got %q", out)
		}
		if u, _ := userNamed(t, s, "alice"); !u.IsAdmin {
			t.Error("set-admin: alice is not an administrator")
		}
		mustRun(t, env, "", "user", "set-admin", "--remove", "Alice")
		if u, _ := userNamed(t, s, "alice"); u.IsAdmin {
			t.Error("set-admin --remove: alice is still an administrator")
		}
		wantFailure(t, env, "", 1, `no user "nobody"`, "user", "set-admin", "nobody")
		wantFailure(t, env, "", 1, `no user "nobody"`, "user", "deactivate", "nobody")

		sessionID := startSession(t, s, alice)
		out = mustRun(t, env, "", "user", "deactivate", "alice")
		if !strings.Contains(out, "Alice is deactivated") {
			t.Errorf("deactivate: got %q", out)
		}
		sess, u, err := s.SessionWithUser(context.Background(), sessionID)
		if err != nil || sess.Active() || u.IsActive {
			t.Errorf("after deactivate: session active %t, user active %t (%v); want neither",
				sess.Active(), u.IsActive, err)
		}
		mustRun(t, env, "", "user", "activate", "alice")
		if u, _ := userNamed(t, s, "alice"); !u.IsActive {
			t.Error("activate: alice is still inactive")
		}
	})
}

// startSession gives u a session with one refresh token, as a login would.
func startSession(t *testing.T, s auth.Store, u auth.User) string {
	t.Helper()
	id := "cli-session-" + testenv.RandomSuffix()
	now := time.Now().UTC()
	err := s.InTx(context.Background(), func(tx auth.Tx) error {
		sess := auth.Session{ID: id, UserID: u.ID, CreatedAt: now}
		if err := tx.CreateSession(context.Background(), &sess); err != nil {
			return err
		}
		r := auth.RefreshToken{UserID: u.ID, SessionID: id, TokenHash: "h-" + id,
			ExpiresAt: now.Add(time.Hour), CreatedAt: now}
		return tx.CreateRefreshToken(context.Background(), &r)
	})
	if err != nil {
		t.Fatalf("start session: %v", err)
	}
	return id
}

// bcryptOf hashes pw at the lowest cost, with the given prefix ($2a$, $2b$ or $2y$).
func bcryptOf(t *testing.T, pw, prefix string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pw), 4)
	if err != nil {
		t.Fatal(err)
	}
	return prefix + string(h[4:])
}

// sha256Hex is a legacy password hash.
func sha256Hex(pw string) string {
	sum := sha256.Sum256([]byte(pw))
	return hex.EncodeToString(sum[:])
}

// writeFile writes a file in the test's temporary directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestUserImport(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		env := b.env
		legacy := sha256Hex(testPassword)
		good := writeFile(t, "users.csv", "\xef\xbb\xbfUsername, email ,password_hash,is_admin\n"+
			"carol,carol@example.com,"+bcryptOf(t, testPassword, "$2b$")+",true\n"+
			"\n"+
			`"dave","dave@example.com",`+strings.ToUpper(legacy)+",no\n"+
			"erin,erin@example.com,"+bcryptOf(t, testPassword, "$2y$")+",\n")

		out := mustRun(t, env, "", "user", "import", "--dry-run", good)
		if !strings.Contains(out, "dry run: would create 3 accounts, skip 0 accounts") {
			t.Errorf("dry run: got %q", out)
		}
		s := b.open(t)
		if n := countUsers(t, s); n != 0 {
			t.Fatalf("dry run wrote %d users, want 0", n)
		}

		out = mustRun(t, env, "", "user", "import", good)
		if !strings.Contains(out, "created 3 accounts, skipped 0 accounts") {
			t.Errorf("import: got %q", out)
		}
		carol, err := userNamed(t, s, "carol")
		if err != nil || !carol.IsAdmin || !carol.IsActive {
			t.Errorf("carol: got %+v (%v), want an active administrator", carol, err)
		}
		out = mustRun(t, env, "", "user", "import", good)
		if !strings.Contains(out, "created 0 accounts, skipped 3 accounts") {
			t.Errorf("second run: got %q, want everything skipped", out)
		}

		// The legacy hash works once and is then replaced by bcrypt.
		loginOnce(t, s, "dave", testPassword)
		dave, _ := userNamed(t, s, "dave")
		if !strings.HasPrefix(dave.HashedPassword, "$2") {
			t.Errorf("dave's hash after login: got %q, want bcrypt", dave.HashedPassword)
		}
		out = mustRun(t, env, "", "user", "import", good)
		if !strings.Contains(out, `line 4: "dave" exists and was left unchanged (differs in `+
			`password hash)`) {
			t.Errorf("third run: got %q, want a note about dave's hash", out)
		}

		before := countUsers(t, s)
		bad := writeFile(t, "bad.csv", "username,email,password_hash,is_active\n"+
			"frank,frank@example.com,"+legacy+",true\n"+
			"gina,not-an-email,"+legacy+",true\n"+
			"carol,carol@elsewhere.example,"+legacy+",true\n"+
			"hank,hank@example.com,plaintext-password,true\n"+
			"Frank,frank2@example.com,"+legacy+",true\n"+
			"ivan,ivan@example.com,"+legacy+",maybe\n"+
			"judy,judy@example.com\n"+
			"kim,dave@example.com,"+legacy+",true\n")
		stderr := wantFailure(t, env, "", 1, "7 problems in the file; nothing was imported",
			"user", "import", bad)
		for _, want := range []string{
			"line 3: e-mail \"not-an-email\"",
			"line 4: username \"carol\" is taken by an account with another e-mail",
			"line 5: password_hash must be",
			"line 6: username \"Frank\" repeats line 2",
			"line 7: is_active \"maybe\" is not true or false",
			"line 8: got 2 fields, want 4",
			"line 9: e-mail address \"dave@example.com\" is registered to another account",
		} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		}
		if n := countUsers(t, s); n != before {
			t.Errorf("a rejected import changed the users from %d to %d", before, n)
		}

		jsonl := writeFile(t, "more.jsonl", `{"username":"lena","email":"lena@example.com",`+
			`"password_hash":"`+legacy+`","is_admin":false,"is_active":false}`+"\n\n"+
			`{"username":"mia","email":"mia@example.com","password_hash":"`+legacy+`"}`+"\n")
		out = mustRun(t, env, "", "user", "import", jsonl)
		if !strings.Contains(out, "created 2 accounts") {
			t.Errorf("jsonl: got %q", out)
		}
		if lena, _ := userNamed(t, s, "lena"); lena.IsActive {
			t.Error("lena: got active, want inactive as imported")
		}

		badJSON := writeFile(t, "bad.jsonl", `{"username":"nora","email":"nora@example.com"}`+
			"\n"+`{"username":"omar","email":"omar@example.com","password_hash":"`+legacy+
			`","role":"admin"}`+"\n"+`not json`+"\n"+
			`{"username":"pia","email":"pia@example.com","password_hash":"`+legacy+
			`","is_admin":"yes"}`+"\n")
		stderr = wantFailure(t, env, "", 1, "4 problems", "user", "import", badJSON)
		for _, want := range []string{"line 1: password_hash is missing",
			`line 2: not a JSON object of the import fields: json: unknown field "role"`,
			"line 3: not a JSON object", "line 4: not a JSON object"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		}

		wantFailure(t, env, "", 1, "line 1: unknown column \"password\"", "user", "import",
			writeFile(t, "h.csv", "username,email,password\nx,x@example.com,y\n"))
		wantFailure(t, env, "", 1, "lacks the password_hash column", "user", "import",
			writeFile(t, "h2.csv", "username,email\nx,x@example.com\n"))
		wantFailure(t, env, "", 1, "holds no accounts", "user", "import",
			writeFile(t, "empty.csv", "username,email,password_hash\n"))
		wantFailure(t, env, "", 1, "no such file", "user", "import",
			filepath.Join(t.TempDir(), "missing.csv"))

		stdin := "username,email,password_hash\nquinn,quinn@example.com," + legacy + "\n"
		out = mustRun(t, env, stdin, "user", "import", "--format", "csv", "-")
		if !strings.Contains(out, "created 1 account,") {
			t.Errorf("import from stdin: got %q", out)
		}
	})
}

// loginOnce logs login in through the service, as the server would.
func loginOnce(t *testing.T, s auth.Store, login, pass string) {
	t.Helper()
	secret := []byte("cli-test-secret-0123456789abcdef-0123")
	issuer, err := token.NewIssuer(token.Config{Alg: "HS256", Secret: secret,
		Issuer: "finintelli", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	svc := auth.NewService(auth.Deps{Store: s, Passwords: password.New(password.Config{
		Cost: 4}), AccessTokens: issuer, RefreshTokens: token.NewRefresher(secret),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, auth.Config{})
	if _, err := svc.Login(context.Background(), login, pass, auth.Client{}); err != nil {
		t.Fatalf("login %s: %v", login, err)
	}
}
