#!/usr/bin/env bash
# Makes sure Redis and (for the PostgreSQL run) PostgreSQL answer on 127.0.0.1, and that
# Debian's Chromium is there for the browser tests.
# Starts them when installed, installs them from Debian's packages when not (needs root),
# and otherwise stops with one sentence saying what is missing.
set -euo pipefail

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }

# The fault tests start and kill a redis-server of their own, so the binary is needed even
# when the suite's Redis is an external one (REDIS_URL).
ensure_redis_binary() {
  command -v redis-server >/dev/null && return
  can_apt || { echo "redis-server is missing (the Redis fault tests start their own): apt-get install -y redis-server" >&2; exit 1; }
  echo "redis: installing redis-server"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
}

ensure_redis() {
  answers 6379 && { echo "redis: answering on 127.0.0.1:6379"; return; }
  ensure_redis_binary
  echo "redis: starting redis-server"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 50); do answers 6379 && return; sleep 0.2; done
  echo "Redis did not start on 127.0.0.1:6379." >&2; exit 1
}

ensure_postgres() {
  answers 5432 && { echo "postgres: answering on 127.0.0.1:5432"; return; }
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    can_apt || { echo "PostgreSQL is missing: install postgresql (apt-get install -y postgresql) or set DATABASE_URL." >&2; exit 1; }
    echo "postgres: installing postgresql"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    version=$(ls /etc/postgresql | head -n1)
    # Local trust auth, as on the project machines: the tests connect as postgres without a password.
    sed -i 's/^\(host\|local\)\(.*\)\(peer\|scram-sha-256\|md5\)$/\1\2trust/' "/etc/postgresql/$version/main/pg_hba.conf"
  fi
  echo "postgres: starting cluster"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 50); do answers 5432 && break; sleep 0.2; done
  answers 5432 || { echo "PostgreSQL did not start on 127.0.0.1:5432." >&2; exit 1; }
  psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1 ||
    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test" >/dev/null
}

ensure_chromium() {
  local path="${CHROMIUM_PATH:-/usr/bin/chromium}"
  [ -x "$path" ] && { echo "chromium: $path"; return; }
  can_apt || { echo "Chromium is missing for the browser tests: install it (apt-get install -y chromium) or set CHROMIUM_PATH." >&2; exit 1; }
  echo "chromium: installing Debian's chromium"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  [ -x "$path" ] || { echo "Chromium did not install at $path." >&2; exit 1; }
}

# The ActivityPub test makes a throwaway TLS certificate for its HTTPS front (WebFinger handles resolve over HTTPS).
ensure_openssl() {
  command -v openssl >/dev/null && return
  can_apt || { echo "openssl is missing (the ActivityPub test makes a TLS certificate with it): apt-get install -y openssl" >&2; exit 1; }
  echo "openssl: installing openssl"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
}

case "${1:-all}" in
  redis) ensure_redis ;;
  postgres) ensure_postgres ;;
  chromium) ensure_chromium ;;
  # What `npm test` needs: the SQLite suite runs on Redis, the browser tests on Chromium.
  test) ensure_redis_binary; [ -n "${REDIS_URL:-}" ] && echo "redis: using REDIS_URL" || ensure_redis; ensure_chromium; ensure_openssl ;;
  all) ensure_redis; ensure_postgres; ensure_chromium; ensure_openssl ;;
esac
