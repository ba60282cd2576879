#!/usr/bin/env bash
# docker cp, diff and commit: berthd against dockerd on this machine, in one run, as ratios.
# Not a test: run by hand as root after `npm run build`. Prints a markdown table.
#   bash bench/cp.sh            (RUNS=5 hyperfine runs)
# dockerd gets a bridge of its own and --iptables=false: this bench never touches the host's
# DOCKER chains, which another dockerd on the machine may be using.
set -euo pipefail
. "$(dirname "$0")/engine-cleanup.sh"
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
W=/tmp/berth-bench-cp
BB=bcp0
DB=dcp0

cleanup() {
  set +e
  for s in berth docker; do DOCKER_HOST=unix://$W/$s.sock docker rm -f $(DOCKER_HOST=unix://$W/$s.sock docker ps -aq) >/dev/null 2>&1; done
  [ -f $W/berthd.pid ] && kill "$(cat $W/berthd.pid)" 2>/dev/null
  [ -f $W/dockerd.pid ] && kill "$(cat $W/dockerd.pid)" 2>/dev/null
  sleep 2
  grep -o " $W[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  ip link del $BB 2>/dev/null; ip link del $DB 2>/dev/null
  for l in $(ip -o link | grep -o "$BB-k[0-9a-f]*"); do ip link del "$l"; done
  drop_engine_rules "172\.31\.25[01]\.|$BB"
  rm -rf $W
}
trap cleanup EXIT
rm -rf $W && mkdir -p $W
echo '{}' > $W/daemon.json
setsid bin/berthd.js -H unix://$W/berth.sock --data-root $W/berth --exec-root $W/berth-run \
  --pidfile $W/berthd.pid --bridge $BB --bip 172.31.250.0/24 --config-file $W/daemon.json >$W/berthd.log 2>&1 &
ip link add $DB type bridge 2>/dev/null || true; ip addr add 172.31.251.1/24 dev $DB 2>/dev/null || true; ip link set $DB up
setsid dockerd -H unix://$W/docker.sock --data-root $W/docker --exec-root $W/docker-run --pidfile $W/dockerd.pid \
  --bridge $DB --iptables=false --ip-masq=false >$W/dockerd.log 2>&1 &
for _ in $(seq 150); do docker -H unix://$W/berth.sock version >/dev/null 2>&1 && docker -H unix://$W/docker.sock version >/dev/null 2>&1 && break; sleep 0.2; done

B="bin/berth.cjs -H unix://$W/berth.sock"
$B image mkimage busybox >/dev/null
$B save -o $W/busybox.tar busybox
docker -H unix://$W/docker.sock load -i $W/busybox.tar >/dev/null

# what is copied: one 200 MB file, and a tree of 5,000 small files
mkdir -p $W/src/tree
head -c 200000000 /dev/urandom > $W/src/big
for d in $(seq 50); do mkdir -p $W/src/tree/d$d; for f in $(seq 100); do echo "$d $f" > $W/src/tree/d$d/f$f; done; done

ms() { python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['results'][0]['median']*1000))" "$1"; }
hf() { hyperfine -N --warmup 1 --runs "$RUNS" ${3:+--prepare "$3"} --export-json "$W/$1.json" "$2" >/dev/null 2>&1; ms "$W/$1.json"; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }

declare -A T
for eng in dockerd berthd; do
  [ $eng = dockerd ] && S=$W/docker.sock || S=$W/berth.sock
  D="docker -H unix://$S"
  $D run -d --name cpb busybox sleep 3600 >/dev/null
  T[$eng,in-big]=$(hf "$eng-in-big" "$D cp $W/src/big cpb:/tmp/big")
  T[$eng,in-tree]=$(hf "$eng-in-tree" "$D cp $W/src/tree cpb:/tmp/")
  T[$eng,out-big]=$(hf "$eng-out-big" "$D cp cpb:/tmp/big $W/out-big" "rm -f $W/out-big")
  T[$eng,out-tree]=$(hf "$eng-out-tree" "$D cp cpb:/tmp/tree $W/out-tree" "rm -rf $W/out-tree")
  T[$eng,diff]=$(hf "$eng-diff" "$D diff cpb")
  T[$eng,commit]=$(hf "$eng-commit" "$D commit cpb")
  $D rm -f cpb >/dev/null
done

echo "## docker cp, diff, commit (docker CLI; median ms of $RUNS; $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
echo "| operation | dockerd | berthd | berthd ÷ dockerd |"
echo "|---|---|---|---|"
for op in in-big in-tree out-big out-tree diff commit; do
  echo "| $op | ${T[dockerd,$op]} | ${T[berthd,$op]} | $(ratio ${T[berthd,$op]} ${T[dockerd,$op]}) |"
done
echo
echo "in-big/out-big: a 200 MB file; in-tree/out-tree: 5,000 files in 50 directories; diff and commit of the container holding both"
