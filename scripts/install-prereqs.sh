#!/usr/bin/env bash
# Installs what the books platform needs on a fresh Debian 12 (bookworm) machine, then checks the tools that are
# not apt's business (Go, npm). Idempotent: installs only missing packages and says what it did and how long it took.
#
#   bash scripts/install-prereqs.sh          (as root, or a user with sudo)
#
# Node 24 is not installed here: it is the root devDependency `node` and arrives with `npm ci`.
set -euo pipefail

# Debian package → what the project uses it for. One table; the install list and the summary come from it.
declare -A PACKAGES=(
  [nginx]='the gateway (npm run dev, integration tests)'
  [libnginx-mod-http-js]='njs: JWT checks in the gateway'
  [chromium]='the browser flow (playwright-core drives the system Chromium)'
  [docker.io]="the project's own Docker engine (test:images, e2e)"
  [qemu-user-static]='arm64 images (k3s on Raspberry Pi) built on amd64'
  [binfmt-support]='registers qemu for foreign-architecture containers'
  [debootstrap]='base-image stand-ins (no container registry reachable)'
  [docker-registry]='a local registry for push tests'
  [wrk]='benchmarks (npm run bench)'
  [valgrind]='callgrind: gateway instructions per request (npm run bench)'
  [openssl]='keys and certificates in tests'
  [ca-certificates]='TLS trust (incl. an intercepting proxy CA added by the machine)'
  [postgresql-client]='psql, to look into the dev database (npm run dev prints its URL)'
  [curl]="the API example npm run dev prints (its test runs it as printed)"
  [git]='clone, CI'
)
GO_MIN_MAJOR=1
GO_MIN_MINOR=22
APT_LOCK=/tmp/books-apt.lock

started=$SECONDS
log=$(mktemp -t books-prereqs.XXXXXX)
trap 'rm -f "$log"' EXIT

say() { printf 'install-prereqs: %s\n' "$*"; }
fail() {
  printf 'install-prereqs: ERROR: %s\n' "$*" >&2
  exit 1
}

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null; then
  as_root=(sudo)
else
  fail 'run as root or install sudo'
fi

[[ -r /etc/debian_version ]] || fail 'this script knows Debian (bookworm) only'

installed() { [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == 'install ok installed' ]]; }

# apt on a machine shared with parallel jobs: serialize with the project's apt lock (as scripts/docker does) and
# wait for dpkg's own lock rather than failing on it.
apt() {
  local cmd=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=600 "$@")
  if command -v flock >/dev/null; then cmd=(flock "$APT_LOCK" "${cmd[@]}"); fi
  "${cmd[@]}" >>"$log" 2>&1
}

missing=()
for package in $(printf '%s\n' "${!PACKAGES[@]}" | sort); do
  installed "$package" || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  say "all ${#PACKAGES[@]} Debian packages already installed"
else
  say "installing ${#missing[@]} Debian package(s): ${missing[*]}"
  # Fresh machines have no package lists; stale ones may point at removed versions. Update once, then install.
  if ! apt update || ! apt install --no-install-recommends "${missing[@]}"; then
    tail -n 40 "$log" >&2
    fail "apt-get failed (full log above)"
  fi
  for package in "${missing[@]}"; do
    installed "$package" || fail "$package is still not installed"
    say "  + $package $(dpkg-query -W -f='${Version}' "$package") — ${PACKAGES[$package]}"
  done
fi

# nginx loads njs through load_module in the rendered config; the package must have put the module here.
[[ -f /usr/lib/nginx/modules/ngx_http_js_module.so ]] || fail 'njs module missing: /usr/lib/nginx/modules/ngx_http_js_module.so'
# The project runs nginx itself (npm run dev, tests); Debian's postinst may have started a system nginx on :80.
# It is left alone: nothing here uses port 80.

# Go: Debian bookworm's golang-go is 1.19, too old for the toolchain build; a newer Go is expected to be installed.
go_bin=$(command -v go || true)
[[ -z $go_bin && -x /usr/local/go/bin/go ]] && go_bin=/usr/local/go/bin/go
[[ -n $go_bin ]] || fail "Go >= $GO_MIN_MAJOR.$GO_MIN_MINOR is required (https://go.dev/doc/install); Debian's golang-go is too old"
go_version=$("$go_bin" env GOVERSION) # e.g. go1.26.8
if [[ ! $go_version =~ ^go([0-9]+)\.([0-9]+) ]] ||
  ((BASH_REMATCH[1] < GO_MIN_MAJOR || (BASH_REMATCH[1] == GO_MIN_MAJOR && BASH_REMATCH[2] < GO_MIN_MINOR))); then
  fail "Go >= $GO_MIN_MAJOR.$GO_MIN_MINOR is required, found $go_version at $go_bin"
fi
[[ $go_bin == "$(command -v go || true)" ]] || say "note: $go_bin is not on PATH; add $(dirname "$go_bin") to PATH"

# npm bootstraps the rest (`npm ci` brings Node 24, TypeScript, mocha, …); any npm >= 9 can do that.
command -v npm >/dev/null || fail 'npm is required to run "npm ci" (any Node >= 18 with its npm)'

say "ok: nginx $(nginx -v 2>&1 | sed 's|.*/||'), $go_version, npm $(npm --version), chromium $(chromium --version 2>/dev/null | awk '{print $2}')"
say "done in $((SECONDS - started)) s"
