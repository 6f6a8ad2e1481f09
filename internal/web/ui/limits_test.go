package ui_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/finintelli/auth/internal/auth"
)

// TestFormLimitsMatchPolicy keeps the register form's hints and HTML constraints in step
// with the registration policy of package auth.
func TestFormLimitsMatchPolicy(t *testing.T) {
	page := render(t, "register")

	byID := map[string]map[string]string{}
	for _, in := range inputTags(page) {
		byID[in["id"]] = in
	}
	tests := []struct {
		id, attr string
		want     int
	}{
		{"username", "minlength", auth.UsernameMinLen},
		{"username", "maxlength", auth.UsernameMaxLen},
		{"email", "maxlength", auth.EmailMaxLen},
		{"password", "minlength", auth.PasswordMinLen},
		{"confirmPassword", "minlength", auth.PasswordMinLen},
	}
	for _, tt := range tests {
		t.Run(tt.id+" "+tt.attr, func(t *testing.T) {
			got, err := strconv.Atoi(byID[tt.id][tt.attr])
			if err != nil || got != tt.want {
				t.Errorf("got %s=%q, want %d", tt.attr, byID[tt.id][tt.attr], tt.want)
			}
		})
	}

	for _, want := range []string{
		fmt.Sprintf("%d to %d letters", auth.UsernameMinLen, auth.UsernameMaxLen),
		fmt.Sprintf("At least %d characters", auth.PasswordMinLen),
	} {
		if !strings.Contains(page, want) {
			t.Errorf("register page lacks %q", want)
		}
	}
}
