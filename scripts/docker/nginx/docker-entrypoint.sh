#!/bin/sh
# The official image's /docker-entrypoint.sh: when the command is nginx, *.envsh files in /docker-entrypoint.d are
# sourced and executable *.sh files run, in order (this stand-in ships none; see the Dockerfile), unless
# NGINX_ENTRYPOINT_QUIET_LOGS is set the steps are reported on stdout, then the command replaces the shell (exec, so
# the stop signal reaches nginx's master).
set -e

entrypoint_log() {
  if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then echo "$@"; fi
}

if [ "$1" = nginx ] || [ "$1" = nginx-debug ]; then
  if find /docker-entrypoint.d/ -mindepth 1 -maxdepth 1 -type f -print -quit 2>/dev/null | read -r _; then
    entrypoint_log "$0: /docker-entrypoint.d/ is not empty, will attempt to perform configuration"
    for f in $(find /docker-entrypoint.d/ -follow -type f -print | sort -V); do
      case "$f" in
        *.envsh) if [ -x "$f" ]; then entrypoint_log "$0: Sourcing $f"; . "$f"; fi ;;
        *.sh) if [ -x "$f" ]; then entrypoint_log "$0: Launching $f"; "$f"; fi ;;
        *) entrypoint_log "$0: Ignoring $f" ;;
      esac
    done
    entrypoint_log "$0: Configuration complete; ready for start up"
  else
    entrypoint_log "$0: No files found in /docker-entrypoint.d/, skipping configuration"
  fi
fi

exec "$@"
