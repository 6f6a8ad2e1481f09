package ratelimit

// RoundUp exposes roundUp to the tests.
var RoundUp = roundUp
