#!/usr/bin/env bash
# The data-layer tests run a second time on a throw-away PostgreSQL cluster that they start from
# Debian's `postgresql` package (tests/support/postgres.ts); nothing is configured or left running.
# Installs the package when it is missing and we may (root with apt); otherwise says what to run.
set -euo pipefail
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && exit 0
[ -n "${POSTGRES_BIN:-}" ] && [ -x "$POSTGRES_BIN/initdb" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's postgresql for the tests (one time)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The package's own cluster is not needed: the tests start their own.
  apt-get install -y -qq postgresql >/dev/null
  exit 0
fi

echo "The tests need PostgreSQL's server binaries (/usr/lib/postgresql/<version>/bin)." >&2
echo "Install them with: sudo apt-get install -y postgresql   (or set POSTGRES_BIN)" >&2
exit 1
