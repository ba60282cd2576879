#!/usr/bin/env bash
# docker exec, attach throughput and health checks: berthd against dockerd and podman, in one run.
# Not a test: run by hand as root once berth is built (npm run build). Writes bench/exec-results.md.
#   bash bench/exec.sh     (RUNS=20 hyperfine runs; N=100 health-checked containers, 0 for none; SIZE bytes through attach, 1 GiB)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-20}
N=${N:-100}
SIZE=${SIZE:-1073741824}  # bytes: busybox's head takes no suffix
W=/tmp/berth-bench-exec
OUT=bench/exec-results.md
CG=/sys/fs/cgroup/cpuacct/berth-bench-exec
PODMAN="podman --root $W/podman/root --runroot $W/podman/run --cgroup-manager cgroupfs --events-backend none --runtime /usr/sbin/runc"

cleanup() {
  set +e
  DOCKER_HOST=unix://$W/berth.sock docker rm -f $(DOCKER_HOST=unix://$W/berth.sock docker ps -aq) >/dev/null 2>&1
  DOCKER_HOST=unix://$W/docker.sock docker rm -f $(DOCKER_HOST=unix://$W/docker.sock docker ps -aq) >/dev/null 2>&1
  $PODMAN rm -f -t 0 -a >/dev/null 2>&1
  [ -f $W/berthd.pid ] && kill "$(cat $W/berthd.pid)" 2>/dev/null
  [ -f $W/dockerd.pid ] && kill "$(cat $W/dockerd.pid)" 2>/dev/null
  sleep 2
  grep -o " $W[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  ip link del bexec0 2>/dev/null; ip link del dexec0 2>/dev/null
  for l in $(ip -o link | grep -o 'bexec0-k[0-9a-f]*'); do ip link del "$l"; done
  for t in nat filter; do
    ours=$(iptables -w -t $t -S | grep -E '^-A .*(172\.31\.24[23]\.|dexec0|bexec0)')
    echo "$ours" | grep '^-A' | sed 's/^-A/-D/' | while read -r r; do eval iptables -w -t $t "$r"; done
    for c in $(echo "$ours" | grep -o -- '-j NETAVARK-[0-9A-F]*' | cut -d' ' -f2 | sort -u); do iptables -w -t $t -F "$c"; iptables -w -t $t -X "$c"; done
  done
  [ -d /sys/fs/cgroup/cpuacct/berth-bench-exec-floor ] && { for p in $(cat /sys/fs/cgroup/cpuacct/berth-bench-exec-floor/cgroup.procs 2>/dev/null); do echo "$p" > /sys/fs/cgroup/cpuacct/cgroup.procs 2>/dev/null; done; rmdir /sys/fs/cgroup/cpuacct/berth-bench-exec-floor 2>/dev/null; }
  [ -d $CG ] && { for p in $(cat $CG/cgroup.procs 2>/dev/null); do echo "$p" > /sys/fs/cgroup/cpuacct/cgroup.procs 2>/dev/null; done; rmdir $CG 2>/dev/null; }
  rm -rf $W
}
trap cleanup EXIT
rm -rf $W && mkdir -p $W $CG

echo '{}' > $W/daemon.json
# berthd in a cpuacct group of its own: its CPU and its conmons' (they are its descendants) are counted there.
start_berthd() {
  ( echo $BASHPID > $CG/cgroup.procs; exec setsid bin/berthd.js -H unix://$W/berth.sock --data-root $W/berth --exec-root $W/berth-run \
    --pidfile $W/berthd.pid --bridge bexec0 --bip 172.31.242.0/24 --config-file $W/daemon.json >>$W/berthd.log 2>&1 ) &
}
start_berthd
ip link add dexec0 type bridge 2>/dev/null || true; ip addr add 172.31.243.1/24 dev dexec0 2>/dev/null || true; ip link set dexec0 up
setsid dockerd -H unix://$W/docker.sock --data-root $W/docker --exec-root $W/docker-run --pidfile $W/dockerd.pid \
  --bridge dexec0 >$W/dockerd.log 2>&1 &
for _ in $(seq 100); do docker -H unix://$W/berth.sock version >/dev/null 2>&1 && docker -H unix://$W/docker.sock version >/dev/null 2>&1 && break; sleep 0.2; done

B="bin/berth.cjs -H unix://$W/berth.sock"
DB="docker -H unix://$W/berth.sock"
DD="docker -H unix://$W/docker.sock"
$B image mkimage busybox >/dev/null
$B save -o $W/busybox.tar busybox
$DD load -i $W/busybox.tar >/dev/null
$PODMAN load -i $W/busybox.tar >/dev/null

