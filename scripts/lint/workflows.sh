#!/usr/bin/env bash
# Lints .github/workflows with actionlint, built from the Go module proxy once and cached by version
# (actionlint ships no npm package; `go install` is the supported way to get it without a binary download).
set -euo pipefail
version=v1.7.12
cache="${BOOKS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/books-platform}/tools/actionlint-$version"
if [[ ! -x "$cache/actionlint" ]]; then
  command -v go >/dev/null || { echo "actionlint needs Go (>= 1.22) to build: install Go first" >&2; exit 1; }
  GOBIN="$cache" go install "github.com/rhysd/actionlint/cmd/actionlint@$version"
fi
cd "$(dirname "$0")/../.."
"$cache/actionlint" -no-color .github/workflows/*.yml
echo "actionlint $version: workflows OK"
