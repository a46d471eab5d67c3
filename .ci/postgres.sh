# Sourced by .ci/run: starts the machine's PostgreSQL 15 (installing it
# with apt-get only where it is missing), creates the test role and
# database, and exports SMSBOT_TEST_POSTGRES for the store's PostgreSQL
# tests. Each test makes a schema of its own in that database.
start_postgres() {
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
  fi
  # 15 where it is installed (these machines); else the newest there is.
  local ver=15
  [ -x /usr/lib/postgresql/15/bin/postgres ] || ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
  pg_lsclusters -h | grep -q "^$ver *main" || pg_createcluster "$ver" main
  # A second start exits 2 ("already running"): start only when down.
  pg_ctlcluster "$ver" main status >/dev/null 2>&1 || pg_ctlcluster "$ver" main start
  local ready=
  for _ in $(seq 50); do
    if pg_isready -q -h 127.0.0.1 -p 5432; then ready=1; break; fi
    sleep 0.2
  done
  [ -n "$ready" ] || { echo "PostgreSQL $ver did not start"; return 1; }
  runuser -u postgres -- psql -qAt -v ON_ERROR_STOP=1 <<'SQL'
DROP DATABASE IF EXISTS smsbot_test WITH (FORCE);
DROP ROLE IF EXISTS smsbot;
CREATE ROLE smsbot LOGIN PASSWORD 'smsbot';
CREATE DATABASE smsbot_test OWNER smsbot;
SQL
  export SMSBOT_TEST_POSTGRES='postgres://smsbot:smsbot@127.0.0.1:5432/smsbot_test?sslmode=disable'
  echo "PostgreSQL $ver ready: SMSBOT_TEST_POSTGRES=$SMSBOT_TEST_POSTGRES"
}
