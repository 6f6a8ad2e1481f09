// Package failure holds tests that break what the server depends on while it works, and
// check that clients see only clean answers and that no session is lost, broken or forked.
// It has no code of its own.
//
// The machine's PostgreSQL and Redis are shared with other test packages running at the
// same time, so no test stops, restarts or reconfigures them. An outage is simulated
// instead: the server reaches the service through a loopback TCP proxy that the test cuts
// and restores (testenv.Proxy), and for PostgreSQL the test also terminates the backends of
// its own test database with pg_terminate_backend, which is what a restart does to every
// open connection. A process crash is a SIGKILL of a server process the test started
// itself, and a full disk is a file-size limit (RLIMIT_FSIZE) set on that process.
//
// What cannot be tested without changing the machine (mounting a small or read-only file
// system, filling the shared disk, or a disk full on the PostgreSQL server) is listed in the
// comments of the tests that come closest.
package failure
