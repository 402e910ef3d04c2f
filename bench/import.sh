#!/usr/bin/env bash
# CSV import benchmark (issue 2): `sojourn import residents` against the
# database's own bulk loader, side by side in one run, on the same file:
#
#   SQLite      sojourn import residents FILE          vs  sqlite3 .import --csv --skip 1
#   PostgreSQL  sojourn import residents FILE --db URL  vs  psql \copy … FROM FILE CSV HEADER
#
# (sojourn with --max-rows ROWS+1: a million rows are over a street's bound,
# and the bound counts the header line as Excel counts it)
#
# Usage, from the repository root:  bench/import.sh [ROWS]   (default 1000000)
#
# Needs sqlite3, python3, PostgreSQL server binaries and /usr/bin/time
# and bc (Debian: apt-get install sqlite3 postgresql time bc). Starts a
# throwaway PostgreSQL server — stock settings, but autovacuum off so that it
# runs after neither load instead of during one — and removes it and every
# file it made on exit; SOJOURN_BENCH_KEEP=1 keeps the files.
#
# sojourn loads into a freshly initialised store: the first load of an
# empty register, so it takes the bulk path (search indexes and, on
# PostgreSQL, the per-row foreign keys set aside and rebuilt once at the end,
# all inside the timed run; docs/PERFORMANCE.md).
#
# The reference table. The CSV's 24 columns, one table, with an index for
# every index of ours whose key is a column of the file:
#   UNIQUE (id_number)                 persons' unique ID number
#   (name)                             persons_name
#   (phone)                            persons_phone_bidx (blind index)
#   (unit)                             persons_unit
#   (unit, arrived_on)                 residences_unit
#   (house_address) where filled       residences_house   (partial, as ours)
#   (employer_uscc) where filled       residences_employer (partial, as ours)
# Ours that have no counterpart, so only sojourn pays for them: the name's
# pinyin and initials (persons_pinyin, persons_initials: derived, not in the
# file), the indexes keyed by the store's person id (residences_person,
# residences_one_current, residences_current_scope) and the second table
# itself (a file per person, a row per stay), its foreign keys included.
# The comparison is therefore conservative: the reference maintains 7
# indexes on one table, sojourn 12 on two, and checks every row besides (ID
# check character, dates, code tables, units in scope, duplicates). The
# reference columns have the types ours have (DATE for dates in PostgreSQL,
# TEXT COLLATE "C" for indexed text).
set -euo pipefail
cd "$(dirname "$0")/.."

rows=${1:-1000000}
work=$(mktemp -d /tmp/sojourn-import-bench.XXXXXX)
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
as=()
pg_started=

cleanup() {
    if [ -n "$pg_started" ]; then
        "${as[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
    fi
    if [ -z "${SOJOURN_BENCH_KEEP:-}" ]; then rm -rf "$work"; else echo "kept $work"; fi
}
trap cleanup EXIT

for tool in sqlite3 psql python3 bc /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install sqlite3 postgresql time bc python3)" >&2; exit 1; }
done
[ -n "$pg_bin" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

echo "== machine"
echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "memory: $(free -g | awk '/^Mem:/ {print $2}') GiB; kernel $(uname -r); disk $(df -h "$work" | awk 'NR==2 {print $1}')"
echo "sqlite3 $(sqlite3 --version | cut -d' ' -f1); $("$pg_bin/postgres" --version); $(rustc --version)"
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== build"
if ! cargo build --release --locked -p sojourn-cli >"$work/build.log" 2>&1; then
    tail -n 30 "$work/build.log" >&2
    exit 1
fi
sojourn=$PWD/target/release/sojourn

echo "== data: $rows residents"
csv=$work/residents.csv
python3 bench/gen_residents.py "$rows" "$csv"
echo "$csv: $(du -h "$csv" | cut -f1)"
cat "$csv" >/dev/null # every contender reads it from the page cache

# CPU seconds of the PostgreSQL server's exited backends: the postmaster
# reaps them, so their CPU time adds up in its cutime and cstime.
server_cpu() {
    if [ -z "$pg_started" ]; then echo 0; return; fi
    local pid
    pid=$(head -n 1 "$work/pg/postmaster.pid")
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($14 + $15) / hz }' "/proc/$pid/stat"
}

# measure LABEL CMD…: runs CMD under /usr/bin/time; records wall seconds,
# CPU seconds (user + system, the process's and, against PostgreSQL, the
# server backends') and the process's peak resident set size (MiB).
declare -A wall cpu rss
measure() {
    local label=$1
    shift
    local start end server_before
    server_before=$(server_cpu)
    start=$(date +%s.%N)
    /usr/bin/time -f '%U %S %M' -o "$work/$label.time" "$@" >"$work/$label.out" 2>&1 || {
        echo "$label failed:" >&2
        tail -n 20 "$work/$label.out" >&2
        exit 1
    }
    end=$(date +%s.%N)
    sleep 1 # the backends exit and are reaped just after their client
    wall[$label]=$(echo "$end - $start" | bc -l)
    read -r user sys kib <"$work/$label.time"
    local server
    server=$(echo "$(server_cpu) - $server_before" | bc -l)
    cpu[$label]=$(echo "$user + $sys + $server" | bc -l)
    rss[$label]=$(echo "$kib / 1024" | bc)
    printf '%-34s %8.2f s wall  %8.2f s CPU' "$label" "${wall[$label]}" "${cpu[$label]}"
    if [ -n "$pg_started" ]; then printf ' (server %.2f)' "$server"; fi
    printf '  %6d MiB peak\n' "${rss[$label]}"
}

