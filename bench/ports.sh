#!/usr/bin/env bash
# Published ports, berthd against dockerd in one run (issue 10's speed figures). Not a test: run by
# hand as root on a built checkout:  bash bench/ports.sh      (ROUNDS, WRK_SECONDS, RESULTS to change)
#  1. wrk against nginx (one Debian image that berth builds, loaded into dockerd too: a server that
#     does not fork per request, so the path and not the server is measured) through a port
#     published on 127.0.0.1 (berth: DNAT, checked below; dockerd: its docker-proxy for loopback),
#     and straight at each container's own address;
#  2. `run --rm -p PORT:80 busybox true`, the engines in turn round after round, medians; every run
#     must succeed (a port must be free again once `run --rm` returns).
# dockerd gets its own socket, data root and bridge; only what this script made is removed after.
# Writes the figures to $RESULTS (default bench/ports-results.md) as well as printing them.
set -euo pipefail
. "$(dirname "$0")/engine-cleanup.sh"
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-15}
WRK_SECONDS=${WRK_SECONDS:-10}
RESULTS=${RESULTS:-bench/ports-results.md}
W=/tmp/berth-bench-ports
BR_B=bpbrt0 NET_B=172.31.249.0/24
BR_D=bpdkr0 NET_D=172.31.250
PORT_B=28081 PORT_D=28082 PORT_RUN=28083
BERTHD_FLAGS=(--data-root $W/berth-data --exec-root $W/berth-run --bridge $BR_B --bip $NET_B --config-file $W/daemon.json)
B="docker -H unix://$W/berth.sock"
D="docker -H unix://$W/docker.sock"

cleanup() {
  set +e
  for e in "$B" "$D"; do $e rm -f $($e ps -aq) >/dev/null 2>&1; done
  [ -f $W/berth.pid ] && kill "$(cat $W/berth.pid)" 2>/dev/null
  [ -f $W/dockerd.pid ] && kill "$(cat $W/dockerd.pid)" 2>/dev/null
  for _ in $(seq 50); do [ -e $W/berth.sock ] || [ -e $W/docker.sock ] || break; sleep 0.2; done
  # berth's own port chains and bridge, as `berthd --cleanup` removes them
  [ -d $W/berth-data ] && bin/berthd.js --cleanup "${BERTHD_FLAGS[@]}" >/dev/null 2>&1
  grep -o " $W[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  for l in $BR_B $BR_D $(ip -o link | grep -oE "$BR_B-k[0-9a-f]+"); do ip link del "$l" 2>/dev/null; done
  # only the rules naming this script's bridges or subnets; a chain goes only once it is empty
  drop_engine_rules "172\.31\.249\.|172\.31\.250\.|$BR_B|$BR_D"
  rm -rf $W
}
trap cleanup EXIT
rm -rf $W && mkdir -p $W
echo '{}' > $W/daemon.json

setsid bin/berthd.js -H unix://$W/berth.sock --pidfile $W/berth.pid "${BERTHD_FLAGS[@]}" >$W/berth.log 2>&1 &
ip link add $BR_D type bridge && ip addr add $NET_D.1/24 dev $BR_D && ip link set $BR_D up
setsid dockerd -H unix://$W/docker.sock --data-root $W/docker --exec-root $W/docker-run --pidfile $W/dockerd.pid \
  --bridge $BR_D --config-file $W/daemon.json >$W/dockerd.log 2>&1 &
for _ in $(seq 150); do $B version >/dev/null 2>&1 && $D version >/dev/null 2>&1 && break; sleep 0.2; done

