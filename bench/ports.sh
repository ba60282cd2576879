#!/usr/bin/env bash
# Published ports, berthd against dockerd in one run (issue 10's speed figures). Not a test: run by
# hand as root on a built checkout:  bash bench/ports.sh      (ROUNDS, WRK_SECONDS to change)
#  1. wrk against busybox httpd in a container: through a port published on 127.0.0.1 (berth: DNAT;
#     dockerd: its docker-proxy for loopback), and straight at the container's address;
#  2. `run --rm -p PORT:80 busybox true`, the engines in turn round after round, medians.
# dockerd gets its own socket, data root and bridge; only what this script made is removed after.
set -euo pipefail
. "$(dirname "$0")/engine-cleanup.sh"
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-15}
WRK_SECONDS=${WRK_SECONDS:-10}
W=/tmp/berth-bench-ports
BR_B=bpbrt0 NET_B=172.31.249.0/24
BR_D=bpdkr0 NET_D=172.31.250
PORT_B=28081 PORT_D=28082 PORT_RUN=28083

cleanup() {
  set +e
  for e in berth docker; do
    DOCKER_HOST=unix://$W/$e.sock docker rm -f $(DOCKER_HOST=unix://$W/$e.sock docker ps -aq) >/dev/null 2>&1
  done
  [ -f $W/berth.pid ] && kill "$(cat $W/berth.pid)" 2>/dev/null
  [ -f $W/dockerd.pid ] && kill "$(cat $W/dockerd.pid)" 2>/dev/null
  sleep 2
  grep -o " $W[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  for l in $BR_B $BR_D $(ip -o link | grep -oE "$BR_B-k[0-9a-f]+"); do ip link del "$l" 2>/dev/null; done
  # only the rules naming this script's bridges or subnets; a chain goes only once it is empty
  drop_engine_rules "172\.31\.249\.|172\.31\.250\.|$BR_B|$BR_D"
  rm -rf $W
}
trap cleanup EXIT
rm -rf $W && mkdir -p $W
echo '{}' > $W/daemon.json

setsid bin/berthd.js -H unix://$W/berth.sock --data-root $W/berth-data --exec-root $W/berth-run \
  --pidfile $W/berth.pid --bridge $BR_B --bip $NET_B --config-file $W/daemon.json >$W/berth.log 2>&1 &
ip link add $BR_D type bridge && ip addr add $NET_D.1/24 dev $BR_D && ip link set $BR_D up
setsid dockerd -H unix://$W/docker.sock --data-root $W/docker --exec-root $W/docker-run --pidfile $W/dockerd.pid \
  --bridge $BR_D --config-file $W/daemon.json >$W/dockerd.log 2>&1 &
for _ in $(seq 150); do
  docker -H unix://$W/berth.sock version >/dev/null 2>&1 && docker -H unix://$W/docker.sock version >/dev/null 2>&1 && break
  sleep 0.2
done
bin/berth.cjs -H unix://$W/berth.sock image mkimage busybox >/dev/null
bin/berth.cjs -H unix://$W/berth.sock save -o $W/busybox.tar busybox
docker -H unix://$W/docker.sock load -i $W/busybox.tar >/dev/null

SERVE='mkdir -p /www && head -c 600 /dev/zero | tr "\0" x > /www/index.html && exec httpd -f -p 80 -h /www'
docker -H unix://$W/berth.sock run -d --name web -p 127.0.0.1:$PORT_B:80 busybox sh -c "$SERVE" >/dev/null
docker -H unix://$W/docker.sock run -d --name web -p 127.0.0.1:$PORT_D:80 busybox sh -c "$SERVE" >/dev/null
IP_B=$(docker -H unix://$W/berth.sock inspect -f '{{.NetworkSettings.IPAddress}}' web)
for u in http://127.0.0.1:$PORT_B/ http://127.0.0.1:$PORT_D/ http://$IP_B/; do
  for _ in $(seq 100); do wget -qO- "$u" >/dev/null 2>&1 && break; sleep 0.1; done
done

rps() { wrk -t2 -c16 -d"${WRK_SECONDS}s" "$1" | awk '/Requests\/sec/ {print $2}'; }
ratio() { python3 -c "print(f'{$1/$2:.3f}')"; }
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
b_pub=$(rps http://127.0.0.1:$PORT_B/); b_dir=$(rps http://$IP_B/); d_pub=$(rps http://127.0.0.1:$PORT_D/)
b_pub2=$(rps http://127.0.0.1:$PORT_B/)
echo "wrk req/s: berth published $b_pub (again $b_pub2), berth direct $b_dir, dockerd published $d_pub"
echo "  berth published / dockerd published: $(ratio "$b_pub" "$d_pub")   (issue: >= 1.5)"
echo "  berth published / berth direct:      $(ratio "$b_pub" "$b_dir")   (issue: >= 0.9)"

: > $W/times
for r in $(seq "$ROUNDS"); do
  for e in berth docker; do
    s=$(date +%s%N); docker -H unix://$W/$e.sock run --rm -p $PORT_RUN:80 busybox true >/dev/null 2>&1; t=$(( ($(date +%s%N) - s) / 1000000 ))
    echo "$r $e $t" >> $W/times
  done
done
python3 - "$W/times" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
t = {e: [int(x) for _, k, x in rows if k == e] for e in ('berth', 'docker')}
b, d = statistics.median(t['berth']), statistics.median(t['docker'])
print(f"run --rm -p PORT:80 busybox true, median ms: berth {b:.0f}, dockerd {d:.0f}, ratio {b/d:.3f}   (issue: <= 0.3)")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
