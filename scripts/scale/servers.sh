#!/usr/bin/env bash
# Real PostgreSQL and Redis servers on loopback for the scale-out tests and benchmarks.
#
#   bash scripts/scale/servers.sh start <dir>   # installs Debian's postgresql and redis-server
#                                                # when missing, starts both on free ports with
#                                                # their data in <dir>, writes <dir>/env
#   bash scripts/scale/servers.sh stop <dir>
#
# <dir>/env exports AEGIS_TEST_POSTGRES (a URL), AEGIS_TEST_REDIS (a URL), and what the fault
# tests need to stop and start each server again (AEGIS_TEST_PG_CTL, AEGIS_TEST_PG_DATA,
# AEGIS_TEST_REDIS_CONF), and the CA that signed PostgreSQL's TLS certificate
# (AEGIS_TEST_PG_CA, which also signed Redis's, on AEGIS_TEST_REDIS_TLS). Redis runs with its
# append-only file on, fsync always.
set -euo pipefail
cmd="${1:?start or stop}"
dir="${2:?a directory for the data of the servers}"

pg_bin() {
  local v
  v="$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1)"
  [ -n "$v" ] && echo "/usr/lib/postgresql/$v/bin"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

case "$cmd" in
start)
  if [ -z "$(pg_bin)" ] || ! command -v redis-server >/dev/null 2>&1; then
    echo "installing postgresql and redis-server (Debian packages)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server) >&2
  fi
  bin="$(pg_bin)"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  # initdb and postgres refuse to run as root: as root, the cluster belongs to `postgres`.
  as_pg=()
  if [ "$(id -u)" = 0 ]; then
    as_pg=(runuser -u postgres --)
    chmod o+x "$dir"
  fi
  pgdata="$dir/pg"
  rm -rf "$pgdata" && mkdir -p "$pgdata"
  [ "$(id -u)" = 0 ] && chown postgres: "$pgdata"
  "${as_pg[@]}" "$bin/initdb" -D "$pgdata" -U aegis --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
  pg_port="$(free_port)"
  # TLS too (clients choose: plain, or sslmode=require): a CA of this run's own and a server
  # certificate for 127.0.0.1 and localhost signed by it.
  tls="$dir/tls"
  rm -rf "$tls" && mkdir -p "$tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=aegis test CA" \
    -keyout "$tls/ca.key" -out "$tls/ca.pem" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$pgdata/server.key" -out "$tls/server.csr" >/dev/null 2>&1
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$tls/san.ext"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
    -days 2 -extfile "$tls/san.ext" -out "$pgdata/server.crt" >/dev/null 2>&1
  chmod 600 "$pgdata/server.key"
  [ "$(id -u)" = 0 ] && chown postgres: "$pgdata/server.key" "$pgdata/server.crt"
  cat >>"$pgdata/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$pgdata'
max_connections = 200
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
CONF
  "${as_pg[@]}" "$bin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w start >/dev/null
  redis_port="$(free_port)"
  redis_tls_port="$(free_port)"
  # A new, empty server each start (an old append-only file would be loaded first).
  rm -rf "$dir/redis" && mkdir -p "$dir/redis"
  # Redis takes TLS connections too, on a port of their own, with a certificate from the
  # same CA.
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$tls/redis.key" -out "$tls/redis.csr" >/dev/null 2>&1
  openssl x509 -req -in "$tls/redis.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
    -days 2 -extfile "$tls/san.ext" -out "$tls/redis.crt" >/dev/null 2>&1
  cat >"$dir/redis/redis.conf" <<CONF
bind 127.0.0.1
port $redis_port
tls-port $redis_tls_port
tls-cert-file $tls/redis.crt
tls-key-file $tls/redis.key
tls-ca-cert-file $tls/ca.pem
tls-auth-clients no
dir $dir/redis
appendonly yes
appendfsync always
daemonize yes
pidfile $dir/redis/redis.pid
logfile $dir/redis/redis.log
save ""
CONF
  redis-server "$dir/redis/redis.conf"
  # Ready when it answers PONG (while it loads its data it answers LOADING).
  for _ in $(seq 100); do
    [ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ] && break
    sleep 0.1
  done
  cat >"$dir/env" <<ENV
export AEGIS_TEST_POSTGRES='postgres://aegis@127.0.0.1:$pg_port/postgres'
export AEGIS_TEST_REDIS='redis://127.0.0.1:$redis_port/'
export AEGIS_TEST_PG_CTL='${as_pg[*]} $bin/pg_ctl -D $pgdata -l $pgdata/server.log'
export AEGIS_TEST_PG_DATA='$pgdata'
export AEGIS_TEST_REDIS_CONF='$dir/redis/redis.conf'
export AEGIS_TEST_PG_CA='$tls/ca.pem'
export AEGIS_TEST_REDIS_TLS='rediss://127.0.0.1:$redis_tls_port/'
ENV
  echo "postgres on 127.0.0.1:$pg_port, redis on 127.0.0.1:$redis_port; env in $dir/env" >&2
  ;;
stop)
  dir="$(cd "$dir" && pwd)"
  if [ -f "$dir/env" ]; then
    # shellcheck disable=SC1091
    . "$dir/env"
    $AEGIS_TEST_PG_CTL -m fast stop >/dev/null 2>&1 || true
    redis-cli -u "$AEGIS_TEST_REDIS" shutdown nosave >/dev/null 2>&1 || true
  fi
  ;;
*)
  echo "usage: servers.sh start|stop <dir>" >&2
  exit 2
  ;;
esac
