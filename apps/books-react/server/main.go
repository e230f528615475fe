// Command server serves the built books-react app: static files from memory with SPA fallback, cache headers,
// gzip and security headers, plus /healthz. With -healthcheck it probes a running server instead (the image's
// HEALTHCHECK: a scratch image has no shell or curl).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

const shutdownGrace = 10 * time.Second

func listenPort() string {
	if port := os.Getenv("PORT"); port != "" {
		return port
	}
	return "3000"
}

func newServer(addr string, handler http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          log.Default(),
	}
}

// healthcheck asks the server at baseURL for /healthz and fails unless it answers 200 in time.
func healthcheck(baseURL string, timeout time.Duration) error {
	client := &http.Client{Timeout: timeout}
	response, err := client.Get(baseURL + healthPath)
	if err != nil {
		return err
	}
	defer response.Body.Close()
	if response.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", healthPath, response.Status)
	}
	return nil
}

func run(root string) error {
	s, err := loadSite(os.DirFS(root))
	if err != nil {
		return fmt.Errorf("loading %s: %w", root, err)
	}
	server := newServer(":"+listenPort(), s)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	failed := make(chan error, 1)
	go func() { failed <- server.ListenAndServe() }()
	log.Printf("books-react: serving %d files from %s on %s", len(s.assets), root, server.Addr)
	select {
	case err := <-failed:
		return err
	case <-ctx.Done():
	}
	log.Printf("books-react: shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func main() {
	root := flag.String("root", "dist", "directory holding the built app (index.html, assets/)")
	probe := flag.Bool("healthcheck", false, "probe http://127.0.0.1:$PORT/healthz and exit 0 when healthy")
	flag.Parse()
	if *probe {
		if err := healthcheck("http://127.0.0.1:"+listenPort(), 3*time.Second); err != nil {
			fmt.Fprintln(os.Stderr, "unhealthy:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*root); err != nil {
		log.Fatalf("books-react: %v", err)
	}
}
