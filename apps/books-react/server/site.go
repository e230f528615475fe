package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// asset is one file of the built app, held in memory together with its gzip form. Serving from memory means no
// request ever touches the file system, so no request path can reach a file outside the app (path traversal is
// impossible by construction), and a read-only root file system is all the server needs.
type asset struct {
	body         []byte
	gzipped      []byte // nil when the type does not compress or compression does not pay
	contentType  string
	cacheControl string
	etag         string // strong validator of body
	gzipETag     string // strong validator of gzipped
}

// site maps URL paths ("/index.html", "/assets/index-abc.js") to assets.
type site struct {
	assets map[string]*asset
	index  *asset
}

const (
	// Vite puts content-hashed files under assets/: a changed file gets a new name, so it can be cached for ever.
	hashedAssetsPrefix = "/assets/"
	cacheImmutable     = "public, max-age=31536000, immutable"
	// Everything else (index.html above all) must be revalidated so a deploy is picked up at once.
	cacheRevalidate = "no-cache"
	// Below this size the gzip header and CPU cost more than they save.
	minCompressSize = 256
)

// contentTypes is the one table of what this server knows how to label; it does not depend on /etc/mime.types,
// which a scratch image does not have. compressible says whether gzip is worth trying.
var contentTypes = map[string]struct {
	mime         string
	compressible bool
}{
	".html":        {"text/html; charset=utf-8", true},
	".js":          {"text/javascript; charset=utf-8", true},
	".mjs":         {"text/javascript; charset=utf-8", true},
	".css":         {"text/css; charset=utf-8", true},
	".json":        {"application/json", true},
	".map":         {"application/json", true},
	".webmanifest": {"application/manifest+json", true},
	".svg":         {"image/svg+xml", true},
	".txt":         {"text/plain; charset=utf-8", true},
	".wasm":        {"application/wasm", true},
	".ico":         {"image/x-icon", true},
	".png":         {"image/png", false},
	".jpg":         {"image/jpeg", false},
	".jpeg":        {"image/jpeg", false},
	".gif":         {"image/gif", false},
	".webp":        {"image/webp", false},
	".avif":        {"image/avif", false},
	".woff":        {"font/woff", false},
	".woff2":       {"font/woff2", false},
}

func strongETag(data []byte) string {
	sum := sha256.Sum256(data)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

func gzipBytes(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func newAsset(urlPath string, body []byte) (*asset, error) {
	kind, known := contentTypes[strings.ToLower(path.Ext(urlPath))]
	if !known {
		kind.mime = "application/octet-stream"
	}
	a := &asset{body: body, contentType: kind.mime, cacheControl: cacheRevalidate, etag: strongETag(body)}
	if strings.HasPrefix(urlPath, hashedAssetsPrefix) {
		a.cacheControl = cacheImmutable
	}
	if kind.compressible && len(body) >= minCompressSize {
		gz, err := gzipBytes(body)
		if err != nil {
			return nil, fmt.Errorf("gzip %s: %w", urlPath, err)
		}
		if len(gz) < len(body) {
			a.gzipped = gz
			// A different representation needs a different validator, or caches could mix the two up.
			a.gzipETag = strings.TrimSuffix(a.etag, `"`) + `-gzip"`
		}
	}
	return a, nil
}

// loadSite reads every regular file of fsys into memory. Symbolic links and other special files are skipped so
// that a link placed in the build output can never expose something outside it.
func loadSite(fsys fs.FS) (*site, error) {
	s := &site{assets: map[string]*asset{}}
	err := fs.WalkDir(fsys, ".", func(name string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !entry.Type().IsRegular() {
			return nil
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		urlPath := "/" + name
		a, err := newAsset(urlPath, body)
		if err != nil {
			return err
		}
		s.assets[urlPath] = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.index = s.assets["/index.html"]
	if s.index == nil {
		return nil, errors.New("no index.html in the app directory (run `npm run build` first?)")
	}
	return s, nil
}

// lookup finds what to send for a request path: the file itself, index.html for application routes (SPA
// fallback), or nil (404) for a missing file — a missing script must never be answered with HTML.
func (s *site) lookup(requestPath string) *asset {
	clean := path.Clean("/" + requestPath)
	if clean == "/" {
		return s.index
	}
	if a, ok := s.assets[clean]; ok {
		return a
	}
	if strings.HasPrefix(clean, hashedAssetsPrefix) || path.Ext(clean) != "" {
		return nil
	}
	return s.index
}
