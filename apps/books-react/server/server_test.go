package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

const (
	indexHTML = `<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>`
	secret    = "TOP-SECRET-OUTSIDE-THE-APP"
)

var appJS = strings.Repeat("console.log('books-react');\n", 100)

func testFS() fstest.MapFS {
	return fstest.MapFS{
		"index.html":             {Data: []byte(indexHTML)},
		"favicon.svg":            {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
		"assets/index-abc123.js": {Data: []byte(appJS)},
		"assets/logo-def456.png": {Data: bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 200)},
	}
}

func testSite(t *testing.T) *site {
	t.Helper()
	s, err := loadSite(testFS())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func get(t *testing.T, h http.Handler, target string, headers map[string]string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for name, value := range headers {
		req.Header.Set(name, value)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func bodyOf(t *testing.T, res *http.Response) string {
	t.Helper()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestSPAFallbackServesIndexForAppRoutes(t *testing.T) {
	s := testSite(t)
	for _, target := range []string{"/", "/index.html", "/books/42", "/some/deep/route", "/new?x=1"} {
		res := get(t, s, target, nil)
		if res.StatusCode != http.StatusOK || bodyOf(t, res) != indexHTML {
			t.Errorf("%s: want index.html with 200, got %d", target, res.StatusCode)
		}
		if got := res.Header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("%s: Cache-Control %q, want no-cache", target, got)
		}
		if got := res.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", target, got)
		}
	}
}

func TestMissingFilesAre404NotIndex(t *testing.T) {
	s := testSite(t)
	for _, target := range []string{"/assets/index-gone.js", "/assets/nothing", "/robots.txt", "/x/y.css"} {
		res := get(t, s, target, nil)
		body := bodyOf(t, res)
		if res.StatusCode != http.StatusNotFound || strings.Contains(body, "<html") {
			t.Errorf("%s: want a plain 404, got %d %q", target, res.StatusCode, body)
		}
	}
}

func TestCacheHeadersAndTypes(t *testing.T) {
	s := testSite(t)
	cases := []struct{ target, cache, contentType string }{
		{"/assets/index-abc123.js", "public, max-age=31536000, immutable", "text/javascript; charset=utf-8"},
		{"/assets/logo-def456.png", "public, max-age=31536000, immutable", "image/png"},
		{"/favicon.svg", "no-cache", "image/svg+xml"},
		{"/", "no-cache", "text/html; charset=utf-8"},
	}
	for _, c := range cases {
		res := get(t, s, c.target, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", c.target, res.StatusCode)
		}
		if got := res.Header.Get("Cache-Control"); got != c.cache {
			t.Errorf("%s: Cache-Control %q, want %q", c.target, got, c.cache)
		}
		if got := res.Header.Get("Content-Type"); got != c.contentType {
			t.Errorf("%s: Content-Type %q, want %q", c.target, got, c.contentType)
		}
		if res.Header.Get("ETag") == "" {
			t.Errorf("%s: no ETag", c.target)
		}
	}
}

func TestGzipNegotiation(t *testing.T) {
	s := testSite(t)
	const target = "/assets/index-abc123.js"

	zipped := get(t, s, target, map[string]string{"Accept-Encoding": "br, gzip;q=0.8"})
	if zipped.Header.Get("Content-Encoding") != "gzip" || zipped.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("want gzip with Vary, got encoding %q vary %q", zipped.Header.Get("Content-Encoding"), zipped.Header.Get("Vary"))
	}
	raw := bodyOf(t, zipped)
	if len(raw) >= len(appJS) {
		t.Errorf("gzipped body (%d bytes) is not smaller than the original (%d)", len(raw), len(appJS))
	}
	zr, err := gzip.NewReader(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || string(plain) != appJS {
		t.Fatalf("gzipped body does not decompress to the file (err %v)", err)
	}

	for _, header := range []string{"", "identity", "gzip;q=0", "br", "*;q=0"} {
		res := get(t, s, target, map[string]string{"Accept-Encoding": header})
		if res.Header.Get("Content-Encoding") != "" || bodyOf(t, res) != appJS {
			t.Errorf("Accept-Encoding %q: want the identity body", header)
		}
		if res.Header.Get("ETag") == zipped.Header.Get("ETag") {
			t.Errorf("Accept-Encoding %q: identity and gzip share an ETag", header)
		}
	}
	if star := get(t, s, target, map[string]string{"Accept-Encoding": "*"}); star.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("Accept-Encoding *: want gzip")
	}

	png := get(t, s, "/assets/logo-def456.png", map[string]string{"Accept-Encoding": "gzip"})
	if png.Header.Get("Content-Encoding") != "" || png.Header.Get("Vary") != "" {
		t.Errorf("PNG must not be gzipped")
	}
	tiny := get(t, s, "/favicon.svg", map[string]string{"Accept-Encoding": "gzip"})
	if tiny.Header.Get("Content-Encoding") != "" {
		t.Errorf("files under %d bytes must not be gzipped", minCompressSize)
	}
}

func TestConditionalRequestsAndHead(t *testing.T) {
	s := testSite(t)
	const target = "/assets/index-abc123.js"
	gz := map[string]string{"Accept-Encoding": "gzip"}
	first := get(t, s, target, gz)
	etag := first.Header.Get("ETag")
	if got, want := first.Header.Get("Content-Length"), fmt.Sprint(len(s.assets[target].gzipped)); got != want {
		t.Errorf("gzip response Content-Length %q, want %s", got, want)
	}
	if first.Header.Get("Accept-Ranges") != "" {
		t.Errorf("must not advertise ranges it does not serve")
	}
	for _, header := range []string{etag, `"other", ` + etag, "W/" + etag, "*"} {
		again := get(t, s, target, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": header})
		if again.StatusCode != http.StatusNotModified || bodyOf(t, again) != "" {
			t.Errorf("If-None-Match %s: want 304 without body, got %d", header, again.StatusCode)
		}
		if again.Header.Get("ETag") != etag || again.Header.Get("Cache-Control") == "" || again.Header.Get("Content-Encoding") != "" {
			t.Errorf("If-None-Match %s: 304 must carry ETag and Cache-Control only", header)
		}
	}
	// The identity representation's tag does not validate the gzip one, and a stale tag gets the file.
	for _, header := range []string{`"stale"`, s.assets[target].etag} {
		res := get(t, s, target, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": header})
		if res.StatusCode != http.StatusOK {
			t.Errorf("If-None-Match %s: want 200, got %d", header, res.StatusCode)
		}
	}
	ranged := get(t, s, target, map[string]string{"Range": "bytes=0-9"})
	if ranged.StatusCode != http.StatusOK || bodyOf(t, ranged) != appJS {
		t.Errorf("Range: want the whole file with 200, got %d", ranged.StatusCode)
	}

	req := httptest.NewRequest(http.MethodHead, "/", nil)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("Content-Length") != fmt.Sprint(len(indexHTML)) {
		t.Errorf("HEAD /: want 200, no body, Content-Length %d; got %d, %d bytes, %q", len(indexHTML), rec.Code, rec.Body.Len(), rec.Header().Get("Content-Length"))
	}
}

func TestOnlyGetAndHead(t *testing.T) {
	s := testSite(t)
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodOptions} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(method, "/", nil))
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: want 405 with Allow, got %d", method, rec.Code)
		}
	}
}

