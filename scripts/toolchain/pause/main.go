// The pod sandbox ("pause") image's process for the local cluster (scripts/cluster): no image can be pulled here,
// so it is built like the rest of the toolchain. It does what the upstream pause does: sleeps until SIGINT or
// SIGTERM and, as PID 1 of a pod with a shared PID namespace, reaps orphaned children.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for sig := range signals {
		if sig != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
