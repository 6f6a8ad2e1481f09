package failure_test

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// maxMessage bounds a PostgreSQL message the dropper relays; nothing these tests send comes
// near it, and a larger length means the stream is not what the dropper understands.
const maxMessage = 16 << 20

// commitDropper is a loopback TCP proxy in front of PostgreSQL that can lose one answer.
// Once armed, it reads the server's messages one by one and, instead of passing on the next
// confirmation of a COMMIT, closes that connection: the transaction is committed in the
// database, but the client of the proxy never learns it was, as when the network or the
// database fails at the worst moment. It needs connections without TLS (sslmode=disable).
type commitDropper struct {
	tb      testing.TB
	target  string
	ln      net.Listener
	armed   atomic.Bool
	dropped chan struct{} // receives one value per confirmation lost

	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

// newCommitDropper starts a dropper in front of target (host:port) and stops it when the
// test ends.
func newCommitDropper(tb testing.TB, target string) *commitDropper {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("dropper: %v", err)
	}
	d := &commitDropper{tb: tb, target: target, ln: ln, dropped: make(chan struct{}, 1),
		conns: map[net.Conn]struct{}{}}
	go d.accept()
	tb.Cleanup(d.close)
	return d
}

// Addr returns the address the dropper listens on.
func (d *commitDropper) Addr() string { return d.ln.Addr().String() }

// arm makes the dropper lose the next COMMIT confirmation.
func (d *commitDropper) arm() { d.armed.Store(true) }

func (d *commitDropper) accept() {
	for {
		c, err := d.ln.Accept()
		if err != nil {
			return
		}
		go d.pipe(c)
	}
}

// pipe passes the client's bytes to the server as they are, and the server's messages back
// through relay, until either side closes.
func (d *commitDropper) pipe(client net.Conn) {
	server, err := net.Dial("tcp", d.target)
	if err != nil {
		client.Close()
		return
	}
	d.track(client, server)
	defer d.untrack(client, server)

	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(server, client); done <- struct{}{} }()
	go func() { d.relay(client, server); done <- struct{}{} }()
	<-done
}

// relay copies the server's messages to client. Every message from a PostgreSQL server is a
// type byte and a big-endian length that counts itself, then the payload; a COMMIT ends
// with CommandComplete ('C') whose payload is the tag "COMMIT" and a zero byte.
func (d *commitDropper) relay(client, server net.Conn) {
	r := bufio.NewReader(server)
	var head [5]byte
	for {
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return
		}
		n := binary.BigEndian.Uint32(head[1:])
		if n < 4 || n > maxMessage {
			return
		}
		body := make([]byte, n-4)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		if head[0] == 'C' && string(body) == "COMMIT\x00" && d.armed.CompareAndSwap(true, false) {
			d.dropped <- struct{}{}
			return
		}
		if _, err := client.Write(append(head[:], body...)); err != nil {
			return
		}
	}
}

func (d *commitDropper) track(conns ...net.Conn) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range conns {
		d.conns[c] = struct{}{}
	}
}

func (d *commitDropper) untrack(conns ...net.Conn) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range conns {
		c.Close()
		delete(d.conns, c)
	}
}

// close stops listening and closes every connection.
func (d *commitDropper) close() {
	d.ln.Close()
	d.mu.Lock()
	defer d.mu.Unlock()
	for c := range d.conns {
		c.Close()
		delete(d.conns, c)
	}
}
