package main

// Prometheus exporter fed by nginx's JSON access log: gatewayd already copies nginx's stdout (see startNginx), so
// it reads each line on the way through — nginx writes one line per request, not a second one for metrics.
// The text exposition format is written by hand: it is a few lines, and the image's build must stay stdlib-only
// (Debian's golang-go 1.19, no module downloads).

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"sync"
)

var latencyBuckets = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Only these become label values; anything else is folded so clients cannot create unbounded series.
var knownMethods = map[string]string{"GET": "GET", "HEAD": "HEAD", "POST": "POST", "PUT": "PUT", "PATCH": "PATCH", "DELETE": "DELETE", "OPTIONS": "OPTIONS"}

type requestKey struct{ route, method, class string }

type histogram struct {
	name   string   // the route, kept as a string for the request counters' keys
	counts []uint64 // per bucket (not cumulative)
	sum    float64
	count  uint64
}

func (h *histogram) route(field []byte) string {
	if h.name == "" {
		h.name = string(field)
	}
	return h.name
}

type metrics struct {
	mu           sync.Mutex
	requests     map[requestKey]uint64
	latency      map[string]*histogram
	addresses    map[string]int
	dnsFailures  map[string]uint64
	invalidLines uint64
	reloads      uint64
}

func newMetrics() *metrics {
	return &metrics{
		requests:    map[requestKey]uint64{},
		latency:     map[string]*histogram{},
		addresses:   map[string]int{},
		dnsFailures: map[string]uint64{},
	}
}

func (m *metrics) setAddresses(upstream string, n int) {
	m.mu.Lock()
	m.addresses[upstream] = n
	m.mu.Unlock()
}

func (m *metrics) dnsFailure(upstream string) {
	m.mu.Lock()
	m.dnsFailures[upstream]++
	m.mu.Unlock()
}

func (m *metrics) reloaded() {
	m.mu.Lock()
	m.reloads++
	m.mu.Unlock()
}

// observe parses one access log line as render.ts's log_format writes it:
// {"time":"…","method":"GET","path":"/books","status":200,"bytes":88,"request_time":0.004,"route":"books",…}.
// It runs once per request, so it reads the four fields it needs in place instead of decoding the JSON (no
// allocation; strings are only made for new series). Looking a key up by `"key":` is exact: nginx's escape=json
// escapes every quote inside values, so an unescaped quote only ever starts a key.
func (m *metrics) observe(line []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	route, okRoute := jsonField(line, routeKey, '"')
	methodField, okMethod := jsonField(line, methodKey, '"')
	statusField, okStatus := jsonField(line, statusKey, ',')
	secondsField, okSeconds := jsonField(line, requestTimeKey, ',')
	if !(okRoute && okMethod && okStatus && okSeconds) || !validRoute(route) {
		m.invalidLines++
		return
	}
	status, ok := parseStatus(statusField)
	seconds, err := strconv.ParseFloat(string(secondsField), 64) // no allocation: the compiler elides this conversion
	if !ok || err != nil || seconds < 0 {
		m.invalidLines++
		return
	}
	method := "OTHER"
	if known, found := knownMethods[string(methodField)]; found {
		method = known
	}
	h := m.latency[string(route)]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(latencyBuckets))}
		m.latency[string(route)] = h
	}
	m.requests[requestKey{h.route(route), method, statusClasses[status/100]}]++
	for b, bound := range latencyBuckets {
		if seconds <= bound {
			h.counts[b]++
			break
		}
	}
	h.sum += seconds
	h.count++
}

var (
	routeKey       = []byte(`"route":"`)
	methodKey      = []byte(`"method":"`)
	statusKey      = []byte(`"status":`)
	requestTimeKey = []byte(`"request_time":`)
	statusClasses  = [6]string{"", "1xx", "2xx", "3xx", "4xx", "5xx"}
)

// jsonField returns the value after key up to the end byte (a string's closing quote, or the comma after a number).
func jsonField(line, key []byte, end byte) ([]byte, bool) {
	i := bytes.Index(line, key)
	if i < 0 {
		return nil, false
	}
	value := line[i+len(key):]
	j := bytes.IndexByte(value, end)
	if j <= 0 {
		return nil, false
	}
	return value[:j], true
}

func parseStatus(field []byte) (int, bool) {
	if len(field) != 3 {
		return 0, false
	}
	status := 0
	for _, c := range field {
		if c < '0' || c > '9' {
			return 0, false
		}
		status = status*10 + int(c-'0')
	}
	return status, status >= 100 && status <= 599
}

