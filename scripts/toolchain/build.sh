#!/usr/bin/env bash
# Builds, from the Go module proxy only, every binary the e2e suite needs and caches each one outside the repo,
# keyed by version: $BOOKS_TOOLCHAIN_CACHE/<component>-<version>/bin. A component whose binaries are already cached
# is skipped, so an interrupted build resumes where it stopped and CI reuses the cache of this machine.
#
#   scripts/toolchain/build.sh [component ...]     components: kwok etcd kubernetes pulumi language-host
#                                                  kubernetes-provider docker-provider, kube-score, then for the
#                                                  local cluster kubernetes-node pause coredns kube-router local-path
#                                                  (default: all, in that order; `e2e` or `cluster`: that group)
#   scripts/toolchain/build.sh --print-env         prints the PATH/env lines the e2e suite uses
#
# Why each component needs more than `go install`, and the timings measured: docs/engine-e2e.md.
set -Eeuo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"

cache="${BOOKS_TOOLCHAIN_CACHE:-/root/.cache/books-platform/toolchain}"
log="$cache/build.log"
# Go builds run niced and with two package builds at a time so the shared 2-core machine stays usable.
go_build_flags=(-p "${BOOKS_TOOLCHAIN_GO_PARALLEL:-2}" -trimpath)
nice_cmd=(nice -n "${BOOKS_TOOLCHAIN_NICE:-15}")
export GOFLAGS="${GOFLAGS:--buildvcs=false}" GOTOOLCHAIN=local CGO_ENABLED=0

mkdir -p "$cache"

say() { printf '%s %s\n' "$(date -u +%FT%TZ)" "$*" | tee -a "$log" >&2; }

trap 'say "FAILED  (exit $?) at line $LINENO: $BASH_COMMAND"' ERR

component_dir() { echo "$cache/$1-$2"; }

