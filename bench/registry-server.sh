#!/usr/bin/env bash
# berth's registry server against Debian's docker-registry (distribution 2.8), skopeo as the client
# of both, in one run: push and pull of a 200 MB image (4 uncompressed layers of 50 MB random bytes)
# over loopback, each registry on a fresh root for every run. Prints medians and ratios, and the
# CPU time each server process spent on a pull (less noisy on a loaded machine than wall time).
# Not a test: run by hand after `npm run build`.   RUNS=5 bash bench/registry-server.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
W=$(mktemp -d /tmp/berth-bench-registry.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT

node bench/registry-image.mjs "$W/image" 4 50
port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
config() { printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:%s\n' "$1" "$2"; }
wait_up() { for _ in $(seq 200); do curl -sf "http://127.0.0.1:$1/v2/" >/dev/null && return 0; sleep 0.05; done; echo "registry on $1 did not start" >&2; exit 1; }
now() { date +%s%N; }
TICK_MS=$((1000 / $(getconf CLK_TCK)))
cpu() { awk -v t="$TICK_MS" '{print ($14 + $15) * t}' "/proc/$1/stat"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A PUSH PULL PULLCPU
for run in $(seq "$RUNS"); do
  # Alternate who goes first, and start each timing with nothing left to write back.
  if [ $((run % 2)) = 1 ]; then order="distribution berth"; else order="berth distribution"; fi
  for impl in $order; do
    p=$(port); root="$W/$impl-root-$run"; config "$root" "$p" >"$W/$impl.yml"
    if [ $impl = berth ]; then node bin/berth-registry.js serve "$W/$impl.yml" 2>"$W/$impl.log" & else docker-registry serve "$W/$impl.yml" 2>"$W/$impl.log" & fi
    pid=$!; PIDS+=("$pid"); wait_up "$p"
    sync; s=$(now); skopeo copy -q --dest-tls-verify=false "oci:$W/image:latest" "docker://127.0.0.1:$p/bench/image:latest"; e=$(now)
    PUSH[$impl]+="$(( (e - s) / 1000000 )) "
    sync; c=$(cpu "$pid"); s=$(now); skopeo copy -q --src-tls-verify=false "docker://127.0.0.1:$p/bench/image:latest" "dir:$W/pulled-$impl-$run"; e=$(now)
    PULL[$impl]+="$(( (e - s) / 1000000 )) "
    PULLCPU[$impl]+="$(( $(cpu "$pid") - c )) "
    kill "$pid"; wait "$pid" 2>/dev/null || true; rm -rf "$root" "$W/pulled-$impl-$run"
  done
done
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
pd=$(echo ${PUSH[distribution]} | tr ' ' '\n' | median); pb=$(echo ${PUSH[berth]} | tr ' ' '\n' | median)
ld=$(echo ${PULL[distribution]} | tr ' ' '\n' | median); lb=$(echo ${PULL[berth]} | tr ' ' '\n' | median)
cd_=$(echo ${PULLCPU[distribution]} | tr ' ' '\n' | median); cb=$(echo ${PULLCPU[berth]} | tr ' ' '\n' | median)
echo "## registry server, skopeo client, 200 MB (4 × 50 MB layers), median of $RUNS ($(nproc) cores, load average $LOAD0 before, $(cut -d' ' -f1-3 /proc/loadavg) after)"
echo "| | docker-registry 2.8 ms | berth ms | berth ÷ docker-registry |"
echo "|---|---|---|---|"
echo "| push | $pd | $pb | $(ratio "$pb" "$pd") |"
echo "| pull | $ld | $lb | $(ratio "$lb" "$ld") |"
echo "| server CPU during a pull | $cd_ | $cb | $(ratio "$cb" "$((cd_ > 0 ? cd_ : 1))") |"
echo "(runs, ms: push distribution ${PUSH[distribution]}/ berth ${PUSH[berth]}; pull distribution ${PULL[distribution]}/ berth ${PULL[berth]}; server CPU in pulls distribution ${PULLCPU[distribution]}/ berth ${PULLCPU[berth]})"
