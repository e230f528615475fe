package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

func TestInstanceIDsAreRandomHex(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		id, err := newInstanceID()
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(id) {
			t.Fatalf("instance id %q is not 16 hex digits", id)
		}
		if seen[id] {
			t.Fatalf("instance id %q drawn twice", id)
		}
		seen[id] = true
	}
}

func TestInstanceIDFileIsAMapBody(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gateway-instance-id.conf")
	if err := writeInstanceID(path, "0123456789abcdef"); err != nil {
		t.Fatal(err)
	}
	written, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(written) != "default \"0123456789abcdef\";\n" {
		t.Fatalf("instance id file: %q", written)
	}
	if err := writeInstanceID("", "0123456789abcdef"); err != nil {
		t.Fatalf("no path must mean nothing to write, got %v", err)
	}
}

func TestInstanceIDDirective(t *testing.T) {
	config := filepath.Join(t.TempDir(), "nginx.conf")
	text := "# gatewayd instance-id /tmp/gateway-instance-id.conf\nevents {}\n"
	if err := os.WriteFile(config, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := readDirectives(config)
	if err != nil {
		t.Fatal(err)
	}
	if d.instanceFile != "/tmp/gateway-instance-id.conf" {
		t.Fatalf("instanceFile = %q", d.instanceFile)
	}
	if err := os.WriteFile(config, []byte("# gatewayd instance-id\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readDirectives(config); err == nil {
		t.Fatal("an instance-id directive without a file must be rejected")
	}
}
