package password_test

import (
	"testing"

	"github.com/trustelem/zxcvbn/frequency"

	"github.com/finintelli/auth/internal/password"
)

func TestIsCommonCoversList(t *testing.T) {
	list := frequency.FrequencyLists["passwords"]
	if len(list) < 10000 {
		t.Fatalf("zxcvbn password list: got %d entries, want at least 10000", len(list))
	}

	for rank, p := range list {
		if !password.IsCommon(p) {
			t.Fatalf("IsCommon(%q) at rank %d: got false, want true", p, rank+1)
		}
	}
}