columns="id_number, name, sex, birth_date, ethnicity, domicile, domicile_address, phone,
    marital_status, education, political_status, occupation, unit, arrived_on,
    intended_stay_months, reason, current_address, house_address, employer_uscc, status,
    departed_on, destination, destination_address, departure_reason"
indexes="
CREATE UNIQUE INDEX residents_id_number ON residents (id_number);
CREATE INDEX residents_name ON residents (name);
CREATE INDEX residents_phone ON residents (phone);
CREATE INDEX residents_unit ON residents (unit);
CREATE INDEX residents_unit_arrived ON residents (unit, arrived_on);
CREATE INDEX residents_house ON residents (house_address) WHERE house_address <> '';
CREATE INDEX residents_employer ON residents (employer_uscc) WHERE employer_uscc <> '';"

# Every table a resident import writes rows to (the file, the stay, its
# links, its review and its data-quality findings): the yardsticks copy
# all of them. The running totals are kept by the schema's own triggers
# as the yardstick inserts.
stored_tables="persons residences links review_states review_steps quality_findings"

check_accepted() {
    grep -q "residents: $rows accepted, 0 refused" "$work/$1.out" || {
        echo "$1 did not accept every row:" >&2
        tail -n 5 "$work/$1.out" >&2
        exit 1
    }
}

echo "== SQLite"
# sojourn's connection settings (src/sqlite/mod.rs), for the second reference run.
pragmas="PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;"
sqlite_table="CREATE TABLE residents ($(echo "$columns" | sed 's/,/ TEXT,/g') TEXT);$indexes"
"$sojourn" init --unit 110101001 --db "$work/sojourn.db" >/dev/null
# A million rows are over a street's bound (200,000): raise it. The bound
# counts lines as Excel counts rows, the header too.
max_rows=$((rows + 1))
measure "sojourn import (SQLite)" "$sojourn" import residents "$csv" --max-rows "$max_rows" --db "$work/sojourn.db"
check_accepted "sojourn import (SQLite)"
sqlite3 "$work/defaults.db" "$sqlite_table"
measure "sqlite3 .import (defaults)" sqlite3 "$work/defaults.db" ".import --csv --skip 1 $csv residents"
sqlite3 "$work/pragmas.db" "$sqlite_table"
measure "sqlite3 .import (sojourn PRAGMAs)" sqlite3 "$work/pragmas.db" "$pragmas" ".import --csv --skip 1 $csv residents" 
for db in defaults pragmas; do
    count=$(sqlite3 "$work/$db.db" "SELECT count(*) FROM residents")
    [ "$count" = "$rows" ] || { echo "sqlite3 .import ($db) loaded $count rows" >&2; exit 1; }
done
echo "sizes: sojourn $(du -ch "$work"/sojourn.db* | tail -n 1 | cut -f1), reference $(du -h "$work/pragmas.db" | cut -f1)"
# The yardstick: sqlite3 itself copying every row the import stored into
# an empty store of the same schema (indexes, foreign keys, triggers), in
# one transaction: what the engine alone needs to store the same rows.
"$sojourn" init --unit 110101001 --db "$work/floor.db" >/dev/null
copies=""
for table in $stored_tables; do copies="$copies INSERT INTO $table SELECT * FROM ours.$table;"; done
measure "floor: sqlite3 copies our rows" sqlite3 "$work/floor.db" "$pragmas PRAGMA foreign_keys = ON;" \
    "ATTACH '$work/sojourn.db' AS ours; BEGIN; $copies COMMIT;"

echo "== PostgreSQL"
if [ "$(id -u)" = 0 ]; then
    mkdir -p "$work/pg"
    chown postgres: "$work" "$work/pg"
    chmod o+r "$csv" # \copy reads it client-side, but keep the file readable
    as=(runuser -u postgres --)
fi
port=$((20000 + RANDOM % 20000))
"${as[@]}" "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
"${as[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
    -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c autovacuum=off" start >/dev/null
pg_started=1
url=postgres://postgres@127.0.0.1:$port
psql -q "$url/postgres" -c "CREATE DATABASE sojourn" -c "CREATE DATABASE reference"
echo "server $("$pg_bin/postgres" --version | cut -d' ' -f3): $(psql -tA "$url/postgres" \
    -c "SELECT string_agg(name || ' = ' || current_setting(name), ', ' ORDER BY name) FROM pg_settings \
        WHERE name IN ('shared_buffers', 'max_wal_size', 'fsync', 'synchronous_commit', 'autovacuum')")"