func TestHealthz(t *testing.T) {
	s := testSite(t)
	res := get(t, s, "/healthz", nil)
	if res.StatusCode != http.StatusOK || bodyOf(t, res) != "ok\n" || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("healthz: got %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	s := testSite(t)
	responses := map[string]*http.Response{
		"index":   get(t, s, "/", nil),
		"asset":   get(t, s, "/assets/index-abc123.js", nil),
		"404":     get(t, s, "/missing.js", nil),
		"healthz": get(t, s, "/healthz", nil),
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
	responses["405"] = rec.Result()
	for label, res := range responses {
		for name, want := range securityHeaders {
			if got := res.Header.Get(name); got != want {
				t.Errorf("%s: %s = %q, want %q", label, name, got, want)
			}
		}
	}
	if csp := securityHeaders["Content-Security-Policy"]; !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP must allow only same-origin scripts: %s", csp)
	}
}

// rawGet sends the request line exactly as given, so no client library can normalise the path first.
func rawGet(t *testing.T, addr, target string) (int, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", target)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s: %v", target, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func TestPathTraversalCannotEscapeTheAppDirectory(t *testing.T) {
	// <tmp>/secret.txt sits next to the app directory <tmp>/dist, and dist holds a symlink to it.
	tmp := t.TempDir()
	dist := filepath.Join(tmp, "dist")
	if err := os.MkdirAll(filepath.Join(dist, "assets"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"index.html": indexHTML, "assets/app-1.js": appJS} {
		if err := os.WriteFile(filepath.Join(dist, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	secretPath := filepath.Join(tmp, "secret.txt")
	if err := os.WriteFile(secretPath, []byte(secret), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secretPath, filepath.Join(dist, "assets", "leak.txt")); err != nil {
		t.Fatal(err)
	}
	s, err := loadSite(os.DirFS(dist))
	if err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(s)
	defer server.Close()
	addr := strings.TrimPrefix(server.URL, "http://")

	targets := []string{
		"/../secret.txt", "/../../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt",
		"/%2e%2e%2fsecret.txt", "/assets/..%2f..%2fsecret.txt", "/..%5csecret.txt", "/assets/%2e%2e/%2e%2e/secret.txt",
		"/....//secret.txt", "//secret.txt", "/assets/leak.txt", "/assets//../../secret.txt", "/%252e%252e/secret.txt",
		"/" + secretPath, "/assets/app-1.js%00.txt",
	}
	for _, target := range targets {
		status, body := rawGet(t, addr, target)
		if strings.Contains(body, secret) {
			t.Errorf("%s: served the file outside the app directory", target)
		}
		if status != http.StatusNotFound && status != http.StatusBadRequest && !(status == http.StatusOK && body == indexHTML) {
			t.Errorf("%s: want 404, 400 or the app's index.html, got %d %q", target, status, body)
		}
	}
	if status, body := rawGet(t, addr, "/assets/app-1.js"); status != http.StatusOK || body != appJS {
		t.Errorf("the real asset is not served: %d", status)
	}
}

func TestLoadSiteRequiresIndex(t *testing.T) {
	if _, err := loadSite(fstest.MapFS{"assets/a.js": {Data: []byte("x")}}); err == nil {
		t.Fatal("want an error for a directory without index.html")
	}
	if _, err := loadSite(os.DirFS(filepath.Join(t.TempDir(), "missing"))); err == nil {
		t.Fatal("want an error for a missing directory")
	}
}

func TestHealthcheckProbe(t *testing.T) {
	healthy := httptest.NewServer(testSite(t))
	defer healthy.Close()
	if err := healthcheck(healthy.URL, time.Second); err != nil {
		t.Errorf("healthy server: %v", err)
	}

	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer failing.Close()
	if err := healthcheck(failing.URL, time.Second); err == nil {
		t.Error("503: want an error")
	}

	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	if err := healthcheck(closedURL, time.Second); err == nil {
		t.Error("nothing listening: want an error")
	}

	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer hanging.Close()
	started := time.Now()
	if err := healthcheck(hanging.URL, 200*time.Millisecond); err == nil || time.Since(started) > 3*time.Second {
		t.Errorf("hanging server: want a timely error, got %v after %s", err, time.Since(started))
	}
}
