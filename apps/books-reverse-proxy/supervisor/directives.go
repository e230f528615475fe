package main

// The rendered nginx.conf is gatewayd's only configuration: render.ts writes "# gatewayd ..." comment lines
// (ignored by nginx) so the ConfigMap stays the single source of truth.

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

const directivePrefix = "# gatewayd "

type upstream struct {
	name string
	host string
	port int
	file string // where the server lines of this upstream go (included by nginx.conf)
}

type directives struct {
	metricsListen string // host:port of /metrics; empty → no exporter
	refresh       time.Duration
	copies        int
	serverParams  string
	resolver      string // host:port; empty → system resolver
	upstreams     []upstream
	instanceFile  string // where this start's instance id goes (included by nginx.conf); empty → none
}

func readDirectives(path string) (directives, error) {
	d := directives{refresh: 5 * time.Second, copies: 1}
	f, err := os.Open(path)
	if err != nil {
		return d, err
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for line := 1; scanner.Scan(); line++ {
		text := scanner.Text()
		if !strings.HasPrefix(text, directivePrefix) {
			continue
		}
		if err := d.apply(strings.Fields(strings.TrimPrefix(text, directivePrefix))); err != nil {
			return d, fmt.Errorf("%s:%d: %v", path, line, err)
		}
	}
	return d, scanner.Err()
}

func (d *directives) apply(fields []string) error {
	if len(fields) == 0 {
		return fmt.Errorf("empty gatewayd directive")
	}
	args := fields[1:]
	switch {
	case fields[0] == "metrics" && len(args) == 1:
		d.metricsListen = args[0]
	case fields[0] == "metrics" && len(args) == 3 && args[1] == "syslog":
		// Configs rendered before metrics came from the access log; their syslog line is left unread.
		d.metricsListen = args[0]
	case fields[0] == "refresh" && len(args) == 1:
		seconds, err := strconv.ParseFloat(args[0], 64)
		if err != nil || seconds <= 0 {
			return fmt.Errorf("bad refresh %q", args[0])
		}
		d.refresh = time.Duration(seconds * float64(time.Second))
	case fields[0] == "copies" && len(args) == 1:
		copies, err := strconv.Atoi(args[0])
		if err != nil || copies < 1 {
			return fmt.Errorf("bad copies %q", args[0])
		}
		d.copies = copies
	case fields[0] == "server-params":
		d.serverParams = strings.Join(args, " ")
	case fields[0] == "resolver" && len(args) == 1:
		d.resolver = args[0]
	case fields[0] == "instance-id" && len(args) == 1:
		d.instanceFile = args[0]
	case fields[0] == "upstream" && len(args) == 4:
		port, err := strconv.Atoi(args[2])
		if err != nil || port < 1 || port > 65535 {
			return fmt.Errorf("bad port %q", args[2])
		}
		d.upstreams = append(d.upstreams, upstream{name: args[0], host: args[1], port: port, file: args[3]})
	default:
		return fmt.Errorf("unknown gatewayd directive %q", strings.Join(fields, " "))
	}
	return nil
}