"$sojourn" init --unit 110101001 --db "$url/sojourn" --key-file "$work/pg.key" >/dev/null
measure "sojourn import (PostgreSQL)" "$sojourn" import residents "$csv" --max-rows "$max_rows" --db "$url/sojourn" --key-file "$work/pg.key"
check_accepted "sojourn import (PostgreSQL)"
pg_table="CREATE TABLE residents ($(echo "$columns" | sed -E 's/,/ TEXT COLLATE "C",/g') TEXT);
ALTER TABLE residents ALTER birth_date TYPE DATE USING birth_date::date,
    ALTER arrived_on TYPE DATE USING arrived_on::date,
    ALTER departed_on TYPE DATE USING departed_on::date,
    ALTER intended_stay_months TYPE BIGINT USING intended_stay_months::bigint;$indexes"
psql -q "$url/reference" -c "$pg_table"
measure "psql \\copy" psql "$url/reference" -c "\\copy residents FROM '$csv' CSV HEADER"
count=$(psql -tA "$url/reference" -c "SELECT count(*) FROM residents")
[ "$count" = "$rows" ] || { echo "psql \\copy loaded $count rows" >&2; exit 1; }
echo "sizes: sojourn $(psql -tA "$url/postgres" -c "SELECT pg_size_pretty(pg_database_size('sojourn'))"), reference $(psql -tA "$url/postgres" -c "SELECT pg_size_pretty(pg_database_size('reference'))")"
# The yardstick again: psql \copy of the rows sojourn stored into an empty
# store of the same schema, in one transaction.
psql -q "$url/postgres" -c "CREATE DATABASE floor"
"$sojourn" init --unit 110101001 --db "$url/floor" --key-file "$work/pg-floor.key" >/dev/null
for table in $stored_tables; do
    psql -q "$url/sojourn" -c "\\copy $table TO '$work/$table.copy'"
    echo "\\copy $table FROM '$work/$table.copy'" >>"$work/floor.psql"
done
measure "floor: psql \\copy of our rows" psql -q -1 "$url/floor" -f "$work/floor.psql"

echo "== ratios (wall clock; target: SQLite ≤ 1.00 × the faster sqlite3 run, PostgreSQL ≤ 1.20 × psql)"
best=$(echo "if (${wall[sqlite3 .import (defaults)]} < ${wall[sqlite3 .import (sojourn PRAGMAs)]}) ${wall[sqlite3 .import (defaults)]} else ${wall[sqlite3 .import (sojourn PRAGMAs)]}" | bc -l)
verdict() { if [ "$(echo "$1 <= $2" | bc -l)" = 1 ]; then echo met; else echo missed; fi; }
sqlite_ratio=$(echo "${wall[sojourn import (SQLite)]} / $best" | bc -l)
pg_ratio=$(echo "${wall[sojourn import (PostgreSQL)]} / ${wall[psql \\copy]}" | bc -l)
best_cpu=$(echo "if (${cpu[sqlite3 .import (defaults)]} < ${cpu[sqlite3 .import (sojourn PRAGMAs)]}) ${cpu[sqlite3 .import (defaults)]} else ${cpu[sqlite3 .import (sojourn PRAGMAs)]}" | bc -l)
sqlite_cpu_ratio=$(echo "${cpu[sojourn import (SQLite)]} / $best_cpu" | bc -l)
pg_cpu_ratio=$(echo "${cpu[sojourn import (PostgreSQL)]} / ${cpu[psql \\copy]}" | bc -l)
printf 'SQLite:     %.2f x sqlite3 .import   (%s); CPU %.2f x\n' "$sqlite_ratio" "$(verdict "$sqlite_ratio" 1.00)" "$sqlite_cpu_ratio"
printf 'PostgreSQL: %.2f x psql \\copy        (%s); CPU %.2f x\n' "$pg_ratio" "$(verdict "$pg_ratio" 1.20)" "$pg_cpu_ratio"
sqlite_floor=${wall[floor: sqlite3 copies our rows]}
pg_floor=${wall[floor: psql \\copy of our rows]}
printf 'Yardsticks (the engine alone storing our rows in our schema): SQLite %.2f x, PostgreSQL %.2f x the reference\n' \
    "$(echo "$sqlite_floor / $best" | bc -l)" "$(echo "$pg_floor / ${wall[psql \\copy]}" | bc -l)"
sqlite_floor_ratio=$(echo "${wall[sojourn import (SQLite)]} / $sqlite_floor" | bc -l)
pg_floor_ratio=$(echo "${wall[sojourn import (PostgreSQL)]} / $pg_floor" | bc -l)
printf 'Against the yardstick: SQLite %.2f x (%s at 1.00), PostgreSQL %.2f x (%s at 1.20)\n' \
    "$sqlite_floor_ratio" "$(verdict "$sqlite_floor_ratio" 1.00)" "$pg_floor_ratio" "$(verdict "$pg_floor_ratio" 1.20)"
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