echo "building the images (busybox, then nginx on berth's own Debian image: a few minutes)"
bin/berth.cjs -H unix://$W/berth.sock image mkimage busybox >/dev/null
bin/berth.cjs -H unix://$W/berth.sock image mkimage -t bench-debian:bookworm debian >/dev/null
mkdir -p $W/nginx
cat > $W/nginx/Dockerfile <<'EOF'
FROM bench-debian:bookworm
RUN apt-get -qq update && DEBIAN_FRONTEND=noninteractive apt-get -qqy install --no-install-recommends nginx-light >/dev/null && rm -rf /var/lib/apt/lists/*
RUN sed -i 's|access_log .*;|access_log off;|' /etc/nginx/nginx.conf && head -c 600 /dev/zero | tr '\0' x > /var/www/html/index.html
EXPOSE 80
CMD ["nginx", "-g", "daemon off;"]
EOF
bin/berth.cjs -H unix://$W/berth.sock build -q -t bench-nginx $W/nginx >/dev/null
bin/berth.cjs -H unix://$W/berth.sock save -o $W/images.tar busybox bench-nginx
$D load -i $W/images.tar >/dev/null

$B run -d --name web -p 127.0.0.1:$PORT_B:80 bench-nginx >/dev/null
$D run -d --name web -p 127.0.0.1:$PORT_D:80 bench-nginx >/dev/null
IP_B=$($B inspect -f '{{.NetworkSettings.IPAddress}}' web)
IP_D=$($D inspect -f '{{.NetworkSettings.IPAddress}}' web)
for u in http://127.0.0.1:$PORT_B/ http://127.0.0.1:$PORT_D/ http://$IP_B/ http://$IP_D/; do
  for _ in $(seq 100); do curl -fso /dev/null "$u" && break; sleep 0.1; done
done

# berth's published path is the kernel's: nothing listens on the port, a DNAT rule of berth's chain
# names it, loopback may leave through the bridge. dockerd's is its docker-proxy process.
listener_b=$(ss -Htlnp "sport = :$PORT_B" | grep -oE 'users:\(\("[^"]+' | cut -d'"' -f2 || true)
listener_d=$(ss -Htlnp "sport = :$PORT_D" | grep -oE 'users:\(\("[^"]+' | cut -d'"' -f2 || true)
dnat_b=$(iptables -w -t nat -S | grep -E "^-A BERTH-DNAT-[0-9a-f]+ .*--dport $PORT_B .*-j DNAT" | grep -oE 'DNAT --to-destination [0-9.:]+' || true)
echo "berth published path: listener '${listener_b:-none}', rule '${dnat_b:-none}', route_localnet $(cat /proc/sys/net/ipv4/conf/$BR_B/route_localnet)"
echo "dockerd published path: listener '${listener_d:-none}'"
[ -z "$listener_b" ] && [ -n "$dnat_b" ] || { echo "berth's published port is not DNAT" >&2; exit 1; }

rps() { wrk -t2 -c16 -d"${WRK_SECONDS}s" "$1" | awk '/Requests\/sec/ {print $2}'; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
b_pub=$(rps http://127.0.0.1:$PORT_B/); b_dir=$(rps http://$IP_B/); d_pub=$(rps http://127.0.0.1:$PORT_D/); d_dir=$(rps http://$IP_D/)
b_pub2=$(rps http://127.0.0.1:$PORT_B/)
echo "wrk req/s: berth published $b_pub (again $b_pub2), berth direct $b_dir, dockerd published $d_pub, dockerd direct $d_dir"
r_pub=$(ratio "$b_pub" "$d_pub"); r_dir=$(ratio "$b_pub" "$b_dir")
echo "  berth published / dockerd published: $r_pub   (issue: >= 1.5)"
echo "  berth published / berth direct:      $r_dir   (issue: >= 0.9)"
$B rm -f web >/dev/null; $D rm -f web >/dev/null

: > $W/times
for r in $(seq "$ROUNDS"); do
  for e in berth docker; do
    cli=$B; [ $e = docker ] && cli=$D
    s=$(date +%s%N)
    $cli run --rm -p $PORT_RUN:80 busybox true >/dev/null 2>$W/run.err || { echo "$e: run --rm -p failed in round $r: $(cat $W/run.err)" >&2; exit 1; }
    echo "$r $e $(( ($(date +%s%N) - s) / 1000000 ))" >> $W/times
  done
done
run_line=$(python3 - "$W/times" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
t = {e: [int(x) for _, k, x in rows if k == e] for e in ('berth', 'docker')}
b, d = statistics.median(t['berth']), statistics.median(t['docker'])
print(f"{b:.0f} {d:.0f} {b/d:.2f}")
PY
)
read -r run_b run_d run_r <<<"$run_line"
echo "run --rm -p PORT:80 busybox true, median ms: berth $run_b, dockerd $run_d, ratio $run_r   (issue: <= 0.3)"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load before/after: $load_before / $load_after"

cat > "$RESULTS" <<EOF
# Published ports: berthd against dockerd (bench/ports.sh)

$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average before/after: $load_before / $load_after.
wrk -t2 -c16 -d${WRK_SECONDS}s against nginx-light (one Debian image in both engines, 600-byte page);
$ROUNDS alternating rounds of \`docker run --rm -p $PORT_RUN:80 busybox true\` per engine.
berth's published path: no listener on the port, \`${dnat_b}\` in its BERTH-DNAT chain; dockerd's: ${listener_d:-none}.

| figure | dockerd | berthd | berthd ÷ dockerd | goal |
|---|---|---|---|---|
| req/s through 127.0.0.1:PORT | $d_pub | $b_pub (again: $b_pub2) | **$r_pub** | ≥ 1.5 |
| req/s at the container's address | $d_dir | $b_dir | | |
| berth published ÷ berth direct | | | **$r_dir** | ≥ 0.9 |
| \`run --rm -p\`, median | $run_d ms | $run_b ms | **$run_r** | ≤ 0.3 |
EOF
echo "written to $RESULTS"
