// gatewayd: the gateway image's entrypoint. It resolves the backends named in nginx.conf's "# gatewayd" lines,
// writes the upstream server files, runs nginx in the foreground, re-resolves periodically and reloads nginx only
// when an address set changes, forwards stop signals, and exports Prometheus metrics read from nginx's access log lines.
//
//	gatewayd                      run (the image's entrypoint)
//	gatewayd -check [-offline]    write the upstream and instance id files once (-offline: placeholders, no DNS), run nginx -t
//	gatewayd -probe URL           exit 0 when URL answers 200 (the image's HEALTHCHECK; there is no curl)
//
// Env GATEWAY_CONFIG, GATEWAY_NGINX, GATEWAY_PREFIX override the defaults of -config, -nginx, -prefix.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

func logf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "%s gatewayd: %s\n", time.Now().UTC().Format(time.RFC3339), fmt.Sprintf(format, args...))
}

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

func main() {
	config := flag.String("config", envOr("GATEWAY_CONFIG", "/etc/gateway/nginx.conf"), "rendered nginx.conf")
	nginx := flag.String("nginx", envOr("GATEWAY_NGINX", "/usr/sbin/nginx"), "nginx binary")
	prefix := flag.String("prefix", envOr("GATEWAY_PREFIX", "/tmp/"), "nginx prefix (-p)")
	check := flag.Bool("check", false, "write the upstream files once, run `nginx -t` and exit with its status")
	offline := flag.Bool("offline", false, "with -check: no DNS lookups, every DNS upstream gets its placeholder")
	probe := flag.String("probe", "", "GET this URL and exit 0 on 200 (health check)")
	flag.Parse()
	if *probe != "" {
		os.Exit(probeURL(*probe))
	}
	os.Exit(run(*config, *nginx, *prefix, *check, *offline))
}

func probeURL(url string) int {
	client := http.Client{Timeout: 2 * time.Second}
	response, err := client.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	response.Body.Close()
	if response.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, response.Status)
		return 1
	}
	return 0
}

func run(config, nginx, prefix string, check, offline bool) int {
	d, err := readDirectives(config)
	if err != nil {
		logf("%v", err)
		return 1
	}
	instance, err := newInstanceID()
	if err != nil {
		logf("%v", err)
		return 1
	}
	if err := writeInstanceID(d.instanceFile, instance); err != nil {
		logf("writing the instance id: %v", err)
		return 1
	}
	m := newMetrics()
	state := newResolverState(d)
	state.offline = offline
	if _, err := state.refresh(m); err != nil {
		logf("writing upstream files: %v", err)
		return 1
	}
	nginxArgs := []string{"-c", config, "-p", prefix, "-e", "stderr"}
	if check {
		proc, done, err := startNginx(nginx, append(nginxArgs, "-t"), nil)
		if err != nil {
			logf("starting nginx -t: %v", err)
			return 1
		}
		return exitCode(<-waitNginx(proc, done))
	}
	var observe func(line []byte) // nil: no exporter, the log is only copied
	if d.metricsListen != "" {
		observe = m.observe
		if err := m.serve(d.metricsListen); err != nil {
			logf("metrics server: %v", err)
			return 1
		}
	}

	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGQUIT, syscall.SIGINT, syscall.SIGHUP)
	proc, copied, err := startNginx(nginx, nginxArgs, observe)
	if err != nil {
		logf("starting nginx: %v", err)
		return 1
	}
	exited := waitNginx(proc, copied)

	reload := func(why string) {
		logf("reloading nginx: %s", why)
		m.reloaded()
		_ = proc.Process.Signal(syscall.SIGHUP) // nginx validates the new config and keeps the old one on error
	}
	ticker := time.NewTicker(d.refresh)
	defer ticker.Stop()
	for {
		select {
		case err := <-exited:
			logf("nginx exited: %v", err)
			return exitCode(err)
		case sig := <-signals:
			switch sig {
			case syscall.SIGHUP:
				// A changed config (e.g. a new route) brings new upstreams: read the directives again. The
				// metrics address and the refresh interval stay as started.
				if next, err := readDirectives(config); err != nil {
					logf("keeping the previous directives: %v", err)
				} else {
					state.d = next
				}
				// Same instance id for the whole run; the file may have moved with the config.
				if err := writeInstanceID(state.d.instanceFile, instance); err != nil {
					logf("writing the instance id: %v", err)
				}
				if _, err := state.refresh(m); err != nil {
					logf("writing upstream files: %v", err)
				}
				reload("SIGHUP")
			case syscall.SIGINT:
				_ = proc.Process.Signal(syscall.SIGTERM) // fast stop
			default:
				// Kubernetes stops with SIGTERM; nginx's graceful stop is SIGQUIT (bounded by worker_shutdown_timeout).
				_ = proc.Process.Signal(syscall.SIGQUIT)
			}
		case <-ticker.C:
			changed, err := state.refresh(m)
			if err != nil {
				logf("writing upstream files: %v", err)
			} else if changed {
				reload("upstream addresses changed")
			}
		}
	}
}

// startNginx runs nginx with a pipe of ours as its stdout, copied to our stdout with every access log line also
// handed to observe (the metrics). nginx's `access_log /dev/stdout` re-opens fd 1 by path: that fails on a socket
// (ENXIO) and may be denied on a runtime-owned FIFO for a non-root user, while a pipe we create is always
// re-openable.
func startNginx(nginx string, args []string, observe func(line []byte)) (*exec.Cmd, <-chan struct{}, error) {
	reader, writer, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	proc := exec.Command(nginx, args...)
	proc.Stdout, proc.Stderr = writer, os.Stderr
	err = proc.Start()
	writer.Close()
	if err != nil {
		reader.Close()
		return nil, nil, err
	}
	copied := make(chan struct{})
	go func() {
		copyLog(os.Stdout, reader, observe)
		close(copied)
	}()
	return proc, copied, nil
}

// waitNginx reports nginx's exit once every log line it wrote has reached our stdout.
func waitNginx(proc *exec.Cmd, copied <-chan struct{}) <-chan error {
	exited := make(chan error, 1)
	go func() {
		err := proc.Wait()
		<-copied
		exited <- err
	}()
	return exited
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if exit, ok := err.(*exec.ExitError); ok && exit.ExitCode() > 0 {
		return exit.ExitCode()
	}
	return 1
}
