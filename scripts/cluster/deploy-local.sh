#!/usr/bin/env bash
# The real thing on a Linux machine without Docker Desktop or a cloud: the local single-node cluster (node.sh), the
# project's Docker engine and the Pulumi CLI from the toolchain, and `pulumi up` of a K3s-like stack `local` with the
# in-cluster PostgreSQL. Prints the gateway URL and a write token.
#
#   npm run deploy:local           build what is missing, start everything, pulumi up (again: an update)
#   npm run deploy:local -- down   pulumi destroy, then stop the cluster (the engine and the toolchain stay)
#
# State: the stack lives in a local file backend under .cache/local-deploy (passphrase: $PULUMI_CONFIG_PASSPHRASE,
# default "local-only" — the stack's secrets are local test keys). The node has no route off the machine, so the
# database image is built here (the stand-in of postgres:17.6-bookworm, scripts/docker/postgres) and pushed to the
# cluster's registry with the three app images. See docs/real-cluster.md.
set -Eeuo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
state="$repo/.cache/local-deploy"
stack=local
say() { printf '\033[1mdeploy:local\033[0m %s\n' "$*" >&2; }

cd "$repo"
[[ $(id -u) == 0 ]] || { say 'needs root (the local cluster makes a network namespace, mounts and cgroups)'; exit 1; }

# The toolchain's Pulumi CLI and plugins (an installed `pulumi` on PATH wins), the project's Node first.
while IFS= read -r line; do export "${line?}"; done < <(bash scripts/toolchain/build.sh --print-env)
export PATH="$repo/node_modules/.bin:$PULUMI_BIN:$LANGUAGE_HOST_BIN:$KUBERNETES_PROVIDER_BIN:$DOCKER_PROVIDER_BIN:$KUBERNETES_BIN:$PATH"
export PULUMI_BACKEND_URL="file://$state/backend" PULUMI_HOME="$state/pulumi-home"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-local-only}"
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
mkdir -p "$state/backend" "$state/pulumi-home"
# The Kubernetes provider leaves a copy of the kubeconfig in TMPDIR each time it is configured (docs/configuration.md):
# Pulumi gets a temp dir of this run's own, removed with it. Only Pulumi: the engine and the cluster started below
# outlive this script.
run_tmp=$(mktemp -d)
trap 'rm -rf "$run_tmp"' EXIT
pulumi() { TMPDIR="$run_tmp" command pulumi "$@"; }
# The project as links to this checkout, so the stack's Pulumi.local.yaml (its settings and encrypted secrets) lives
# with its state instead of beside the committed stacks. Build paths are relative (apps/<app>): they resolve the same.
project="$state/project"
mkdir -p "$project"
for entry in Pulumi.yaml package.json tsconfig.json tsconfig.pulumi.json tsconfig.base.json index.ts components stacks apps node_modules; do
  ln -sfn "$repo/$entry" "$project/$entry"
done

if [[ ${1:-up} == down ]]; then
  if bash scripts/cluster/node.sh status >/dev/null 2>&1 && (cd "$project" && pulumi stack select "$stack" 2>/dev/null); then
    (cd "$project" && pulumi destroy --yes --skip-preview)
  fi
  bash scripts/cluster/node.sh stop
  say 'stopped (the stack state stays in .cache/local-deploy; the project Docker engine keeps running: scripts/docker/engine.sh stop)'
  exit 0
fi

started=$SECONDS
say 'toolchain (cold: ~30–45 min on 2 cores, then cached; docs/engine-e2e.md)'
bash scripts/toolchain/build.sh
say 'Docker engine and base images'
bash scripts/docker/engine.sh start
bash scripts/docker/engine.sh base-images amd64 >/dev/null
eval "$(bash scripts/docker/engine.sh env)"
docker=/usr/bin/docker # Debian's CLI builds with BuildKit without a buildx plugin
# The toolchain's docker provider stand-in drives a Docker CLI (docs/engine-e2e.md): the same one.
export BOOKS_DOCKER_CLI="$docker"

if bash scripts/cluster/node.sh status >/dev/null 2>&1; then
  say 'local cluster already running'
else
  say 'starting the local cluster'
  bash scripts/cluster/node.sh start --keep >/dev/null
fi
while IFS= read -r line; do export "${line?}"; done < <(bash scripts/cluster/node.sh env)
registry_password=$(cat "$BOOKS_CLUSTER_REGISTRY_PASSWORD_FILE")

database_image="$BOOKS_CLUSTER_REGISTRY/books-local/postgres:17.6-bookworm"
say "database image → $database_image"
docker_config="$run_tmp/docker-config"
mkdir "$docker_config"
"$docker" build --quiet --tag "$database_image" "$repo/scripts/docker/postgres" >/dev/null
printf '%s' "$registry_password" |
  "$docker" --config "$docker_config" login --username "$BOOKS_CLUSTER_REGISTRY_USERNAME" --password-stdin \
    "$BOOKS_CLUSTER_REGISTRY" >/dev/null 2>&1
"$docker" --config "$docker_config" push --quiet "$database_image" >/dev/null

cd "$project"
pulumi stack select --create "$stack" >/dev/null
set_config() { pulumi config set --path "$@" >/dev/null; }
set_config target k3s
set_config platform linux/amd64
set_config kubernetes.kubeconfig "$KUBECONFIG"
set_config kubernetes.context "$BOOKS_CLUSTER_CONTEXT"
set_config docker.host "$DOCKER_HOST"
set_config registry.server "$BOOKS_CLUSTER_REGISTRY"
set_config registry.repository books-local
set_config registry.username "$BOOKS_CLUSTER_REGISTRY_USERNAME"
set_config --secret registry.password "$registry_password"
set_config database.image "$database_image"
# Generated once per stack, kept across updates.
pulumi config get --path database.password >/dev/null 2>&1 ||
  set_config --secret database.password "$(openssl rand -base64 24)"
pulumi config get --path gateway.jwt.hs256Key >/dev/null 2>&1 ||
  set_config --secret gateway.jwt.hs256Key "$(openssl rand -base64 48)"

say 'pulumi up'
pulumi up --yes --skip-preview
# `up` returning does not prove every pod serves (a StatefulSet can be reported done early): wait for the pods.
"$KUBERNETES_BIN/kubectl" --kubeconfig "$KUBECONFIG" -n "$(pulumi stack output namespaceName)" wait pods --all \
  --for condition=Ready --timeout 300s >/dev/null

url=$(pulumi stack output gatewayUrl)
key_file="$state/hs256.key"
(umask 077 && printf '%s' "$(pulumi config get --path gateway.jwt.hs256Key)" >"$key_file")
token=$(cd "$repo" && npm run -s token -- --key "$key_file" --sub local-user --scope books:write --ttl 12h)
say "ready in $((SECONDS - started)) s"
cat <<EOF

  gateway:  $url
  token:    export TOKEN=$token
  try:      curl -s $url/books
            curl -s -X POST $url/books -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
              -d '{"title":"Kindred","author":"Octavia E. Butler","year":1979}'
  stop:     npm run deploy:local -- down

EOF
