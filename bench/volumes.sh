#!/usr/bin/env bash
# Volumes (issue 11): berthd against dockerd on this machine, in one run, reported as ratios.
# Not a test: run by hand as root once berth is built (npm run build).
#   bash bench/volumes.sh        (RUNS=10 hyperfine runs; MIB=1024 for the sequential figures)
# Figures:
#   - 1 GiB sequential write (dd conv=fsync) and read inside a named volume of berthd, against the
#     same dd on the host file system that holds berthd's data root (goal: within 5 %)
#   - run --rm -v NAME:/data busybox true, docker CLI, berthd ÷ dockerd (goal ≤ 0.3)
#   - copy-up of a 10,000-file image directory into a new volume: run --rm -v NEW:/big img true,
#     berthd ÷ dockerd (goal ≤ 0.5)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10}
MIB=${MIB:-1024}
W=/tmp/berth-bench-vol
BB=bvol0; DB=dvol0; BNET=172.31.242; DNET=172.31.243

cleanup() {
  set +e
  for s in berth docker; do
    DOCKER_HOST=unix://$W/$s.sock docker rm -f $(DOCKER_HOST=unix://$W/$s.sock docker ps -aq) >/dev/null 2>&1
  done
  [ -f $W/berthd.pid ] && kill "$(cat $W/berthd.pid)" 2>/dev/null
  [ -f $W/dockerd.pid ] && kill "$(cat $W/dockerd.pid)" 2>/dev/null
  for _ in $(seq 50); do { [ -f $W/berthd.pid ] && kill -0 "$(cat $W/berthd.pid)" 2>/dev/null; } || { [ -f $W/dockerd.pid ] && kill -0 "$(cat $W/dockerd.pid)" 2>/dev/null; } || break; sleep 0.2; done
  grep -o " $W[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  ip link del $BB 2>/dev/null; ip link del $DB 2>/dev/null
  for l in $(ip -o link | grep -o "$BB-k[0-9a-f]*"); do ip link del "$l"; done
  # only the rules naming this run's bridges and subnets
  for t in nat filter; do
    ours=$(iptables -w -t $t -S | grep -E "^-A .*($BNET\.|$DNET\.|$DB|$BB)")
    echo "$ours" | grep '^-A' | sed 's/^-A/-D/' | while read -r r; do eval iptables -w -t $t "$r"; done
    for c in $(echo "$ours" | grep -o -- '-j NETAVARK-[0-9A-F]*' | cut -d' ' -f2 | sort -u); do iptables -w -t $t -F "$c"; iptables -w -t $t -X "$c"; done
  done
  rm -rf $W
}
trap cleanup EXIT
rm -rf $W && mkdir -p $W

echo '{}' > $W/daemon.json
setsid bin/berthd.js -H unix://$W/berth.sock --data-root $W/berth --exec-root $W/berth-run \
  --pidfile $W/berthd.pid --bridge $BB --bip $BNET.0/24 --config-file $W/daemon.json >$W/berthd.log 2>&1 &
ip link add $DB type bridge 2>/dev/null || true; ip addr add $DNET.1/24 dev $DB 2>/dev/null || true; ip link set $DB up
setsid dockerd -H unix://$W/docker.sock --data-root $W/docker --exec-root $W/docker-run --pidfile $W/dockerd.pid \
  --bridge $DB --iptables=true >$W/dockerd.log 2>&1 &
for _ in $(seq 150); do docker -H unix://$W/berth.sock version >/dev/null 2>&1 && docker -H unix://$W/docker.sock version >/dev/null 2>&1 && break; sleep 0.2; done

B="docker -H unix://$W/berth.sock"
D="docker -H unix://$W/docker.sock"
bin/berth.cjs -H unix://$W/berth.sock image mkimage busybox >/dev/null
$B save -o $W/busybox.tar busybox
$D load -i $W/busybox.tar >/dev/null

