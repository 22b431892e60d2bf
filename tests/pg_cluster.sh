#!/bin/sh
# pg_cluster.sh - a throwaway PostgreSQL cluster on loopback for the tests.
#
#   pg_cluster.sh start DIR PORT     initdb (trust on loopback only), start, and
#                                    make the roles and the template database
#   pg_cluster.sh standby DIR PORT PRIMARY_PORT
#                                    pg_basebackup of the primary, started as
#                                    its synchronous standby ("standby1")
#   pg_cluster.sh promote DIR        the standby becomes the primary
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
    psql_admin "$port" postgres -c "CREATE DATABASE votesrv_template"
    psql_admin "$port" votesrv_template -f "$HERE/../conf/postgresql-setup.sql"
    ;;
standby)
    dir=$2 port=$3 primary=$4
    mkdir -p "$dir"
    [ "$(id -u)" -ne 0 ] || chown postgres "$dir"
    # -R writes primary_conninfo and standby.signal; application_name names it
    # in the primary's synchronous_standby_names.
    as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$primary" -U postgres -D "$dir/data" \
        -X stream -R -c fast \
        -d "host=127.0.0.1 port=$primary user=postgres application_name=standby1"
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 \
        -o "$(server_options "$port" "$dir/data")" start >/dev/null
    # Only now is the primary told to wait for it: a commit is acknowledged
    # once the standby has it on disk (synchronous_commit = on, the default).
    # The standby's copy of the settings predates this, so once promoted it
    # does not wait for a standby it does not have.
    psql_admin "$primary" postgres \
        -c "ALTER SYSTEM SET synchronous_standby_names = 'standby1'" \
        -c "ALTER SYSTEM SET synchronous_commit = on" -c "SELECT pg_reload_conf()" >/dev/null
    for _ in $(seq 1 300); do
        state=$(psql_admin "$primary" postgres -At \
            -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'")
        [ "$state" = sync ] && exit 0
        sleep 0.1
    done
    echo "pg_cluster.sh: the standby did not become synchronous" >&2
    exit 1
    ;;
promote)
    as_pg "$PGBIN/pg_ctl" -D "$2/data" -w -t 60 promote >/dev/null
    ;;
stop)
    dir=$2
    [ -f "$dir/data/postmaster.pid" ] || exit 0
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
        as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    ;;
*)
    echo "usage: pg_cluster.sh start DIR PORT | standby DIR PORT PRIMARY_PORT | stop DIR |" \
         "available" >&2
    exit 2
    ;;
esac
