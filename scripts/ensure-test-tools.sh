#!/usr/bin/env bash
# What the tests run from Debian's packages, never downloaded by the tests themselves: Chromium
# (the end-to-end tests drive it), PostgreSQL's server binaries (throw-away clusters for the
# PostgreSQL tests), nginx (the multi-instance test) and wrk (the load of the bench's scaling run,
# whose smoke npm test runs). Installs what is missing, in one apt-get
# call, when we may (root with apt); otherwise says exactly what to run. Nothing is configured or
# left running: the tests start their own servers in temporary folders.
set -euo pipefail
missing=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
{ [ -n "${POSTGRES_BIN:-}" ] && [ -x "$POSTGRES_BIN/initdb" ]; } || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x "${NGINX_PATH:-/usr/sbin/nginx}" ] || missing+=(nginx)
[ -x "${WRK_PATH:-/usr/bin/wrk}" ] || missing+=(wrk)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's ${missing[*]} for the tests (one time)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi

echo "The tests need: ${missing[*]}." >&2
echo "Install with: sudo apt-get install -y ${missing[*]}   (or set CHROMIUM_PATH, POSTGRES_BIN, NGINX_PATH, WRK_PATH)" >&2
exit 1
