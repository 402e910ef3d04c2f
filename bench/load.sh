#!/usr/bin/env bash
# Load benchmark (issue 18): the system as users meet it — a real
# `sojourn serve` over HTTP, several clients at once, on a register that
# already holds people.
#
#   1. a store: `sojourn demo --no-serve` (the street, 5,000 residents and
#      its demo accounts), then ROWS more residents imported from a CSV
#      made by bench/gen_residents.py: the import into a register that is
#      not empty, timed;
#   2. `sojourn serve`, started three times: from the process's start to
#      its first 200 answer (the cold start);
#   3. signed in as the street's director (demo user `director`), wrk at 4
#      and at 32 connections against each of: ID search (POST
#      /api/v1/residents/search with a whole ID number), 2-character name
#      search (the same, with the first two characters of a name), the
#      person page (GET /persons/{id}), the home page (GET /) and the
#      residents list page (GET /residents, which writes no audit entry);
#      p50/p90/p99/max latency and requests per second of each;
#   4. the server's resident memory after the load.
#
# Usage, from the repository root:
#   bench/load.sh [ROWS] [--postgres]      (default 1000000, SQLite)
#
# Environment: SOJOURN_BENCH_DURATION seconds per wrk run (default 30);
# SOJOURN_BENCH_KEEP=1 keeps the work directory; SOJOURN_BENCH_REUSE=DIR
# reuses the store of a kept directory (steps 2–4 only).
#
# Needs wrk, curl, python3, bc and /usr/bin/time (Debian: apt-get install
# wrk curl python3 bc time), and with --postgres the PostgreSQL server
# binaries (apt-get install postgresql): a throwaway server with stock
# settings is started in the work directory and stopped on exit.
#
# The audited-read limit per account (`--audited-reads-per-minute`,
# default 600) is raised for the run: the bench measures the server, not
# the limit that stops one account from reading the register wholesale.
# wrk runs on the same machine as the server: on 2 cores they compete.
set -euo pipefail
cd "$(dirname "$0")/.."

rows=1000000
backend=sqlite
for arg in "$@"; do
    case $arg in
        --postgres) backend=postgres ;;
        '' | *[!0-9]*) echo "usage: bench/load.sh [ROWS] [--postgres]" >&2; exit 2 ;;
        *) rows=$arg ;;
    esac
done
duration=${SOJOURN_BENCH_DURATION:-30}
reuse=${SOJOURN_BENCH_REUSE:-}
if [ -n "$reuse" ]; then
    work=$(cd "$reuse" && pwd)
else
    work=$(mktemp -d /tmp/sojourn-load-bench.XXXXXX)
fi
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
as=()
pg_started=
server_pid=

stop_server() {
    if [ -n "$server_pid" ]; then
        kill -INT "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=
    fi
}

cleanup() {
    stop_server
    if [ -n "$pg_started" ]; then
        "${as[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
    fi
    if [ -z "${SOJOURN_BENCH_KEEP:-}" ] && [ -z "$reuse" ]; then rm -rf "$work"; else echo "kept $work"; fi
}
trap cleanup EXIT

for tool in wrk curl python3 bc /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install wrk curl python3 bc time)" >&2; exit 1; }
done
if [ "$backend" = postgres ] && [ -z "$pg_bin" ]; then
    echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2
    exit 1
fi

echo "== machine"
echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "memory: $(free -g | awk '/^Mem:/ {print $2}') GiB; kernel $(uname -r); $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2)"
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== build"
if ! cargo build --release --locked -p sojourn-cli >"$work/build.log" 2>&1; then
    tail -n 30 "$work/build.log" >&2
    exit 1
fi
sojourn=$PWD/target/release/sojourn

# The store: a SQLite file, or a database on a throwaway server.
if [ "$backend" = postgres ]; then
    if [ "$(id -u)" = 0 ]; then
        mkdir -p "$work/pg"
        chown postgres: "$work" "$work/pg"
        as=(runuser -u postgres --)
    fi
    port=$((20000 + RANDOM % 20000))
    if [ ! -e "$work/pg/PG_VERSION" ]; then
        "${as[@]}" "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
    fi
    "${as[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
        -o "-p $port -k $work -c listen_addresses=127.0.0.1" start >/dev/null
    pg_started=1
    url=postgres://postgres@127.0.0.1:$port
    db=$url/sojourn
    key=$work/pg.key
    echo "PostgreSQL $("$pg_bin/postgres" --version | cut -d' ' -f3), stock settings: $(psql -tA "$url/postgres" \
        -c "SELECT string_agg(name || ' = ' || current_setting(name), ', ' ORDER BY name) FROM pg_settings \
            WHERE name IN ('shared_buffers', 'fsync', 'synchronous_commit', 'autovacuum')")"
else
    db=$work/load.db
    key=$work/sojourn.key
fi
store=(--db "$db" --key-file "$key")

# The largest person id (the person page draws from 1..it).
max_person() {
    if [ "$backend" = postgres ]; then
        psql -tA "$db" -c "SELECT max(id) FROM persons"
    else
        python3 -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT max(id) FROM persons').fetchone()[0])" "$db"
    fi
}

if [ -z "$reuse" ]; then
    echo "== store: the demo street, then $rows residents imported"
    if [ "$backend" = postgres ]; then
        psql -q "$url/postgres" -c "CREATE DATABASE sojourn"
    fi
    "$sojourn" demo --no-serve "${store[@]}" >"$work/demo.log" 2>&1 || { tail -n 20 "$work/demo.log" >&2; exit 1; }
    csv=$work/residents.csv
    python3 bench/gen_residents.py "$rows" "$csv"
    # Search terms from the imported rows: whole ID numbers, and the first
    # two characters of names (surname and first given character).
    python3 - "$csv" "$work" <<'EOF'
