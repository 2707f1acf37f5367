// A yardstick for `npm run bench`: nats.go's Request in a closed loop from N goroutines.
// Usage: requester URL SUBJECT GOROUTINES SECONDS; prints the replies per second.
// Built in GOPATH mode from Debian's golang-github-nats-io-go-nats-dev (no module downloads).
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
)

func main() {
	url, subject := os.Args[1], os.Args[2]
	n, _ := strconv.Atoi(os.Args[3])
	secs, _ := strconv.Atoi(os.Args[4])
	nc, err := nats.Connect(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer nc.Close()
	body := []byte(`{"version":"1","request_id":"x","tenant_id":"t","task":{"type":"x"}}`)
	var count int64
	end := time.Now().Add(time.Duration(secs) * time.Second)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) {
				if _, err := nc.Request(subject, body, 5*time.Second); err == nil {
					atomic.AddInt64(&count, 1)
				}
			}
		}()
	}
	wg.Wait()
	fmt.Printf("%.1f\n", float64(count)/time.Since(start).Seconds())
}
