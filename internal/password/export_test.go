package password

// SetHook makes h run hook each time it has taken a hashing slot, before the bcrypt work.
// It must be called before h is shared between goroutines.
func SetHook(h *Hasher, hook func()) {
	h.hook = hook
}

// DummyHash returns the hash that VerifyDummy compares against.
func DummyHash(h *Hasher) string {
	return string(h.dummy)
}

// BcryptInput exposes what bcrypt is given for a password.
var BcryptInput = bcryptInput
