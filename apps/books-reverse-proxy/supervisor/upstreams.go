package main

// Resolves each backend name and writes the nginx `server` lines of its upstream block. nginx 1.22 resolves
// upstream names only at load (a missing name is fatal) and request-time resolution loses upstream keepalive;
// writing addresses and reloading on change keeps both startup robustness and keepalive.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// placeholder keeps the upstream block valid while its name does not resolve: a server marked down is never
// contacted, so that route alone answers 502 ("no live upstreams") until the name appears.
const placeholder = "server 127.0.0.1:9 down; # name not resolvable yet\n"

type resolverState struct {
	d        directives
	resolver *net.Resolver
	last     map[string][]string // upstream name → last good sorted addresses
	offline  bool                // no lookups: placeholders only (build-time config check)
}

func newResolverState(d directives) *resolverState {
	r := net.DefaultResolver
	if d.resolver != "" {
		server := d.resolver
		r = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var dialer net.Dialer
			return dialer.DialContext(ctx, network, server)
		}}
	}
	return &resolverState{d: d, resolver: r, last: map[string][]string{}}
}

// lookup returns sorted addresses; ok=false on a temporary failure (keep what we had).
func (s *resolverState) lookup(host string) (addresses []string, ok bool) {
	if s.offline {
		return nil, true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	found, err := s.resolver.LookupHost(ctx, host)
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return nil, true
		}
		logf("dns lookup of %s failed: %v", host, err)
		return nil, false
	}
	sort.Strings(found)
	return found, true
}

func (s *resolverState) serverLines(u upstream, addresses []string) string {
	if len(addresses) == 0 {
		return placeholder
	}
	var b strings.Builder
	for copy := 0; copy < s.d.copies; copy++ {
		for _, address := range addresses {
			fmt.Fprintf(&b, "server %s %s;\n", net.JoinHostPort(address, strconv.Itoa(u.port)), s.d.serverParams)
		}
	}
	return b.String()
}

// refresh resolves every upstream and rewrites the files whose content changed; it reports whether any did.
func (s *resolverState) refresh(m *metrics) (changed bool, err error) {
	for _, u := range s.d.upstreams {
		addresses, ok := s.lookup(u.host)
		if !ok {
			m.dnsFailure(u.name)
			addresses = s.last[u.name] // keep the last good set (nil on the first run → placeholder)
		}
		s.last[u.name] = addresses
		m.setAddresses(u.name, len(addresses))
		wrote, err := writeIfChanged(u.file, s.serverLines(u, addresses))
		if err != nil {
			return changed, err
		}
		if wrote {
			logf("upstream %s (%s): %s", u.name, u.host, describe(addresses))
		}
		changed = changed || wrote
	}
	return changed, nil
}

func describe(addresses []string) string {
	if len(addresses) == 0 {
		return "not resolvable, placeholder (route answers 502)"
	}
	return strings.Join(addresses, ", ")
}

func writeIfChanged(path, content string) (bool, error) {
	if current, err := os.ReadFile(path); err == nil && string(current) == content {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return false, err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		return false, err
	}
	return true, os.Rename(tmp, path)
}
