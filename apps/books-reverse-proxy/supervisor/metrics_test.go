package main

import (
	"strings"
	"testing"
)

func TestObserveAggregatesAndRejectsGarbage(t *testing.T) {
	m := newMetrics()
	for _, line := range []string{
		"<190>Nov 26 09:00:00 gateway: books GET 200 0.003",
		"<190>Nov 26 09:00:00 gateway: books GET 204 0.020",
		"<190>Nov 26 09:00:00 gateway: books PROPFIND 405 0.000",
		"<190>Nov 26 09:00:00 gateway: - POST 401 0.000\n",
		"<190>Nov 26 09:00:00 gateway: books GET 200",           // too few fields
		"<190>Nov 26 09:00:00 gateway: books GET 200 0.1 extra", // too many
		"<190>Nov 26 09:00:00 gateway: Books! GET 200 0.1",      // bad route
		"<190>Nov 26 09:00:00 gateway: books GET 999 0.1",       // bad status
		"<190>Nov 26 09:00:00 other: books GET 200 0.1",         // not ours
	} {
		m.observe([]byte(line))
	}
	text := string(m.exposition())
	for _, want := range []string{
		`gateway_http_requests_total{route="books",method="GET",status_class="2xx"} 2`,
		`gateway_http_requests_total{route="books",method="OTHER",status_class="4xx"} 1`,
		`gateway_http_requests_total{route="-",method="POST",status_class="4xx"} 1`,
		`gateway_http_request_duration_seconds_bucket{route="books",le="0.005"} 2`,
		`gateway_http_request_duration_seconds_bucket{route="books",le="0.025"} 3`,
		`gateway_http_request_duration_seconds_count{route="books"} 3`,
		`gateway_metrics_invalid_lines_total 5`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
}

func BenchmarkObserve(b *testing.B) {
	m := newMetrics()
	line := []byte("<190>Nov 26 09:00:00 gateway: books GET 200 0.003")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m.observe(line)
	}
}
