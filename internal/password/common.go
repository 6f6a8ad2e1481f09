package password

import (
	"strings"
	"sync"

	"github.com/trustelem/zxcvbn/frequency"
)

// commonList is the key of zxcvbn's ranked list of leaked passwords, most common first.
const commonList = "passwords"

// commonSet holds every entry of that list, built on first use.
var commonSet = sync.OnceValue(func() map[string]struct{} {
	list := frequency.FrequencyLists[commonList]

	set := make(map[string]struct{}, len(list))
	for _, p := range list {
		set[strings.ToLower(p)] = struct{}{}
	}
	return set
})

// IsCommon reports whether password, lower-cased, is on zxcvbn's list of about 30,000 of the
// most common leaked passwords. The list is lower-case, so "Password1" counts as common.
// Nothing is trimmed: surrounding spaces make a different password.
func IsCommon(password string) bool {
	_, ok := commonSet()[strings.ToLower(password)]
	return ok
}