import csv, random, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
rng = random.Random(18)
picked = rng.sample(rows, min(5000, len(rows)))
with open(f"{sys.argv[2]}/ids.txt", "w") as f:
    f.writelines(r["id_number"] + "\n" for r in picked)
names = sorted({r["name"][:2] for r in rows if len(r["name"]) >= 2})
with open(f"{sys.argv[2]}/names.txt", "w", encoding="utf-8") as f:
    f.writelines(n + "\n" for n in rng.sample(names, min(2000, len(names))))
EOF
    cat "$csv" >/dev/null # read from the page cache
    echo "load average before the import: $(cut -d' ' -f1-3 /proc/loadavg)"
    /usr/bin/time -f '%e %U %S %M' -o "$work/import.time" \
        "$sojourn" import residents "$csv" --max-rows $((rows + 1)) "${store[@]}" >"$work/import.out" 2>&1 || {
        # Refused rows (an ID number the demo street holds already) exit
        # non-zero; anything else is a failure.
        grep -q "residents: .* accepted" "$work/import.out" || { tail -n 20 "$work/import.out" >&2; exit 1; }
    }
    read -r wall user sys kib <"$work/import.time"
    accepted=$(grep -o 'residents: [0-9]* accepted, [0-9]* refused' "$work/import.out" | head -n 1)
    n=$(echo "$accepted" | awk '{print $2}')
    printf 'import into the demo street: %s in %.1f s wall (%.1f s CPU, %d MiB peak): %.0f rows/s\n' \
        "$accepted" "$wall" "$(echo "$user + $sys" | bc -l)" "$((kib / 1024))" "$(echo "$n / $wall" | bc -l)"
fi
persons=$(max_person)
echo "persons: $persons; store: $(if [ "$backend" = postgres ]; then psql -tA "$url/postgres" -c "SELECT pg_size_pretty(pg_database_size('sojourn'))"; else du -ch "$work"/load.db* | tail -n 1 | cut -f1; fi)"

port=$((20000 + RANDOM % 20000))
base=http://127.0.0.1:$port

# start_server: starts `sojourn serve` and waits for its first 200 answer;
# sets started_ms to the milliseconds from the process's start to it.
started_ms=
start_server() {
    local start end
    start=$(date +%s%N)
    "$sojourn" serve "${store[@]}" --listen "127.0.0.1:$port" \
        --audited-reads-per-minute 1000000000 >>"$work/serve.log" 2>&1 &
    server_pid=$!
    until curl -fs -o /dev/null "$base/sign-in"; do
        kill -0 "$server_pid" 2>/dev/null || { tail -n 20 "$work/serve.log" >&2; exit 1; }
        sleep 0.005
    done
    end=$(date +%s%N)
    started_ms=$(((end - start) / 1000000))
}

echo "== cold start (process start to first 200; store in the page cache)"
for run in 1 2 3; do
    start_server
    echo "serve start $run: $started_ms ms"
    [ "$run" = 3 ] || stop_server
done

echo "== sign-in as director"
login=$(curl -fs -c "$work/jar" "$base/api/v1/session" -H 'content-type: application/json' \
    -d '{"username": "director", "password": "Sojourn#2026"}')
csrf=$(echo "$login" | python3 -c 'import json, sys; print(json.load(sys.stdin)["csrf_token"])')
cookie=$(awk '$6 == "sojourn_session" {print $7}' "$work/jar")
[ -n "$cookie" ] && [ -n "$csrf" ] || { echo "sign-in failed: $login" >&2; exit 1; }

# run_wrk SCENARIO CONNECTIONS SECONDS: one wrk run; prints its RESULT line.
run_wrk() {
    local terms=
    case $1 in
        id_search) terms=$work/ids.txt ;;
        name_search) terms=$work/names.txt ;;
    esac
    LOAD_SCENARIO=$1 LOAD_COOKIE=$cookie LOAD_CSRF=$csrf LOAD_TERMS=$terms LOAD_MAX_PERSON=$persons \
        wrk -t 2 -c "$2" -d "${3}s" --timeout 10s -s bench/load.lua "$base" >"$work/wrk-$1-$2.out" 2>&1
    grep '^RESULT' "$work/wrk-$1-$2.out" || { cat "$work/wrk-$1-$2.out" >&2; exit 1; }
}

scenarios="id_search name_search person home list"
echo "== warm-up (5 s a scenario, not reported)"
for scenario in $scenarios; do run_wrk "$scenario" 4 5 >/dev/null || exit 1; done

echo "== load: ${duration} s a run, wrk -t 2 (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-12s %5s %9s %9s %9s %9s %9s %8s %7s\n' scenario conns p50_ms p90_ms p99_ms max_ms req/s not_200 errors
for conns in 4 32; do
    for scenario in $scenarios; do
        result=$(run_wrk "$scenario" "$conns" "$duration") || exit 1
        read -r _ name _requests p50 p90 p99 max rps bad errors <<<"$result"
        printf '%-12s %5d %9s %9s %9s %9s %9s %8s %7s\n' "$name" "$conns" "$p50" "$p90" "$p99" "$max" "$rps" "$bad" "$errors"
    done
done
echo "load average after the load: $(cut -d' ' -f1-3 /proc/loadavg)"

rss=$(awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$server_pid/status")
hwm=$(awk '/^VmHWM/ {print int($2 / 1024)}' "/proc/$server_pid/status")
echo "server memory after the load: ${rss} MiB resident (peak ${hwm} MiB)"
if [ "$backend" = sqlite ]; then
    echo "WAL after the load: $(du -h "$work/load.db-wal" 2>/dev/null | cut -f1)"
fi
