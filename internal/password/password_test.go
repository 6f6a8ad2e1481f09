package password_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/finintelli/auth/internal/password"
)

// fastCost keeps tests quick; the cost only scales the work.
const fastCost = bcrypt.MinCost

func newFast() *password.Hasher {
	return password.New(password.Config{Cost: fastCost, MaxConcurrent: 2})
}

func mustBcrypt(t *testing.T, pw string, cost int) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	if err != nil {
		t.Fatalf("bcrypt: %v", err)
	}
	return string(h)
}

func TestHashVerifyRoundTrip(t *testing.T) {
	ctx := t.Context()
	h := newFast()

	hash, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	if cost, err := bcrypt.Cost([]byte(hash)); err != nil || cost != fastCost {
		t.Fatalf("cost of hash: got %d (%v), want %d", cost, err, fastCost)
	}

	tests := []struct {
		name     string
		password string
		wantOK   bool
	}{
		{"same password", "correct horse battery staple", true},
		{"other password", "correct horse battery stapler", false},
		{"empty password", "", false},
		{"case differs", "Correct horse battery staple", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, upgrade, err := h.Verify(ctx, hash, tt.password)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if ok != tt.wantOK || upgrade {
				t.Errorf("got ok=%v upgrade=%v, want ok=%v upgrade=false", ok, upgrade, tt.wantOK)
			}
		})
	}
}

func TestHashIsSalted(t *testing.T) {
	h := newFast()

	a, errA := h.Hash(t.Context(), "same")
	b, errB := h.Hash(t.Context(), "same")
	if errA != nil || errB != nil {
		t.Fatalf("Hash: %v, %v", errA, errB)
	}
	if a == b {
		t.Errorf("got equal hashes %q for two calls, want different salts", a)
	}
}

func TestVerifyFormats(t *testing.T) {
	const pw = "hunter2-but-longer"
	h := newFast()

	b2a := mustBcrypt(t, pw, fastCost)
	b2b := "$2b$" + b2a[4:]
	b2y := "$2y$" + b2a[4:]
	otherCost := mustBcrypt(t, pw, fastCost+1)

	sum := sha256.Sum256([]byte(pw))
	legacy := hex.EncodeToString(sum[:])

	tests := []struct {
		name        string
		hash        string
		password    string
		wantOK      bool
		wantUpgrade bool
	}{
		{"bcrypt 2a", b2a, pw, true, false},
		{"bcrypt 2b", b2b, pw, true, false},
		{"bcrypt 2y", b2y, pw, true, false},
		{"bcrypt 2y wrong password", b2y, "nope", false, false},
		{"bcrypt other cost", otherCost, pw, true, true},
		{"bcrypt other cost wrong password", otherCost, "nope", false, false},
		{"legacy lower-case hex", legacy, pw, true, true},
		{"legacy upper-case hex", strings.ToUpper(legacy), pw, true, true},
		{"legacy wrong password", legacy, "nope", false, false},
		{"empty hash", "", pw, false, false},
		{"plain text stored", pw, pw, false, false},
		{"unknown bcrypt minor", "$2x$" + b2a[4:], pw, false, false},
		{"bcrypt truncated", b2a[:59], pw, false, false},
		{"bcrypt with trailing byte", b2a + "x", pw, false, false},
		{"bcrypt bad cost", b2a[:4] + "xx" + b2a[6:], pw, false, false},
		{"bcrypt cost too high", b2a[:4] + "99" + b2a[6:], pw, false, false},
		{"hex of wrong length", legacy[:62], pw, false, false},
		{"64 chars not hex", strings.Repeat("g", 64), pw, false, false},
		{"argon2", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", pw, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, upgrade, err := h.Verify(t.Context(), tt.hash, tt.password)
			if err != nil {
				t.Fatalf("Verify: got error %v, want none", err)
			}
			if ok != tt.wantOK || upgrade != tt.wantUpgrade {
				t.Errorf("got ok=%v upgrade=%v, want ok=%v upgrade=%v",
					ok, upgrade, tt.wantOK, tt.wantUpgrade)
			}
		})
	}
}

func TestLongPasswords(t *testing.T) {
	ctx := t.Context()
	h := newFast()

	prefix := strings.Repeat("p", 72)
	long1 := prefix + strings.Repeat("1", 28) // 100 bytes
	long2 := prefix + strings.Repeat("2", 28) // 100 bytes, same first 72
	pw80 := strings.Repeat("e", 80)

	tests := []struct {
		name     string
		stored   string
		password string
		wantOK   bool
	}{
		{"72 bytes", prefix, prefix, true},
		{"80 bytes", pw80, pw80, true},
		{"80 bytes, last byte differs", pw80, pw80[:79] + "f", false},
		{"100 bytes", long1, long1, true},
		{"100 bytes sharing 72-byte prefix", long1, long2, false},
		{"72-byte prefix of a long password", long1, prefix, false},
		{"long password against its 72-byte prefix", prefix, long1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hash, err := h.Hash(ctx, tt.stored)
			if err != nil {
				t.Fatalf("Hash: %v", err)
			}

			ok, _, err := h.Verify(ctx, hash, tt.password)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if ok != tt.wantOK {
				t.Errorf("got ok=%v, want %v", ok, tt.wantOK)
			}
		})
	}
}

