package main

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func TestRunFailsWithoutTheApp(t *testing.T) {
	if err := run(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("want an error when the app directory does not exist")
	}
}

func TestRunFailsWhenThePortIsTaken(t *testing.T) {
	taken, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	t.Setenv("PORT", strconv.Itoa(taken.Addr().(*net.TCPAddr).Port))
	dist := t.TempDir()
	if err := os.WriteFile(filepath.Join(dist, "index.html"), []byte(indexHTML), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(dist); err == nil {
		t.Fatal("want an error when the port is already in use")
	}
}

func TestListenPortFromEnvironment(t *testing.T) {
	t.Setenv("PORT", "")
	if got := listenPort(); got != "3000" {
		t.Errorf("default port %q, want 3000", got)
	}
	t.Setenv("PORT", "4321")
	if got := listenPort(); got != "4321" {
		t.Errorf("PORT=4321 gave %q", got)
	}
}
