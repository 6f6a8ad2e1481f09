// Package cluster holds tests that run several finintelli server processes side by side,
// sharing one PostgreSQL database and one Redis, as a deployment behind a load balancer
// does. It has no code of its own.
package cluster
