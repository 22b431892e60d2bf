#!/bin/sh
# pg_cluster.sh - a throwaway PostgreSQL cluster on loopback for the tests.
#
#   pg_cluster.sh start DIR PORT     initdb (trust on loopback only), start, and
#                                    make the roles and the template database
#   pg_cluster.sh template PORT      make the roles and the template database in
#                                    a running server (the Patroni cluster's
#                                    primary in make check-ha)
#   pg_cluster.sh backup DIR PORT    pg_basebackup of the server at PORT (primary
#                                    or standby) into DIR/data, with the WAL it
#                                    needs, checked by pg_verifybackup
#   pg_cluster.sh scratch DIR PORT   start that copy as a throw-away server
#   pg_cluster.sh stop DIR           stop fast (immediate if that fails)
#   pg_cluster.sh available          exit 0 if the PostgreSQL server programs exist
#
# PG_CLUSTER_THROWAWAY=1 (make test-pg's single server, never the HA pair):
# no fsync and no full-page writes. What a committed transaction shows other
# sessions is the same; only a crash of the machine (which no test of the
# suite makes) could lose it.
#
# As root, the server runs as the "postgres" user (initdb refuses root). The
# template database votesrv_template holds conf/postgresql-setup.sql's roles
# and schemas; the tests' databases are copies of it.
set -eu

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
HERE=$(cd "$(dirname "$0")" && pwd)

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

psql_admin() {
    port=$1 db=$2
    shift 2
    "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"
}

server_options() {
    # fsync stays on (unless PG_CLUSTER_THROWAWAY=1): the HA test's claim is
    # about durable, replicated commits.
    fast=
    [ "${PG_CLUSTER_THROWAWAY:-}" != 1 ] ||
        fast=" -c fsync=off -c full_page_writes=off"
    echo "-c listen_addresses=127.0.0.1 -c port=$1 -c unix_socket_directories=$2" \
         "-c max_connections=200 -c shared_buffers=64MB -c wal_level=replica" \
         "-c max_wal_senders=4 -c wal_keep_size=256MB -c hot_standby=on" \
         "-c logging_collector=off -c log_min_messages=warning$fast"
}

case ${1:-} in
available)
    [ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ] && [ -x "$PGBIN/pg_basebackup" ] &&
        { [ "$(id -u)" -ne 0 ] || id postgres >/dev/null 2>&1; }
    ;;
start)
    dir=$2 port=$3
    mkdir -p "$dir"
    [ "$(id -u)" -ne 0 ] || chown postgres "$dir"
    as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1
    cat >>"$dir/data/pg_hba.conf" <<EOF
host replication postgres 127.0.0.1/32 trust
EOF
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 \
        -o "$(server_options "$port" "$dir/data")" start >/dev/null
    "$0" template "$port"
    ;;
template)
    port=$2
    psql_admin "$port" postgres -c "CREATE DATABASE votesrv_template"
    psql_admin "$port" votesrv_template -f "$HERE/../conf/postgresql-setup.sql"
    ;;
backup)
    # docs/deployment.md "Backups of the PostgreSQL store", step for step
    dir=$2 port=$3
    mkdir -p "$dir"
    [ "$(id -u)" -ne 0 ] || chown postgres "$dir"
    as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$port" -U postgres -D "$dir/data" \
        -X stream -c fast --no-password >"$dir/backup.log" 2>&1 ||
        { cat "$dir/backup.log" >&2; exit 1; }
    as_pg "$PGBIN/pg_verifybackup" -q "$dir/data" >&2
    ;;
scratch)
    # The copy's own settings (Patroni's, for the machine it came from) give
    # way to these: no standby, another port and socket, no synchronous standby.
    dir=$2 port=$3
    rm -f "$dir/data/standby.signal" "$dir/data/recovery.signal"
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "$(server_options "$port" "$dir") -c hba_file=$dir/data/pg_hba.conf \
            -c ident_file=$dir/data/pg_ident.conf -c synchronous_standby_names= \
            -c primary_conninfo= -c archive_mode=off" start >/dev/null
    ;;
stop)
    dir=$2
    [ -f "$dir/data/postmaster.pid" ] || exit 0
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
        as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    ;;
*)
    echo "usage: pg_cluster.sh start DIR PORT | template PORT | backup DIR PORT |" \
         "scratch DIR PORT | stop DIR | available" >&2
    exit 2
    ;;
esac
