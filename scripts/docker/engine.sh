#!/bin/sh
# The project's Docker engine and stand-in base images; see scripts/docker/README.md.
#   scripts/docker/engine.sh start|stop|status|env|base-images [amd64|arm64|all]
#   eval "$(scripts/docker/engine.sh env)"   # then use /usr/bin/docker
set -eu
root="$(cd "$(dirname "$0")/../.." && pwd)"
exec "$root/node_modules/.bin/node" -r "$root/node_modules/ts-node/register/transpile-only" "$root/scripts/docker/cli.ts" "$@"