# an image of busybox plus /big with 10,000 small files, the same bytes in both engines
$B run --name bigsrc busybox true >/dev/null
mkdir -p $W/bigroot && $B export bigsrc | tar -C $W/bigroot -xf - && $B rm bigsrc >/dev/null
mkdir -p $W/bigroot/big && python3 - "$W/bigroot/big" <<'EOF'
import os, sys
for i in range(10000):
    with open(os.path.join(sys.argv[1], f"f{i:05d}"), "w") as f: f.write(f"{i}\n" * 8)
EOF
tar -C $W/bigroot -cf $W/big.tar .
$B import -c 'VOLUME /big' -c 'CMD ["true"]' $W/big.tar bigimg >/dev/null
$D import -c 'VOLUME /big' -c 'CMD ["true"]' $W/big.tar bigimg >/dev/null

ms() { python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['results'][0]['median']*1000))" "$1"; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
hf() { local name=$1; shift; hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$W/$name.json" "$@" >/dev/null 2>&1; ms "$W/$name.json"; }

echo "## run --rm -v vol:/data busybox true (docker CLI, median of $RUNS)"
$B volume create benchvol >/dev/null; $D volume create benchvol >/dev/null
t_d=$(hf dockerd-vol "$D run --rm -v benchvol:/data busybox true")
t_b=$(hf berthd-vol "$B run --rm -v benchvol:/data busybox true")
echo "| engine | ms |"; echo "|---|---|"
echo "| dockerd | $t_d |"; echo "| berthd | $t_b |"; echo "| berthd ÷ dockerd | $(ratio $t_b $t_d) |"

echo; echo "## copy-up of a 10,000-file image directory into a new volume (median of $RUNS)"
# each run mounts a volume that does not exist yet: created empty, then filled from the image
copyup() {
  local cli=$1 n=$RUNS total=0
  for i in $(seq "$n"); do
    s=$(date +%s%N); $cli run --rm -v "cu$i:/big" bigimg >/dev/null; e=$(date +%s%N)
    total=$(( total + (e - s) / 1000000 ))
    [ "$($cli run --rm -v "cu$i:/big" busybox sh -c 'ls /big | wc -l')" = 10000 ] || { echo "copy-up incomplete" >&2; exit 1; }
    $cli volume rm "cu$i" >/dev/null
  done
  echo $(( total / n ))
}
t_d=$(copyup "$D"); t_b=$(copyup "$B")
echo "| engine | ms (mean) |"; echo "|---|---|"
echo "| dockerd | $t_d |"; echo "| berthd | $t_b |"; echo "| berthd ÷ dockerd | $(ratio $t_b $t_d) |"

echo; echo "## sequential $MIB MiB in a named volume against the host file system"
vol=$($B volume inspect -f '{{.Mountpoint}}' benchvol)
host=$W/berth/hostdir; mkdir -p $host
seq_io() { # $1: a command prefix that runs sh -c; $2: directory
  local run=$1 dir=$2 s e w r
  s=$(date +%s%N); $run "dd if=/dev/zero of=$dir/seq bs=1M count=$MIB conv=fsync 2>/dev/null"; e=$(date +%s%N); w=$(( (e - s) / 1000000 ))
  s=$(date +%s%N); $run "dd if=$dir/seq of=/dev/null bs=1M 2>/dev/null"; e=$(date +%s%N); r=$(( (e - s) / 1000000 ))
  $run "rm -f $dir/seq"
  echo "$w $r"
}
# the container's time includes starting it: subtract a run of `true` measured the same way
s=$(date +%s%N); $B run --rm -v benchvol:/data busybox true; e=$(date +%s%N); start_ms=$(( (e - s) / 1000000 ))
read -r cw cr < <(seq_io "$B run --rm -v benchvol:/data busybox sh -c" /data)
read -r hw hr < <(seq_io "sh -c" "$host")
cw=$(( cw - start_ms )); cr=$(( cr - start_ms ))
echo "| | write ms | read ms |"; echo "|---|---|---|"
echo "| host fs | $hw | $hr |"; echo "| berthd volume | $cw | $cr |"
echo "| volume ÷ host | $(ratio $cw $hw) | $(ratio $cr $hr) |"
echo; echo "(load average: $(cut -d' ' -f1-3 /proc/loadavg))"
