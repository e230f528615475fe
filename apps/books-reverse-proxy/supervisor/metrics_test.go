package main

import (
	"bytes"
	"strings"
	"testing"
	"testing/iotest"
)

// logLine is an access log line as render.ts's log_format writes it.
func logLine(method, path string, status string, seconds string, route string) string {
	return `{"time":"2026-11-26T09:13:13+00:00","method":"` + method + `","path":"` + path + `","status":` + status +
		`,"bytes":88,"request_time":` + seconds + `,"route":"` + route + `","upstream_addr":"127.0.0.1:5000",` +
		`"upstream_status":"200","upstream_response_time":"0.004","request_id":"abc","user":"","client":"127.0.0.1",` +
		`"user_agent":"curl/7.88.1"}`
}

func TestObserveAggregatesAndRejectsGarbage(t *testing.T) {
	m := newMetrics()
	for _, line := range []string{
		logLine("GET", "/books", "200", "0.003", "books"),
		logLine("GET", "/books/1", "204", "0.020", "books"),
		logLine("PROPFIND", "/books", "405", "0.000", "books"),
		logLine("POST", "/x", "401", "0.000", "-"),
		// A client's path cannot fake fields: escape=json escapes its quotes.
		logLine("GET", `/books\",\"status\":500,\"route\":\"evil`, "200", "0.001", "books"),
		logLine("GET", "/books", "200", "", "books"),        // no request time
		logLine("GET", "/books", "200", "0.1", "Books!"),    // bad route
		logLine("GET", "/books", "999", "0.1", "books"),     // bad status
		logLine("GET", "/books", "200", "-0.1", "books"),    // negative time
		`{"time":"2026-11-26T09:13:13+00:00","status":200}`, // fields missing
		"nginx: something else",
	} {
		m.observe([]byte(line))
	}
	text := string(m.exposition())
	for _, want := range []string{
		`gateway_http_requests_total{route="books",method="GET",status_class="2xx"} 3`,
		`gateway_http_requests_total{route="books",method="OTHER",status_class="4xx"} 1`,
		`gateway_http_requests_total{route="-",method="POST",status_class="4xx"} 1`,
		`gateway_http_request_duration_seconds_bucket{route="books",le="0.001"} 2`,
		`gateway_http_request_duration_seconds_bucket{route="books",le="0.005"} 3`,
		`gateway_http_request_duration_seconds_bucket{route="books",le="0.025"} 4`,
		`gateway_http_request_duration_seconds_count{route="books"} 4`,
		`gateway_metrics_invalid_lines_total 6`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	if strings.Contains(text, `route="evil"`) || strings.Contains(text, `status_class="5xx"`) {
		t.Errorf("a path's escaped quotes were read as fields:\n%s", text)
	}
}

func TestCopyLogCopiesUnchangedAndObservesLinesSplitAcrossReads(t *testing.T) {
	input := logLine("GET", "/books", "200", "0.003", "books") + "\n" + logLine("POST", "/books", "201", "0.010", "books") + "\n" +
		logLine("GET", "/", "200", "0.001", "web") // unfinished: no newline yet
	var out bytes.Buffer
	var seen []string
	copyLog(&out, iotest.OneByteReader(strings.NewReader(input)), func(line []byte) { seen = append(seen, string(line)) })
	if out.String() != input {
		t.Errorf("copy changed the log:\n%q\n%q", out.String(), input)
	}
	if len(seen) != 2 || !strings.Contains(seen[0], `"method":"GET"`) || !strings.Contains(seen[1], `"status":201`) {
		t.Errorf("lines seen: %q", seen)
	}
}

func TestCopyLogKeepsDrainingWhenOutputFails(t *testing.T) {
	input := strings.Repeat(logLine("GET", "/books", "200", "0.003", "books")+"\n", 1000)
	lines := 0
	copyLog(failingWriter{}, strings.NewReader(input), func([]byte) { lines++ })
	if lines != 1000 {
		t.Errorf("observed %d lines, want 1000", lines)
	}
}

func TestFeedLinesBoundsAnUnfinishedLine(t *testing.T) {
	m := newMetrics()
	partial := feedLines(nil, bytes.Repeat([]byte("x"), maxLogLine+1), m.observe)
	if len(partial) != 0 || m.invalidLines != 1 {
		t.Errorf("partial %d bytes, invalid lines %d", len(partial), m.invalidLines)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, iotest.ErrTimeout }

func BenchmarkObserve(b *testing.B) {
	m := newMetrics()
	line := []byte(logLine("GET", "/books", "200", "0.003", "books"))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m.observe(line)
	}
}