func validRoute(route []byte) bool {
	if len(route) == 0 || len(route) > 32 {
		return false
	}
	for _, c := range route {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// maxLogLine bounds the carried-over partial line; nginx's lines are a few KiB at most (header buffers).
const maxLogLine = 1 << 20

// copyLog copies nginx's stdout to out unchanged and hands each complete line to observe (nil: copy only). It
// keeps reading even when out fails: a pipe nobody drains would block nginx's workers.
func copyLog(out io.Writer, in io.Reader, observe func(line []byte)) {
	buffer := make([]byte, 64<<10)
	var partial []byte
	for {
		n, err := in.Read(buffer)
		if n > 0 {
			chunk := buffer[:n]
			_, _ = out.Write(chunk)
			if observe != nil {
				partial = feedLines(partial, chunk, observe)
			}
		}
		if err != nil {
			return
		}
	}
}

// feedLines passes the complete lines of partial+chunk to observe and returns what is left of an unfinished line.
func feedLines(partial, chunk []byte, observe func(line []byte)) []byte {
	for {
		i := bytes.IndexByte(chunk, '\n')
		if i < 0 {
			break
		}
		if len(partial) > 0 {
			partial = append(partial, chunk[:i]...)
			observe(partial)
			partial = partial[:0]
		} else {
			observe(chunk[:i])
		}
		chunk = chunk[i+1:]
	}
	if len(partial)+len(chunk) > maxLogLine {
		observe(nil) // counted as invalid; the line's tail, up to its newline, is counted once more
		return partial[:0]
	}
	return append(partial, chunk...)
}

func (m *metrics) serve(address string) error {
	listener, err := net.Listen("tcp", address)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = w.Write(m.exposition())
	})
	go func() { logf("metrics server stopped: %v", http.Serve(listener, mux)) }()
	return nil
}

func (m *metrics) exposition() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	var b bytes.Buffer
	header := func(name, kind, help string) { fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, kind) }

	header("gateway_http_requests_total", "counter", "Requests answered by the gateway by route, method and status class.")
	keys := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, c := keys[i], keys[j]
		return a.route+a.method+a.class < c.route+c.method+c.class
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "gateway_http_requests_total{route=%q,method=%q,status_class=%q} %d\n", k.route, k.method, k.class, m.requests[k])
	}

	header("gateway_http_request_duration_seconds", "histogram", "Request time as nginx logs it ($request_time), by route.")
	for _, route := range sortedKeys(m.latency) {
		h := m.latency[route]
		var cumulative uint64
		for i, bound := range latencyBuckets {
			cumulative += h.counts[i]
			fmt.Fprintf(&b, "gateway_http_request_duration_seconds_bucket{route=%q,le=%q} %d\n", route, strconv.FormatFloat(bound, 'g', -1, 64), cumulative)
		}
		fmt.Fprintf(&b, "gateway_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", route, h.count)
		fmt.Fprintf(&b, "gateway_http_request_duration_seconds_sum{route=%q} %g\n", route, h.sum)
		fmt.Fprintf(&b, "gateway_http_request_duration_seconds_count{route=%q} %d\n", route, h.count)
	}

	header("gateway_upstream_addresses", "gauge", "Distinct addresses the upstream's name resolved to (0: not resolvable, route answers 502).")
	for _, name := range sortedKeys(m.addresses) {
		fmt.Fprintf(&b, "gateway_upstream_addresses{upstream=%q} %d\n", name, m.addresses[name])
	}
	header("gateway_dns_lookup_failures_total", "counter", "Temporary DNS failures (the last good addresses are kept).")
	for _, name := range sortedKeys(m.dnsFailures) {
		fmt.Fprintf(&b, "gateway_dns_lookup_failures_total{upstream=%q} %d\n", name, m.dnsFailures[name])
	}
	header("gateway_nginx_reloads_total", "counter", "nginx reloads triggered by changed upstream addresses or SIGHUP.")
	fmt.Fprintf(&b, "gateway_nginx_reloads_total %d\n", m.reloads)
	header("gateway_metrics_invalid_lines_total", "counter", "Access log lines from nginx that could not be parsed.")
	fmt.Fprintf(&b, "gateway_metrics_invalid_lines_total %d\n", m.invalidLines)
	return b.Bytes()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