ms() { python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['results'][0]['median']*1000, 1))" "$1"; }
hf() { hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$W/$1.json" "$2" >/dev/null 2>&1 || hyperfine --warmup 3 --runs "$RUNS" --export-json "$W/$1.json" "$2" >/dev/null; ms "$W/$1.json"; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }

$DB run -d --name ex busybox sleep 3600 >/dev/null
$DD run -d --name ex busybox sleep 3600 >/dev/null
$PODMAN run --ulimit nofile=20000:20000 --ulimit nproc=32768:32768 -d --name ex busybox sleep 3600 >/dev/null
CID=$($DB inspect -f '{{.Id}}' ex)

echo "# exec, attach and health checks ($(date -u +%F), load $(cut -d' ' -f1-3 /proc/loadavg))" | tee $OUT
echo | tee -a $OUT
echo "## exec C true (median of $RUNS)" | tee -a $OUT
t_dockerd=$(hf dockerd "$DD exec ex true")
t_podman=$(hf podman "$PODMAN exec ex true")
t_berthd=$(hf berthd "$DB exec ex true")
t_berth=$(hf berth "$B exec ex true")
t_runtime=$(hf runtime "$(ls $W/berth-run/*.bin | head -1) --root=$(ls -d $W/berth-run/crun $W/berth-run/runc 2>/dev/null | head -1) exec $CID true")
{
  echo "| client → engine | ms | ÷ dockerd | ÷ podman |"
  echo "|---|---|---|---|"
  echo "| docker → dockerd | $t_dockerd | 1.00 | $(ratio $t_dockerd $t_podman) |"
  echo "| podman | $t_podman | $(ratio $t_podman $t_dockerd) | 1.00 |"
  echo "| docker → berthd | $t_berthd | $(ratio $t_berthd $t_dockerd) | $(ratio $t_berthd $t_podman) |"
  echo "| berth → berthd | $t_berth | $(ratio $t_berth $t_dockerd) | $(ratio $t_berth $t_podman) |"
  echo "| the runtime's own exec (no engine) | $t_runtime | | |"
} | tee -a $OUT

echo | tee -a $OUT
echo "## run busybox sh -c 'cat /dev/zero | head -c $SIZE' | wc -c (attach throughput, best of 3)" | tee -a $OUT
thr() { local best=0; for _ in 1 2 3; do local s e n; s=$(date +%s%N); n=$($1 run --rm busybox sh -c "cat /dev/zero | head -c $SIZE" | wc -c); e=$(date +%s%N); local r; r=$(python3 -c "print(round($n/1048576/(($e-$s)/1e9)))"); [ "$r" -gt "$best" ] && best=$r; done; echo $best; }
a_dockerd=$(thr "$DD"); a_berthd=$(thr "$DB")
{
  echo "| engine | MiB/s |"
  echo "|---|---|"
  echo "| dockerd | $a_dockerd |"
  echo "| berthd | $a_berthd |"
  echo "| berthd ÷ dockerd | $(ratio $a_berthd $a_dockerd) |"
} | tee -a $OUT

# CPU per health probe, each path and the floors under it (docs/decisions/0016-probe-path.md).
# Counted in cpuacct groups: berthd's (with its conmons and runtimes), the containers' own (where a
# probe runs), and one of ours for the commands run here.
MINE=/sys/fs/cgroup/cpuacct/berth-bench-exec-floor
mkdir -p $MINE
ctr_usage() { local s=0; for id in "$@"; do [ -n "$id" ] || continue; s=$((s + $(cat /sys/fs/cgroup/cpuacct/berth/$id/cpuacct.usage 2>/dev/null || echo 0))); done; echo $s; }
# per_run LABEL COUNT CONTAINER_ID CMD...: CPU ms per run of CMD (ours + the container's group)
per_run() {
  local label=$1 n=$2 id=$3; shift 3
  local u0=$(( $(cat $MINE/cpuacct.usage) + $(ctr_usage $id) ))
  ( echo $BASHPID > $MINE/cgroup.procs; for _ in $(seq "$n"); do "$@" >/dev/null 2>&1; done )
  local u1=$(( $(cat $MINE/cpuacct.usage) + $(ctr_usage $id) ))
  echo "| $label | $(python3 -c "print(round(($u1-$u0)/1e6/$n, 2))") |"
}
# probes RUNTIME: CPU ms per probe of 10 containers probing `true` every second for 20 s
probes() {
  local ids=() i
  for i in $(seq 10); do ids+=("$($DB run -d --runtime "$1" --health-cmd true --health-interval 1s busybox sleep 3600)"); done
  sleep 5
  local b0=$(cat $CG/cpuacct.usage) c0=$(ctr_usage "${ids[@]}") t0=$(date +%s%N)
  sleep 20
  local b1=$(cat $CG/cpuacct.usage) c1=$(ctr_usage "${ids[@]}") t1=$(date +%s%N)
  $DB rm -f "${ids[@]}" >/dev/null
  python3 -c "n=10*($t1-$t0)/1e9; print(f'{($b1-$b0)/1e6/n:.2f} | {($c1-$c0)/1e6/n:.2f} | {($b1-$b0+$c1-$c0)/1e6/n:.2f}')"
}
cat > $W/spawn-loop.c <<'CEOF'
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
extern char **environ;
int main(int c, char **v) { (void)c; for (int i = atoi(v[1]); i > 0; i--) { pid_t p; int st; if (posix_spawn(&p, v[2], NULL, NULL, v + 2, environ) == 0) waitpid(p, &st, 0); } return 0; }
CEOF
cc -O2 -o $W/spawn-loop $W/spawn-loop.c
BB=$(command -v busybox)
CPID=$($DB inspect -f '{{.State.Pid}}' ex)
echo | tee -a $OUT
echo "## CPU per health probe (probe \`true\`; ms of CPU, all processes counted)" | tee -a $OUT
{
  echo "| path | berthd, conmon, runtime | in the container | total |"
  echo "|---|---|---|---|"
  echo "| berthd probes, runc container (conmon + runc exec, the runtime path) | $(probes runc) |"
  echo "| berthd probes, crun container (the addon's setns + clone path) | $(probes crun) |"
} | tee -a $OUT
echo | tee -a $OUT
{
  echo "| floor: one run of | ms CPU |"
  echo "|---|---|"
  per_run "\`crun exec C true\` alone (no engine, no conmon)" 20 "$CID" $(ls $W/berth-run/crun.bin) --root=$W/berth-run/crun exec "$CID" true
  per_run "\`nsenter -t PID -a true\` (setns + fork + exec, no confinement)" 50 "$CID" nsenter -t "$CPID" -a true
  echo "$(per_run "posix_spawn + exec + exit of static busybox \`true\` on the host (the kernel's floor)" 1 "" $W/spawn-loop 500 "$BB" true)" | python3 -c "import sys; l=sys.stdin.read().strip().split('|'); print('|'.join(l[:2]+[f' {float(l[2])/500:.2f} ']+l[3:]))"
} | tee -a $OUT
rmdir $MINE 2>/dev/null || true

if [ "$N" -eq 0 ]; then echo; echo "written to $OUT (N=0: no health-check figures)"; exit 0; fi
echo | tee -a $OUT
echo "## $N running containers, each with a health check every 2 s" | tee -a $OUT
$DB rm -f ex >/dev/null
# A fresh berthd for the RSS figure: the attach throughput above leaves the heap of one that moved gigabytes.
kill "$(cat $W/berthd.pid)"; while kill -0 "$(cat $W/berthd.pid)" 2>/dev/null; do sleep 0.2; done
start_berthd
for _ in $(seq 100); do $DB version >/dev/null 2>&1 && break; sleep 0.2; done
# Ten at a time; `wait` names them (a bare wait would wait for the engines started above).
for i in $(seq 0 10 $((N - 1))); do
  jobs=()
  for _ in $(seq $((N - i < 10 ? N - i : 10))); do $DB run -d --health-cmd true --health-interval 2s busybox sleep 3600 >/dev/null & jobs+=($!); done
  wait "${jobs[@]}"
done
sleep 10
usage() { local s; s=$(cat $CG/cpuacct.usage); for id in $($DB ps -q --no-trunc); do s=$((s + $(cat /sys/fs/cgroup/cpuacct/berth/$id/cpuacct.usage 2>/dev/null || echo 0))); done; echo $s; }
u0=$(usage); t0=$(date +%s%N); sleep 30; u1=$(usage); t1=$(date +%s%N)
rss=$(ps -o rss= -p "$(cat $W/berthd.pid)")
healthy=$($DB ps -q --filter health=healthy | wc -l)
{
  echo "- healthy: $healthy of $N"
  echo "- berthd RSS: $(( rss / 1024 )) MB"
  echo "- CPU of berthd, its conmons, the runtimes and the probes: $(python3 -c "print(round(100*($u1-$u0)/($t1-$t0), 1))")% of one CPU (over 30 s, about $(python3 -c "print($N*30//2)") probes: $(python3 -c "print(round(($u1-$u0)/1e6/($N*($t1-$t0)/1e9/2), 2))") ms per probe)"
} | tee -a $OUT
echo; echo "written to $OUT"
