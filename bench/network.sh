#!/usr/bin/env bash
# User-defined networks, berthd against dockerd in one run (issue 10's figures):
#   - `network connect` + `network disconnect` of a running container (target: berth <= 0.5 x dockerd)
#   - a container-to-container DNS lookup by name, median (target: berth < 1 ms)
# Not a test: run by hand as root, on a quiet machine. Each engine has its own socket, data root
# and bridge. Prints the figures and ratios, and writes them to $RESULTS (default bench/network-results.md).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-20}
RESULTS=${RESULTS:-bench/network-results.md}
W=/tmp/berth-netbench
B="docker -H unix://$W/berth.sock"
D="docker -H unix://$W/docker.sock"

source bench/engine-cleanup.sh
cleanup() {
  set +e
  for e in "$B" "$D"; do $e rm -f $($e ps -aq) >/dev/null 2>&1; $e network rm nbnet >/dev/null 2>&1; done
  [ -f $W/berth.pid ] && kill "$(cat $W/berth.pid)" 2>/dev/null
  [ -f $W/dockerd.pid ] && kill "$(cat $W/dockerd.pid)" 2>/dev/null
  for _ in $(seq 50); do [ -e $W/berth.sock ] || [ -e $W/docker.sock ] || break; sleep 0.2; done
  # the bridges and rules berth made, as `berthd --cleanup` removes them
  [ -d $W/berth-data ] && bin/berthd.js --cleanup --data-root $W/berth-data --exec-root $W/berth-run --bridge nbb0 --bip 172.31.230.0/24 --config-file $W/daemon.json >/dev/null 2>&1
  grep -o " $W[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  for l in $(ip -o link | grep -oE '(nbb0|nbd0|nbbu0|nbdu0)(-k[0-9a-f]+)?'); do ip link del "$l" 2>/dev/null; done
  drop_engine_rules '172\.31\.23[0-3]\.|nbb0|nbd0|nbbu0|nbdu0'
  rm -rf $W
}
trap cleanup EXIT
rm -rf $W && mkdir -p $W
echo '{}' > $W/daemon.json
setsid bin/berthd.js -H unix://$W/berth.sock --data-root $W/berth-data --exec-root $W/berth-run --pidfile $W/berth.pid \
  --bridge nbb0 --bip 172.31.230.0/24 --config-file $W/daemon.json >$W/berth.log 2>&1 &
ip link add nbd0 type bridge 2>/dev/null || true; ip addr add 172.31.231.1/24 dev nbd0 2>/dev/null || true; ip link set nbd0 up
setsid dockerd -H unix://$W/docker.sock --data-root $W/docker --exec-root $W/docker-run --pidfile $W/dockerd.pid \
  --bridge nbd0 >$W/dockerd.log 2>&1 &
for _ in $(seq 150); do $B version >/dev/null 2>&1 && $D version >/dev/null 2>&1 && break; sleep 0.2; done

bin/berth.cjs -H unix://$W/berth.sock image mkimage busybox >/dev/null
bin/berth.cjs -H unix://$W/berth.sock save -o $W/busybox.tar busybox
$D load -i $W/busybox.tar >/dev/null
$B network create --subnet 172.31.232.0/24 -o com.docker.network.bridge.name=nbbu0 nbnet >/dev/null
$D network create --subnet 172.31.233.0/24 -o com.docker.network.bridge.name=nbdu0 nbnet >/dev/null

# through the API from one node process (bench/network-connect.mjs), so that neither the docker
# CLI's start-up (~0.1 s) nor a curl process per request (~0.15 s at load 15) hides the engines' work
connect_round() { # socket -> "<ms per round> <connect median> <disconnect median>"
  node bench/network-connect.mjs "$1" nbnet nbc "$ROUNDS" | python3 -c 'import json, sys; d = json.load(sys.stdin); print("%.1f %.1f %.1f" % (d["round"], d["connect"], d["disconnect"]))'
}
declare -A CONNECT DNS
for e in berth docker; do
  cli=$B; sock=$W/berth.sock; [ $e = docker ] && cli=$D && sock=$W/docker.sock
  $cli run -d --name nbc busybox sleep 600 >/dev/null
  $cli network connect nbnet nbc >/dev/null; $cli network disconnect nbnet nbc >/dev/null   # warm
  CONNECT[$e]=$(connect_round "$sock")
  # DNS: a server container and a client on nbnet; the lookup runs in the client's namespace
  $cli run -d --name nbsrv --network nbnet busybox sleep 600 >/dev/null
  $cli run -d --name nbcli --network nbnet busybox sleep 600 >/dev/null
  pid=$($cli inspect -f '{{.State.Pid}}' nbcli)
  server=$(awk '/^nameserver/{print $2; exit}' "$($cli inspect -f '{{.ResolvConfPath}}' nbcli)")
  for _ in $(seq 50); do nsenter -n -t "$pid" node bench/dns-lookup.mjs "$server" nbsrv 1 >/dev/null 2>&1 && break; sleep 0.2; done
  DNS[$e]=$(nsenter -n -t "$pid" node bench/dns-lookup.mjs "$server" nbsrv 500 | python3 -c 'import json, sys; d = json.load(sys.stdin); print("%.3f ms median, %.3f ms p90" % (d["median"], d["p90"]))')
  $cli rm -f nbc nbsrv nbcli >/dev/null
done

load=$(cut -d' ' -f1-3 /proc/loadavg)
read -r c_b cm_b dm_b <<<"${CONNECT[berth]}"; read -r c_d cm_d dm_d <<<"${CONNECT[docker]}"
c_r=$(awk -v a="$c_b" -v b="$c_d" 'BEGIN { printf "%.2f", a / b }')
echo "load: $load   rounds: $ROUNDS"
echo "network connect + disconnect, ms per round: berth $c_b  dockerd $c_d  ratio $c_r   (issue: <= 0.5)"
echo "  medians, connect / disconnect: berth $cm_b / $dm_b ms  dockerd $cm_d / $dm_d ms"
echo "DNS lookup by name: berth ${DNS[berth]}  dockerd ${DNS[docker]}   (issue: berth < 1 ms median)"
cat > "$RESULTS" <<EOF
# User-defined networks: berthd against dockerd (bench/network.sh)

$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average after: $load. $ROUNDS rounds of
\`POST /networks/nbnet/connect\` + \`/disconnect\` of a running container (bench/network-connect.mjs, one process);
DNS: bench/dns-lookup.mjs from a client container's namespace to the embedded DNS, 500 lookups.

| figure | dockerd | berthd | berthd ÷ dockerd | goal |
|---|---|---|---|---|
| connect + disconnect, per round | $c_d ms | $c_b ms | **$c_r** | ≤ 0.5 |
| connect / disconnect, medians | $cm_d / $dm_d ms | $cm_b / $dm_b ms | | |
| DNS lookup by name | ${DNS[docker]} | ${DNS[berth]} | | < 1 ms median |
EOF
echo "written to $RESULTS"
