#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: `start DIR` makes one in DIR on a free
# loopback port and prints its URL; `stop DIR` stops it and removes DIR.
#
# Installs Debian's `postgresql` package if no server binaries are found. initdb refuses
# to run as root, so as root the cluster belongs to the `postgres` user the package
# creates. Settings trade durability for speed (fsync off): the cluster lives for one
# test run and is never a store anyone keeps.
set -euo pipefail

action="${1:-}"
dir="${2:-}"
if [[ -z "$action" || -z "$dir" ]]; then
    echo "usage: $0 start|stop DIR" >&2
    exit 2
fi

bindir() {
    local found
    found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    if [[ -z "$found" || ! -x "$found/initdb" ]]; then
        return 1
    fi
    echo "$found"
}

as_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "$action" in
start)
    if ! bin="$(bindir)"; then
        echo "postgres.sh: installing Debian's postgresql package" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq postgresql >&2
        bin="$(bindir)"
    fi
    mkdir -p "$dir"
    chmod 755 "$dir"
    if [[ "$(id -u)" == 0 ]]; then
        install -d -o postgres -g postgres -m 700 "$dir/data"
    else
        install -d -m 700 "$dir/data"
    fi
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 start -o \
        "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$dir/data' \
         -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
         -c shared_buffers=256MB -c maintenance_work_mem=256MB -c max_wal_size=4GB" >/dev/null \
        || { cat "$dir/data/server.log" >&2; exit 1; }
    echo "$bin" >"$dir/bindir"
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
stop)
    if [[ -f "$dir/bindir" && -f "$dir/data/postmaster.pid" ]]; then
        as_owner "$(cat "$dir/bindir")/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
