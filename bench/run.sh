#!/usr/bin/env bash
# bench/run.sh [ROW...]: the driver of `make bench`.
#
# Rows: nop read-cache read-tmpfs write-tmpfs direct echo sim (default: all). For every row
# and every repetition, ringer and each baseline run back to back; the summary gives, per
# implementation, the median throughput, the ratio ringer/baseline (median of the paired
# per-repetition ratios, with their min and max), io_uring_enter calls per operation and
# CPU time per operation (all threads, kernel workers included).
#
# Environment: BENCH_BIN, BENCH_UV_BIN (set by bench.mk), BENCH_SECONDS (per run, whole
# seconds because fio needs them; default 1), BENCH_REPS (default 5), BENCH_DISK_DIR (the
# page-cached and O_DIRECT file; default /var/tmp/ringer-bench), BENCH_CACHE_MB (its size;
# default 1024), BENCH_TMPFS_DIR (default /dev/shm/ringer-bench), BENCH_CPU (the CPU the
# echo row pins server and client to; default 1), BENCH_OUT (a copy of the summary).
set -u
cd "$(dirname "$0")/.."

BIN=${BENCH_BIN:-build/default/bench/ringer-bench}
UV_BIN=${BENCH_UV_BIN:-build/default/bench/ringer-bench-uv}
SECONDS_PER_RUN=${BENCH_SECONDS:-1}
REPS=${BENCH_REPS:-5}
DISK_DIR=${BENCH_DISK_DIR:-/var/tmp/ringer-bench}
CACHE_MB=${BENCH_CACHE_MB:-1024}
TMPFS_DIR=${BENCH_TMPFS_DIR:-/dev/shm/ringer-bench}
TMPFS_MB=256
CPU=${BENCH_CPU:-1}
OUT=${BENCH_OUT:-$(dirname "$BIN")/results.txt}
ROWS=${*:-nop read-cache read-tmpfs write-tmpfs direct echo sim}

work=$(mktemp -d)
trap 'rm -rf "$work"; rm -rf "$TMPFS_DIR"' EXIT
: >"$OUT"

say() { echo "$*" | tee -a "$OUT"; }

# ---- measurements: each prints "ops seconds syscalls cpu_ns" (syscalls -1: unknown) ----

# fio and libuv cannot count their own system calls, and ringer's own count leaves out the
# entries liburing makes on its behalf: so one extra, unmeasured "census" run per
# implementation and row counts them all with perf's syscall tracepoints (io_uring_enter
# for the storage rows, every system call of the server for echo). perf slows each
# syscall a little, so throughput is never taken from a census run. PERF_EVENT is empty
# when perf cannot count.
PERF_EVENT=""
if perf stat -x, -e syscalls:sys_enter_io_uring_enter -o /dev/null true 2>/dev/null; then
    PERF_EVENT=yes
fi
CENSUS=""

# Parses ringer-bench's "result ..." line.
parse_result() {
    sed -n 's/^result ops=\([0-9]*\) seconds=\([0-9.]*\) syscalls=\(-*[0-9]*\) cpu_ns=\([0-9]*\)$/\1 \2 \3 \4/p'
}

measure_storage() { # IMPL KIND PATH DEPTH
    if [ -z "$CENSUS" ]; then
        "$BIN" storage "$1" "$2" "$3" "$4" "$SECONDS_PER_RUN" | parse_result
        return
    fi
    perf stat -x, -e syscalls:sys_enter_io_uring_enter -o "$work/perf" \
        "$BIN" storage "$1" "$2" "$3" "$4" "$SECONDS_PER_RUN" >"$work/census.out"
    parse_result <"$work/census.out" | awk -v n="$(perf_count "$work/perf")" '{ print $1, $2, n, $4 }'
}

# fio's io_uring engine with the options the issue names; terse field 8 is read IOPS, 49
# write IOPS, 9 and 50 their runtimes in ms. CPU comes from `ringer-bench exec` (fio's own
# usr/sys columns count only its job thread, not the kernel workers).
measure_fio() { # rw PATH DEPTH SIZE_MB
    local rw=$1 path=$2 depth=$3 size_mb=$4 terse cpu syscalls=-1
    local -a perf=()
    [ -n "$CENSUS" ] && perf=(perf stat -x, -e syscalls:sys_enter_io_uring_enter -o "$work/perf")
    terse=$("$BIN" exec "${perf[@]}" fio --name=bench --filename="$path" --size="${size_mb}m" \
        --rw="$rw" --bs=4k --iodepth="$depth" --ioengine=io_uring --invalidate=0 \
        --norandommap --randrepeat=0 --time_based --runtime="$SECONDS_PER_RUN" \
        --output-format=terse --terse-version=3 2>"$work/fio.err")
    cpu=$(sed -n 's/^cpu_ns=//p' "$work/fio.err")
    [ -n "$CENSUS" ] && syscalls=$(perf_count "$work/perf")
    [ -n "$CENSUS" ] || syscalls=-1
    awk -F';' -v rw="$rw" -v cpu="$cpu" -v sys="$syscalls" '{
        iops = (rw == "randwrite") ? $49 : $8; ms = (rw == "randwrite") ? $50 : $9;
        printf "%d %.6f %d %s\n", iops * ms / 1000, ms / 1000, sys, cpu }' <<<"$terse"
}

