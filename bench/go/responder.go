// The echo responder `npm run bench` measures NATS request/reply against when Go is present:
// nats.go answers each request on SUBJECT with {"ok":true}, fast enough that the clients
// (bench-router, raw nats.js, the Go requester) meet their own limits before its own.
// Usage: responder URL SUBJECT; prints "ready" once subscribed, runs until killed.
// Built in GOPATH mode from Debian's golang-github-nats-io-go-nats-dev (no module downloads).
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/nats-io/nats.go"
)

func main() {
	url, subject := os.Args[1], os.Args[2]
	nc, err := nats.Connect(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer nc.Close()
	reply := []byte(`{"ok":true}`)
	sub, err := nc.Subscribe(subject, func(m *nats.Msg) { _ = m.Respond(reply) })
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// A slow responder would show as the clients' latency: let it buffer generously.
	_ = sub.SetPendingLimits(-1, -1)
	if err := nc.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println("ready")
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
}
