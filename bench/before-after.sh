#!/usr/bin/env bash
# Two builds of berth side by side (a "before" checkout and this one) and dockerd, in one run:
# the figures a change promises not to slow down. Not a test: run by hand as root.
#   bash bench/before-after.sh /path/to/before-checkout     (both checkouts built)
# Writes bench/before-after.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE=$(cd "${1:?usage: bench/before-after.sh BEFORE_CHECKOUT}" && pwd)
RUNS=${RUNS:-15}
W=/tmp/berth-ba
OUT=bench/before-after.md

source bench/engine-cleanup.sh
cleanup() {
  set +e
  # dockerd's containers outlive dockerd (containerd's shims keep them): remove every engine's first
  for e in before after docker; do
    DOCKER_HOST=unix://$W/$e.sock docker rm -f $(DOCKER_HOST=unix://$W/$e.sock docker ps -aq) >/dev/null 2>&1
  done
  for e in before after; do [ -f $W/$e.pid ] && kill "$(cat $W/$e.pid)" 2>/dev/null; done
  [ -f $W/dockerd.pid ] && kill "$(cat $W/dockerd.pid)" 2>/dev/null
  sleep 2
  grep -o " $W[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  for b in babef0 baaft0 badkr0; do ip link del $b 2>/dev/null; done
  for l in $(ip -o link | grep -oE '(babef0|baaft0)-k[0-9a-f]+'); do ip link del "$l"; done
  drop_engine_rules '172\.31\.24[567]\.|babef0|baaft0|badkr0'
  rm -rf $W
}
trap cleanup EXIT
rm -rf $W && mkdir -p $W
echo '{}' > $W/daemon.json

start_berthd() { # name checkout bridge subnet
  setsid "$2/bin/berthd.js" -H unix://$W/$1.sock --data-root $W/$1-data --exec-root $W/$1-run \
    --pidfile $W/$1.pid --bridge $3 --bip $4 --config-file $W/daemon.json >$W/$1.log 2>&1 &
}
start_berthd before "$BEFORE" babef0 172.31.245.0/24
start_berthd after "$PWD" baaft0 172.31.246.0/24
ip link add badkr0 type bridge 2>/dev/null || true; ip addr add 172.31.247.1/24 dev badkr0 2>/dev/null || true; ip link set badkr0 up
setsid dockerd -H unix://$W/docker.sock --data-root $W/docker --exec-root $W/docker-run --pidfile $W/dockerd.pid \
  --bridge badkr0 >$W/dockerd.log 2>&1 &
for _ in $(seq 100); do
  docker -H unix://$W/before.sock version >/dev/null 2>&1 && docker -H unix://$W/after.sock version >/dev/null 2>&1 \
    && docker -H unix://$W/docker.sock version >/dev/null 2>&1 && break
  sleep 0.2
done

bin/berth.cjs -H unix://$W/after.sock image mkimage busybox >/dev/null
bin/berth.cjs -H unix://$W/after.sock save -o $W/busybox.tar busybox
for e in before docker; do docker -H unix://$W/$e.sock load -i $W/busybox.tar >/dev/null; done

# a 200 MB image of one random layer, and a layer of 10,000 small files
mkdir -p $W/big && head -c 200000000 /dev/urandom > $W/big/blob && tar -C $W/big -cf $W/big.tar .
docker -H unix://$W/after.sock import $W/big.tar big:1 >/dev/null
docker -H unix://$W/after.sock save -o $W/big-image.tar big:1
mkdir -p $W/many && for d in $(seq 100); do mkdir $W/many/d$d; for f in $(seq 100); do echo "$d.$f" > $W/many/d$d/f$f; done; done
tar -C $W/many -cf $W/many.tar .

ratio() { python3 -c "print(f'{$1/$2:.3f}')"; }
# The three engines in turn, round after round, so that the machine's drift hits each alike;
# prints the median milliseconds of each, then the median of the after/before ratios by round.
alternate() { # rounds, then one command with ENGINE where the socket goes
  local rounds=$1 c=$2 r e s t
  : > $W/times
  for r in $(seq "$rounds"); do
    for e in before after docker; do
      s=$(date +%s%N); sh -c "${c//ENGINE/$W/$e.sock}" >/dev/null 2>&1; t=$(( ($(date +%s%N) - s) / 1000000 ))
      echo "$r $e $t" >> $W/times
    done
  done
  python3 - "$W/times" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
t = {e: [int(x) for r, k, x in rows if k == e] for e in ('before', 'after', 'docker')}
pairs = statistics.median(a / b for a, b in zip(t['after'], t['before']))
print(*(round(statistics.median(t[e])) for e in ('before', 'after', 'docker')), f'{pairs:.3f}')
PY
}
for e in before after docker; do docker -H unix://$W/$e.sock run --rm busybox true >/dev/null; done  # warm
read -r run_b run_a run_d run_r <<<"$(alternate "$RUNS" "docker -H unix://ENGINE run --rm busybox true")"
read -r load_b load_a load_d load_r <<<"$(alternate 7 "docker -H unix://ENGINE rmi -f big:1; docker -H unix://ENGINE load -q -i $W/big-image.tar")"
read -r many_b many_a many_d many_r <<<"$(alternate 7 "docker -H unix://ENGINE rmi -f many:1; docker -H unix://ENGINE import $W/many.tar many:1")"
N_D=${N_D:-100}
read -r rund_b rund_a rund_d rund_r <<<"$(alternate "$N_D" "docker -H unix://ENGINE run -d busybox sleep 3600")"
{
  echo "# before ($(git -C "$BEFORE" log -1 --format=%h)) and after ($(git log -1 --format=%h)), $(date -u +%F), one run"
  echo
  echo "| figure (median ms, engines in turn) | before | after | after ÷ before, median by round | dockerd | after ÷ dockerd |"
  echo "|---|---|---|---|---|---|"
  echo "| docker run --rm busybox true ($RUNS rounds) | $run_b | $run_a | $run_r | $run_d | $(ratio $run_a $run_d) |"
  echo "| rmi + load of a 200 MB image (7 rounds) | $load_b | $load_a | $load_r | $load_d | $(ratio $load_a $load_d) |"
  echo "| import of a 10,000-file layer (7 rounds) | $many_b | $many_a | $many_r | $many_d | $(ratio $many_a $many_d) |"
  echo "| docker run -d busybox sleep 3600, one of $N_D that stay running | $rund_b | $rund_a | $rund_r | $rund_d | $(ratio $rund_a $rund_d) |"
} | tee $OUT