# Starts a server pinned to $CPU, runs the client on the same CPU, stops the server with
# SIGINT. Throughput is the client's round trips; syscalls and CPU are the server's.
measure_echo() { # SERVER-COMMAND...
    taskset -c "$CPU" "$@" >"$work/server.out" 2>"$work/server.err" &
    local pid=$! port="" client server
    for _ in $(seq 100); do
        port=$(sed -n 's/^port //p' "$work/server.out")
        [ -n "$port" ] && break
        sleep 0.05
    done
    [ -n "$port" ] || { kill "$pid"; echo "0 1 -1 0"; return; }
    local perf_pid=""
    if [ -n "$CENSUS" ] && [ -n "$PERF_EVENT" ]; then # every system call of the server
        perf stat -x, -e raw_syscalls:sys_enter -p "$pid" -o "$work/perf" &
        perf_pid=$!
        sleep 0.2
    fi
    client=$(taskset -c "$CPU" "$BIN" echo-client "$port" 64 64 "$SECONDS_PER_RUN" | parse_result)
    [ -n "$perf_pid" ] && kill -INT "$perf_pid" && wait "$perf_pid"
    kill -INT "$pid"
    wait "$pid"
    server=$(parse_result <"$work/server.out")
    if [ -n "$perf_pid" ]; then # replace the unknown count by perf's, per client round trip
        server=$(awk -v c="$client" -v n="$(perf_count "$work/perf")" '{
            split(c, a, " "); print a[1], $2, n / a[1] * $1, $4 }' <<<"$server")
    fi
    # ops and seconds from the client; syscalls and CPU per echo from the server
    awk -v c="$client" -v s="$server" 'BEGIN {
        split(c, a, " "); split(s, b, " ");
        sys = (b[3] < 0 || b[1] == 0) ? -1 : b[3] / b[1] * a[1];
        cpu = (b[1] == 0) ? 0 : b[4] / b[1] * a[1];
        printf "%d %.6f %d %d\n", a[1], a[2], sys, cpu }'
}

perf_count() { awk -F, '$1 ~ /^[0-9]+$/ { print $1; exit }' "$1"; }

# ---- statistics ----

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0;
    else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Runs every implementation of one row variant REPS times, back to back, and prints the