func TestBcryptInput(t *testing.T) {
	short := strings.Repeat("s", 72)
	if got := string(password.BcryptInput(short)); got != short {
		t.Errorf("72-byte input: got %q, want the password unchanged", got)
	}

	// The documented contract: base64.StdEncoding of SHA-256, 44 bytes.
	long := strings.Repeat("l", 73)
	sum := sha256.Sum256([]byte(long))
	want := base64.StdEncoding.EncodeToString(sum[:])
	if got := string(password.BcryptInput(long)); got != want || len(got) != 44 {
		t.Errorf("73-byte input: got %q (%d bytes), want %q (44 bytes)", got, len(got), want)
	}
}

// Hashes that plain bcrypt made of passwords up to 72 bytes must keep verifying.
func TestVerifyForeignBcrypt(t *testing.T) {
	pw := strings.Repeat("ü", 36) // 72 bytes of UTF-8
	hash := mustBcrypt(t, pw, fastCost)

	ok, upgrade, err := newFast().Verify(t.Context(), hash, pw)
	if err != nil || !ok || upgrade {
		t.Errorf("got ok=%v upgrade=%v err=%v, want ok=true upgrade=false err=nil",
			ok, upgrade, err)
	}
}

func TestVerifyDummy(t *testing.T) {
	h := password.New(password.Config{Cost: 5})
	dummy := []byte(password.DummyHash(h))

	cost, err := bcrypt.Cost(dummy)
	if err != nil || cost != 5 {
		t.Fatalf("dummy cost: got %d (%v), want 5", cost, err)
	}

	// A mismatch, not a parse error, proves that the full work was done.
	err = bcrypt.CompareHashAndPassword(dummy, []byte("anything"))
	if !errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
		t.Errorf("compare with dummy: got %v, want ErrMismatchedHashAndPassword", err)
	}

	if err := h.VerifyDummy(t.Context(), "anything"); err != nil {
		t.Errorf("VerifyDummy: got %v, want nil", err)
	}
}

func TestConfigDefaults(t *testing.T) {
	tests := []struct {
		cost int
		want int
	}{
		{0, password.DefaultCost},
		{-3, bcrypt.MinCost},
		{2, bcrypt.MinCost},
		{10, 10},
		{99, bcrypt.MaxCost},
	}
	for _, tt := range tests {
		if got := password.New(password.Config{Cost: tt.cost}).Cost(); got != tt.want {
			t.Errorf("Cost %d: got %d, want %d", tt.cost, got, tt.want)
		}
	}
}

func TestVerifyCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	h := newFast()

	_, err := h.Hash(ctx, "pw")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Hash: got %v, want context.Canceled", err)
	}
	_, _, err = h.Verify(ctx, mustBcrypt(t, "pw", fastCost), "pw")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Verify: got %v, want context.Canceled", err)
	}
	if err := h.VerifyDummy(ctx, "pw"); !errors.Is(err, context.Canceled) {
		t.Errorf("VerifyDummy: got %v, want context.Canceled", err)
	}
}

func TestIsCommon(t *testing.T) {
	tests := []struct {
		password string
		want     bool
	}{
		{"password1", true},
		{"qwertyuiop", true},
		{"iloveyou", true},
		{"123456", true},
		{"PassWord1", true},
		{"ILOVEYOU", true},
		{" password1", false},
		{"", false},
		{rand.Text(), false},
		{"Tr0ub4dor&3-correct-horse-" + rand.Text(), false},
	}
	for _, tt := range tests {
		if got := password.IsCommon(tt.password); got != tt.want {
			t.Errorf("IsCommon(%q): got %v, want %v", tt.password, got, tt.want)
		}
	}
}

// TestVerifyRefusesCostlyHashes: a stored hash of a cost above MaxStoredCost is treated as
// an unknown format, so one login attempt cannot hold a hashing slot for days. (Were it
// compared, cost 31 would not finish within the test's timeout.)
func TestVerifyRefusesCostlyHashes(t *testing.T) {
	h := password.New(password.Config{Cost: 4})
	cheap, err := h.Hash(context.Background(), "right password")
	if err != nil {
		t.Fatal(err)
	}
	costly := cheap[:4] + "31" + cheap[6:]

	ok, upgrade, err := h.Verify(context.Background(), costly, "right password")
	if ok || upgrade || err != nil {
		t.Fatalf("Verify of a cost-31 hash: got ok=%v upgrade=%v err=%v, want a plain no",
			ok, upgrade, err)
	}
}
