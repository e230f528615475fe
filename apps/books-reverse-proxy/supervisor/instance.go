package main

// Request ids without per-request randomness. nginx's $request_id calls OpenSSL's RAND_bytes on every request: a
// seventh of the gateway's instructions per request and a getpid() syscall (OpenSSL's fork check), measured with
// callgrind and strace. Instead gatewayd draws one random instance id when it starts and writes it where nginx.conf
// includes it (the "instance-id" directive); a generated request id is that instance id, nginx's connection counter
// (shared by the workers, kept across reloads) and the request's number on its connection — unique across replicas,
// restarts and reloads.

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// newInstanceID returns 64 random bits in hex: replicas and restarts of one gateway never share an id in practice.
func newInstanceID() (string, error) {
	random := make([]byte, 8)
	if _, err := rand.Read(random); err != nil {
		return "", fmt.Errorf("drawing the instance id: %v", err)
	}
	return hex.EncodeToString(random), nil
}

// writeInstanceID writes the body of the `map` that nginx.conf includes from path; no path, nothing to write.
func writeInstanceID(path, id string) error {
	if path == "" {
		return nil
	}
	_, err := writeIfChanged(path, fmt.Sprintf("default %q;\n", id))
	return err
}