# installed_dir BINARY : the directory of an installed Pulumi binary found on PATH outside this cache (real users
# have `pulumi` and its plugins installed; those win unless BOOKS_TOOLCHAIN_IGNORE_INSTALLED=1).
installed_dir() {
  [[ "${BOOKS_TOOLCHAIN_IGNORE_INSTALLED:-0}" == 1 ]] && return 0
  local found
  found="$(command -v "$1" 2>/dev/null)" || return 0
  [[ "$found" == "$cache"/* ]] || dirname "$found"
}

# bin_dir COMPONENT VERSION BINARY : where the e2e suite takes BINARY from.
bin_dir() {
  local installed
  installed="$(installed_dir "$3")"
  if [[ -n "$installed" ]]; then echo "$installed"; else echo "$(component_dir "$1" "$2")/bin"; fi
}

# has_binaries DIR NAME... : every named binary exists and is executable.
has_binaries() {
  local dir="$1"; shift
  local name
  for name in "$@"; do [[ -x "$dir/bin/$name" ]] || return 1; done
}

# A scratch Go module in a fresh work dir; prints its path.
scratch_module() {
  local work
  work="$(mktemp -d "$cache/.work-$1-XXXXXX")"
  (cd "$work" && go mod init "books-platform.local/toolchain/$1" >/dev/null 2>&1)
  echo "$work"
}

# run_timed COMPONENT VERSION BINARIES... -- BUILD_FUNCTION : builds into a temp dir, then moves it into place, so a
# half-built component is never taken for a cached one.
run_timed() {
  local component="$1" version="$2"; shift 2
  local binaries=()
  while [[ "$1" != "--" ]]; do binaries+=("$1"); shift; done
  shift
  local build_fn="$1" dir tmp started
  dir="$(component_dir "$component" "$version")"
  local installed=""
  # Only the Pulumi pieces may come from an installation; every other binary is always this cache's own.
  case "$component" in
    pulumi | language-host | kubernetes-provider | docker-provider) installed="$(installed_dir "${binaries[0]}")" ;;
  esac
  if [[ -n "$installed" ]]; then
    say "installed $component: using ${binaries[0]} from $installed"
    return 0
  fi
  if has_binaries "$dir" "${binaries[@]}"; then
    say "cached  $component $version ($dir)"
    return 0
  fi
  tmp="$dir.partial"
  rm -rf "$tmp"
  mkdir -p "$tmp/bin"
  started=$(date +%s)
  say "build   $component $version ..."
  "$build_fn" "$tmp/bin" "$version"
  has_binaries "$tmp" "${binaries[@]}" || { say "FAILED  $component $version: missing binaries"; return 1; }
  rm -rf "$dir"
  mv "$tmp" "$dir"
  say "built   $component $version in $(( $(date +%s) - started ))s"
}

build_kwok() {
  local out="$1" version="$2"
  GOBIN="$out" "${nice_cmd[@]}" go install "${go_build_flags[@]}" \
    -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${version#v}" \
    "sigs.k8s.io/kwok/cmd/kwok@$version" "sigs.k8s.io/kwok/cmd/kwokctl@$version"
}

# etcd's server module replaces its sibling modules with relative paths, so it cannot be `go install`ed; a scratch
# module that requires it resolves the siblings to their published versions instead.
build_etcd() {
  local out="$1" version="$2" work
  work="$(scratch_module etcd)"
  (
    cd "$work"
    go get "go.etcd.io/etcd/server/v3@$version"
    "${nice_cmd[@]}" go build "${go_build_flags[@]}" -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3
  )
  rm -rf "$work"
}

# k8s.io/kubernetes replaces ~30 k8s.io/* modules with ./staging/..., which the module zip does not contain. The
# scratch module replaces each of them with its published v0.<minor>.<patch> instead. The version ldflags are not
# optional: without them the binaries report v0.0.0 and clients (kwokctl, kubectl skew checks) misbehave.
# build_kubernetes_commands OUT VERSION COMMAND... : the named k8s.io/kubernetes/cmd/* binaries.
build_kubernetes_commands() {
  local out="$1" version="$2"; shift 2
  local commands=("$@") work staging_version="v0.${version#v1.}" mod
  work="$(scratch_module kubernetes)"
  (
    cd "$work"
    go mod edit -require "k8s.io/kubernetes@$version"
    mod="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$version.mod"
    [[ -f "$mod" ]] || go mod download "k8s.io/kubernetes@$version"
    local staged
    for staged in $(sed -n 's#^\s*\(k8s\.io/[a-z0-9-]*\) => \./staging/.*#\1#p' "$mod"); do
      go mod edit -replace "$staged=$staged@$staging_version"
    done
    {
      printf '//go:build tools\n\npackage tools\n\nimport (\n'
      printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "${commands[@]}"
      printf ')\n'
    } >tools.go
    go mod tidy -e >/dev/null 2>&1 || true
    go get "k8s.io/kubernetes@$version"
    local minor="${version#v1.}"; minor="${minor%%.*}"
    local ldflags="" pkg
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
      ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
    done
    local cmd
    for cmd in "${commands[@]}"; do
      "${nice_cmd[@]}" go build "${go_build_flags[@]}" -mod=mod -ldflags "-s -w $ldflags" -o "$out/$cmd" \
        "k8s.io/kubernetes/cmd/$cmd"
    done
  )
  rm -rf "$work"
}

# The control plane (kwok's binary runtime and the local cluster share it) and kubectl.
build_kubernetes() { build_kubernetes_commands "$1" "$2" kube-apiserver kube-controller-manager kube-scheduler kubectl; }

# What a real node runs beside the control plane (scripts/cluster); same scratch module, same Go build cache.
build_kubernetes_node() { build_kubernetes_commands "$1" "$2" kubelet kube-proxy; }

# kube-router's network-policy controller (the NetworkPolicy enforcement K3s bundles) and Rancher's
# local-path-provisioner (K3s's default StorageClass): plain `go install`s.
build_kube_router() {
  GOBIN="$1" "${nice_cmd[@]}" go install "${go_build_flags[@]}" \
    -ldflags "-s -w -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$2" \
    "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@$2"
}

build_local_path() {
  GOBIN="$1" "${nice_cmd[@]}" go install "${go_build_flags[@]}" -ldflags "-s -w -X main.VERSION=$2" \
    "github.com/rancher/local-path-provisioner@$2"
}

# module_source MODULE@VERSION : prints the unpacked module's directory in the module cache.
module_source() {
  go mod download -json "$1" | sed -n 's/^\s*"Dir": "\(.*\)",\?$/\1/p'
}

# The CLI's go.mod replaces github.com/pulumi/pulumi/sdk/v3 with ../sdk, as in the pulumi repository; a writable tree
# with pkg/ and sdk/ side by side (copied from the module cache) satisfies it.
build_pulumi() {
  local out="$1" version="$2" work
  work="$(mktemp -d "$cache/.work-pulumi-XXXXXX")"
  cp -r "$(module_source "github.com/pulumi/pulumi/pkg/v3@$version")" "$work/pkg"
  cp -r "$(module_source "github.com/pulumi/pulumi/sdk/v3@$version")" "$work/sdk"
  chmod -R u+w "$work"
  (
    cd "$work/pkg"
    "${nice_cmd[@]}" go build "${go_build_flags[@]}" -mod=mod \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
      -o "$out/pulumi" ./cmd/pulumi
  )
  rm -rf "$work"
}

# Our own Go sources (language-host/, docker-provider/, coredns/, pause/: each main.go says why it exists) are cached
# under the version they build against (the Pulumi SDK's, CoreDNS's, …) plus a hash of their source, so an edit
# rebuilds them.
# source_version DIR [BASE_VERSION]
source_version() {
  local files=("$here/$1/go.mod")
  [[ -f "$here/$1/go.sum" ]] && files+=("$here/$1/go.sum")
  files+=("$here/$1"/*.go)
  echo "${2:-$PULUMI_VERSION}-$(cat "${files[@]}" | sha256sum | cut -c1-12)"
}

# build_own_source SOURCE_DIR BINARY OUT VERSION
build_own_source() {
  local source="$1" binary="$2" out="$3" version="$4"
  (
    cd "$here/$source"
    "${nice_cmd[@]}" go build "${go_build_flags[@]}" -ldflags "-s -w -X main.version=$version" -o "$out/$binary" .
  )
}

# kube-score's main package lives in a subdirectory; `go install` of the tagged module builds it as released.
build_kube_score() {
  GOBIN="$1" "${nice_cmd[@]}" go install "${go_build_flags[@]}" -ldflags "-s -w" \
    "github.com/zegl/kube-score/cmd/kube-score@$2"
}

build_language_host() { build_own_source language-host pulumi-language-nodejs "$1" "${PULUMI_VERSION#v}"; }

build_docker_provider() { build_own_source docker-provider pulumi-resource-docker "$1" "$DOCKER_PROVIDER_VERSION"; }

build_coredns() { build_own_source coredns coredns "$1" "$COREDNS_VERSION"; }

build_pause() { build_own_source pause pause "$1" "$2"; }

# The provider replaces its sdk/v4 with ../sdk and embeds two gitignored files that generate.go writes from the
# checked-in schema.json and terraform-mapping.json.
build_kubernetes_provider() {
  local out="$1" version="$2" work
  work="$(mktemp -d "$cache/.work-kubernetes-provider-XXXXXX")"
  cp -r "$(module_source "github.com/pulumi/pulumi-kubernetes/provider/v4@$version")" "$work/provider"
  cp -r "$(module_source "github.com/pulumi/pulumi-kubernetes/sdk/v4@$KUBERNETES_PROVIDER_SDK_VERSION")" "$work/sdk"
  chmod -R u+w "$work"
  (
    cd "$work/provider/cmd/pulumi-resource-kubernetes"
    VERSION="${version#v}" go run -mod=mod generate.go
    cd "$work/provider"
    "${nice_cmd[@]}" go build "${go_build_flags[@]}" -mod=mod \
      -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=${version#v}" \
      -o "$out/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes
  )
  rm -rf "$work"
}

E2E_COMPONENTS=(kwok etcd kubernetes pulumi language-host kubernetes-provider docker-provider kube-score)
# The local cluster (scripts/cluster) also needs etcd and kubernetes from the list above.
CLUSTER_COMPONENTS=(kubernetes-node pause coredns kube-router local-path)

print_env() {
  echo "BOOKS_TOOLCHAIN_CACHE=$cache"
  echo "KWOK_BIN=$(component_dir kwok "$KWOK_VERSION")/bin"
  echo "ETCD_BIN=$(component_dir etcd "$ETCD_VERSION")/bin"
  echo "KUBERNETES_BIN=$(component_dir kubernetes "$KUBERNETES_VERSION")/bin"
  echo "PULUMI_BIN=$(bin_dir pulumi "$PULUMI_VERSION" pulumi)"
  echo "LANGUAGE_HOST_BIN=$(bin_dir language-host "$(source_version language-host)" pulumi-language-nodejs)"
  echo "KUBERNETES_PROVIDER_BIN=$(bin_dir kubernetes-provider "$KUBERNETES_PROVIDER_VERSION" pulumi-resource-kubernetes)"
  echo "DOCKER_PROVIDER_BIN=$(bin_dir docker-provider "$(source_version docker-provider)" pulumi-resource-docker)"
  echo "KUBERNETES_NODE_BIN=$(component_dir kubernetes-node "$KUBERNETES_VERSION")/bin"
  echo "COREDNS_BIN=$(component_dir coredns "$(source_version coredns "$COREDNS_VERSION")")/bin"
  echo "KUBE_ROUTER_BIN=$(component_dir kube-router "$KUBE_ROUTER_VERSION")/bin"
  echo "LOCAL_PATH_BIN=$(component_dir local-path "$LOCAL_PATH_VERSION")/bin"
  echo "PAUSE_BIN=$(component_dir pause "$(source_version pause v1)")/bin"
  echo "KUBE_SCORE_BIN=$(component_dir kube-score "$KUBE_SCORE_VERSION")/bin"
}

build_component() {
  case "$1" in
    kwok) run_timed kwok "$KWOK_VERSION" kwok kwokctl -- build_kwok ;;
    etcd) run_timed etcd "$ETCD_VERSION" etcd -- build_etcd ;;
    kubernetes)
      run_timed kubernetes "$KUBERNETES_VERSION" kube-apiserver kube-controller-manager kube-scheduler kubectl \
        -- build_kubernetes ;;
    pulumi) run_timed pulumi "$PULUMI_VERSION" pulumi -- build_pulumi ;;
    language-host)
      run_timed language-host "$(source_version language-host)" pulumi-language-nodejs -- build_language_host ;;
    docker-provider)
      run_timed docker-provider "$(source_version docker-provider)" pulumi-resource-docker -- build_docker_provider ;;
    kubernetes-provider)
      run_timed kubernetes-provider "$KUBERNETES_PROVIDER_VERSION" pulumi-resource-kubernetes \
        -- build_kubernetes_provider ;;
    kubernetes-node) run_timed kubernetes-node "$KUBERNETES_VERSION" kubelet kube-proxy -- build_kubernetes_node ;;
    coredns) run_timed coredns "$(source_version coredns "$COREDNS_VERSION")" coredns -- build_coredns ;;
    kube-router) run_timed kube-router "$KUBE_ROUTER_VERSION" kube-router -- build_kube_router ;;
    local-path) run_timed local-path "$LOCAL_PATH_VERSION" local-path-provisioner -- build_local_path ;;
    pause) run_timed pause "$(source_version pause v1)" pause -- build_pause ;;
    kube-score) run_timed kube-score "$KUBE_SCORE_VERSION" kube-score -- build_kube_score ;;
    *) echo "unknown component: $1" >&2; return 2 ;;
  esac
}

main() {
  if [[ "${1:-}" == "--print-env" ]]; then print_env; return 0; fi
  local components=("$@")
  [[ ${#components[@]} -gt 0 ]] || components=("${E2E_COMPONENTS[@]}" "${CLUSTER_COMPONENTS[@]}")
  if [[ ${components[0]} == e2e ]]; then components=("${E2E_COMPONENTS[@]}"); fi
  if [[ ${components[0]} == cluster ]]; then components=("${CLUSTER_COMPONENTS[@]}"); fi
  local started c
  started=$(date +%s)
  for c in "${components[@]}"; do build_component "$c"; done
  say "toolchain ready in $(( $(date +%s) - started ))s: ${components[*]}"
}

main "$@"