# summary. Arguments: LABEL TARGET-TEXT then pairs NAME COMMAND (a shell function call).
run_variant() {
    local label=$1 targets=$2
    shift 2
    local -a names=() commands=()
    while [ $# -gt 0 ]; do names+=("$1"); commands+=("$2"); shift 2; done
    local rep i
    for ((rep = 1; rep <= REPS; rep++)); do
        for i in "${!names[@]}"; do
            eval "${commands[$i]}" >>"$work/${label// /_}.${names[$i]}"
        done
    done
    if [ -n "$PERF_EVENT" ]; then
        for i in "${!names[@]}"; do
            CENSUS=yes
            eval "${commands[$i]}" >"$work/${label// /_}.${names[$i]}.census"
            CENSUS=""
        done
    fi
    summarize "$label" "$targets" "${names[@]}"
}

summarize() {
    local label=$1 targets=$2
    shift 2
    local base="$work/${label// /_}" first=$1 name first_cpu=0
    for name in "$@"; do
        local file="$base.$name" ops_s sys perf_sys="n/a" cpu ratio="" line
        ops_s=$(awk '$2 > 0 { print $1 / $2 }' "$file" | median)
        sys=$(awk '$3 >= 0 && $1 > 0 { print $3 / $1 }' "$file" | median)
        [ -s "$file" ] && awk '$3 < 0' "$file" | grep -q . && sys="n/a"
        if [ -s "$file.census" ]; then
            perf_sys=$(awk '$1 > 0 && $3 >= 0 { printf "%.4f", $3 / $1 }' "$file.census")
            [ -n "$perf_sys" ] || perf_sys="n/a"
        fi
        cpu=$(awk '$1 > 0 { print $4 / $1 }' "$file" | median)
        if [ "$name" != "$first" ]; then
            ratio=$(paste -d' ' "$base.$first" "$file" | awk '$6 > 0 && $5 > 0 {
                print ($1 / $2) / ($5 / $6) }' | sort -g | awk '{ v[NR] = $1 } END {
                m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
                printf "%.3f (%.3f..%.3f)", m, v[1], v[NR] }')
        fi
        # The CPU-time ratio (baseline CPU per op / ringer CPU per op) is steadier than the
        # throughput ratio when other work shares the machine.
        local cpu_ratio=""
        if [ "$name" != "$first" ]; then
            cpu_ratio=$(awk -v b="$cpu" -v r="$first_cpu" 'BEGIN { if (r > 0) printf "%.3f", b / r }')
        else
            first_cpu=$cpu
        fi
        line=$(printf '%-18s %-6s %10.0f ops/s %-30s syscalls/op %7s self %7s perf %6.0f ns CPU/op%s' \
            "$label" "$name" "$ops_s" "${ratio:+ ringer/$name $ratio}" \
            "$( [ "$sys" = n/a ] && echo n/a || printf '%.4f' "$sys")" "$perf_sys" "$cpu" \
            "${cpu_ratio:+ (CPU ratio $cpu_ratio)}")
        say "$line"
    done
    [ -n "$targets" ] && say "$(printf '%-18s target: %s' "$label" "$targets")"
    return 0
}

# ---- rows ----

prepare_disk_file() {
    mkdir -p "$DISK_DIR"
    local file=$DISK_DIR/cache.bin want=$((CACHE_MB * 1024 * 1024))
    if [ "$(stat -c %s "$file" 2>/dev/null || echo 0)" -ne "$want" ]; then
        echo "(writing the ${CACHE_MB} MiB file $file)" >&2
        head -c "$want" /dev/zero >"$file" && sync "$file"
    fi
    cat "$file" >/dev/null # into the page cache
}

prepare_tmpfs_file() {
    mkdir -p "$TMPFS_DIR"
    head -c $((TMPFS_MB * 1024 * 1024)) /dev/zero >"$TMPFS_DIR/tmpfs.bin"
}

row_nop() {
    local qd
    for qd in 1 32 128; do
        local target=""
        [ "$qd" = 128 ] && target=">= 0.90x raw"
        run_variant "nop QD$qd" "$target" \
            ringer "measure_storage ringer nop - $qd" raw "measure_storage raw nop - $qd"
    done
}

row_read_cache() {
    prepare_disk_file
    local file=$DISK_DIR/cache.bin qd
    for qd in 1 32 128; do
        run_variant "read-cache QD$qd" ">= 0.97x raw; >= 1.5x fio" \
            ringer "measure_storage ringer read $file $qd" \
            raw "measure_storage raw read $file $qd" \
            fio "measure_fio randread $file $qd $CACHE_MB"
    done
}

row_read_tmpfs() {
    prepare_tmpfs_file
    local file=$TMPFS_DIR/tmpfs.bin
    run_variant "read-tmpfs QD32" ">= 1.0x fio" ringer "measure_storage ringer read $file 32" \
        fio "measure_fio randread $file 32 $TMPFS_MB" raw "measure_storage raw read $file 32"
}

row_write_tmpfs() {
    prepare_tmpfs_file
    local file=$TMPFS_DIR/tmpfs.bin
    run_variant "write-tmpfs QD32" ">= 1.0x fio" ringer "measure_storage ringer write $file 32" \
        fio "measure_fio randwrite $file 32 $TMPFS_MB" raw "measure_storage raw write $file 32"
}

row_direct() {
    prepare_disk_file
    local file=$DISK_DIR/cache.bin qd
    for qd in 1 32; do
        run_variant "direct QD$qd" ">= 0.97x raw" ringer "measure_storage ringer direct $file $qd" \
            raw "measure_storage raw direct $file $qd"
    done
}

row_echo() {
    run_variant "echo 64x64B" ">= 1.0x raw; >= 1.1x libuv" \
        ringer "measure_echo $BIN echo-server ringer" raw "measure_echo $BIN echo-server raw" \
        libuv "measure_echo $UV_BIN"
}

row_sim() {
    local sim_bench=${BENCH_SIM_BIN:-$(dirname "$BIN")/ringer-bench-sim}
    if [ ! -x "$sim_bench" ]; then
        say "$(printf '%-18s not built: %s' sim "no $sim_bench (the simulated kernel's library is not available to this build)")"
        return
    fi
    "$sim_bench" $((2 * SECONDS_PER_RUN)) | tee -a "$OUT"
    # ringer-sim's storage workload: realistic operations with independent checkers.
    local simulator=${BENCH_RINGER_SIM:-$(dirname "$BIN")/../bin/ringer-sim}
    if [ -x "$simulator" ]; then
        "$simulator" --seeds 100 --workload storage 2>&1 | head -n 1 | awk '{
            for (i = 1; i <= NF; i++) { if ($i == "ops,") ops = $(i - 1); if ($i == "in") real = $(i + 1) }
            match($0, /virtual\/real [0-9.]+/); vr = substr($0, RSTART + 13, RLENGTH - 13)
            match($0, /[0-9.]+ seeds\/s/); sps = substr($0, RSTART, RLENGTH)
            printf "%-18s ringer-sim %8.0f checked ops per real second  virtual/real %6.1fx  (%s, 100 seeds)\n",
                "sim ringer-sim", ops / real, vr, sps }' | tee -a "$OUT"
    fi
}

say "ringer bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -sr), $(nproc) CPUs, ${REPS} x ${SECONDS_PER_RUN} s per run"
for row in $ROWS; do
    case "$row" in
        nop) row_nop ;;
        read-cache) row_read_cache ;;
        read-tmpfs) row_read_tmpfs ;;
        write-tmpfs) row_write_tmpfs ;;
        direct) row_direct ;;
        echo) row_echo ;;
        sim) row_sim ;;
        *) echo "bench/run.sh: unknown row '$row'" >&2; exit 2 ;;
    esac
done
