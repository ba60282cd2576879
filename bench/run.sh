#!/usr/bin/env bash
# berth against dockerd and podman on this machine, in one run, reported as ratios.
# Not a test: run by hand as root after scripts/up.sh has built berth. Writes bench/results.md.
#   bash bench/run.sh            (N=100 containers; RUNS=15 hyperfine runs)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100}
RUNS=${RUNS:-15}
W=/tmp/berth-bench
OUT=bench/results.md

need=()
for p in docker.io podman hyperfine; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p"); done
[ ${#need[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null

cleanup() {
  set +e
  DOCKER_HOST=unix://$W/berth.sock docker rm -f $(DOCKER_HOST=unix://$W/berth.sock docker ps -aq) >/dev/null 2>&1
  DOCKER_HOST=unix://$W/docker.sock docker rm -f $(DOCKER_HOST=unix://$W/docker.sock docker ps -aq) >/dev/null 2>&1
  $PODMAN rm -f -t 0 -a >/dev/null 2>&1
  [ -f $W/berthd.pid ] && kill "$(cat $W/berthd.pid)" 2>/dev/null
  [ -f $W/dockerd.pid ] && kill "$(cat $W/dockerd.pid)" 2>/dev/null
  sleep 2
  grep -o " $W[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  ip link del bbench0 2>/dev/null; ip link del dbench0 2>/dev/null
  for l in $(ip -o link | grep -o 'bbench0-k[0-9a-f]*'); do ip link del "$l"; done
  # the engines keep their NAT rules after they stop; drop the ones naming this run's bridges and subnets
  for t in nat filter; do
    ours=$(iptables -w -t $t -S | grep -E '^-A .*(172\.31\.24[01]\.|dbench0|bbench0|-j DOCKER)')
    echo "$ours" | grep '^-A' | sed 's/^-A/-D/' | while read -r r; do eval iptables -w -t $t "$r"; done
    # netavark's per-network chain goes with the rules that jumped to it
    for c in $(echo "$ours" | grep -o -- '-j NETAVARK-[0-9A-F]*' | cut -d' ' -f2 | sort -u); do iptables -w -t $t -F "$c"; iptables -w -t $t -X "$c"; done
    for c in DOCKER DOCKER-USER DOCKER-ISOLATION-STAGE-1 DOCKER-ISOLATION-STAGE-2; do iptables -w -t $t -F $c 2>/dev/null; iptables -w -t $t -X $c 2>/dev/null; done
  done
  rm -rf $W
}
PODMAN="podman --root $W/podman/root --runroot $W/podman/run --cgroup-manager cgroupfs --events-backend none --runtime /usr/sbin/runc"  # crun 1.8 refuses these hybrid cgroups
trap cleanup EXIT
rm -rf $W && mkdir -p $W

echo '{}' > $W/daemon.json
setsid bin/berthd.js -H unix://$W/berth.sock --data-root $W/berth --exec-root $W/berth-run \
  --pidfile $W/berthd.pid --bridge bbench0 --bip 172.31.240.0/24 --config-file $W/daemon.json >$W/berthd.log 2>&1 &
# dockerd gets a bridge of its own so that it never touches docker0 or berth's.
ip link add dbench0 type bridge 2>/dev/null || true; ip addr add 172.31.241.1/24 dev dbench0 2>/dev/null || true; ip link set dbench0 up
setsid dockerd -H unix://$W/docker.sock --data-root $W/docker --exec-root $W/docker-run --pidfile $W/dockerd.pid \
  --bridge dbench0 >$W/dockerd.log 2>&1 &
for _ in $(seq 100); do docker -H unix://$W/berth.sock version >/dev/null 2>&1 && docker -H unix://$W/docker.sock version >/dev/null 2>&1 && break; sleep 0.2; done

B="bin/berth.cjs -H unix://$W/berth.sock"
$B image mkimage busybox >/dev/null
$B save -o $W/busybox.tar busybox
docker -H unix://$W/docker.sock load -i $W/busybox.tar >/dev/null
$PODMAN load -i $W/busybox.tar >/dev/null
fresh_rss=$(ps -o rss= -p "$(cat $W/berthd.pid)")
PRUN="$PODMAN run --ulimit nofile=20000:20000 --ulimit nproc=32768:32768"

ms() { python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['results'][0]['median']*1000))" "$1"; }
hf() { hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$W/$1.json" "$2" >/dev/null 2>&1 || hyperfine --warmup 3 --runs "$RUNS" --export-json "$W/$1.json" "$2" >/dev/null; ms "$W/$1.json"; }

echo "## run --rm busybox true (median of $RUNS)" | tee $OUT
t_dockerd=$(hf dockerd "docker -H unix://$W/docker.sock run --rm busybox true")
t_podman=$(hf podman "$PRUN --rm busybox true")
t_docker_berthd=$(hf docker-berthd "docker -H unix://$W/berth.sock run --rm busybox true")
t_berth=$(hf berth "$B run --rm busybox true")
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
{
  echo "| client → engine | ms | ÷ dockerd | ÷ podman |"
  echo "|---|---|---|---|"
  echo "| docker → dockerd | $t_dockerd | 1.00 | $(ratio $t_dockerd $t_podman) |"
  echo "| podman | $t_podman | $(ratio $t_podman $t_dockerd) | 1.00 |"
  echo "| docker → berthd | $t_docker_berthd | $(ratio $t_docker_berthd $t_dockerd) | $(ratio $t_docker_berthd $t_podman) |"
  echo "| berth → berthd | $t_berth | $(ratio $t_berth $t_dockerd) | $(ratio $t_berth $t_podman) |"
} | tee -a $OUT

# $N detached sleep containers: run, list, API list, rm -f.
echo | tee -a $OUT
echo "## $N × run -d busybox sleep 3600; ps; GET /containers/json; rm -f" | tee -a $OUT
declare -A RUN PS API RM
for eng in dockerd berthd podman; do
  case $eng in
    dockerd) C=(docker -H unix://$W/docker.sock); SOCK=$W/docker.sock; RF=() ;;
    berthd) C=(docker -H unix://$W/berth.sock); SOCK=$W/berth.sock; RF=() ;;
    podman) C=($PODMAN); SOCK=; RF=(--ulimit nofile=20000:20000 --ulimit nproc=32768:32768) ;;
  esac
  s=$(date +%s%N); for i in $(seq "$N"); do "${C[@]}" run "${RF[@]}" -d busybox sleep 3600 >/dev/null; done; e=$(date +%s%N)
  RUN[$eng]=$(( (e - s) / 1000000 ))
  LS=("${C[@]}")
  PS[$eng]=$(hf "ps-$eng" "${LS[*]} ps")
  if [ -n "$SOCK" ]; then API[$eng]=$(node bench/api-latency.mjs "$SOCK" /containers/json 200); else API[$eng]=-; fi
  if [ $eng = berthd ]; then
    sleep 1
    idle_rss=$(ps -o rss= -p "$(cat $W/berthd.pid)")
    conmon_rss=$(ps -C conmon -o rss=,args= | grep "$W/berth-run" | awk '{s+=$1; n++} END {printf "%d %d", s, n}')
    # PSS shares each library page among the processes mapping it: the memory the host really spends.
    conmon_pss=$(for p in $(pgrep -f "conmon.*$W/berth-run"); do awk '/^Pss:/ {print $2}' /proc/$p/smaps_rollup; done | awk '{s+=$1} END {print s}')
  fi
  ids=$("${LS[@]}" ps -aq | tr '\n' ' ')
  if [ $eng = podman ]; then RMF=($PODMAN rm -f -t 0); else RMF=("${LS[@]}" rm -f); fi
  s=$(date +%s%N); "${RMF[@]}" $ids >/dev/null; e=$(date +%s%N); RM[$eng]=$(( (e - s) / 1000000 ))
done
{
  echo "| engine | run ×$N ms | ps ms | GET /containers/json ms | rm -f ×$N ms |"
  echo "|---|---|---|---|---|"
  for eng in dockerd podman berthd; do echo "| $eng | ${RUN[$eng]} | ${PS[$eng]} | ${API[$eng]} | ${RM[$eng]} |"; done
  echo "| berthd ÷ dockerd | $(ratio ${RUN[berthd]} ${RUN[dockerd]}) | $(ratio ${PS[berthd]} ${PS[dockerd]}) | $(ratio ${API[berthd]} ${API[dockerd]}) | $(ratio ${RM[berthd]} ${RM[dockerd]}) |"
} | tee -a $OUT

echo | tee -a $OUT
echo "## memory" | tee -a $OUT
set -- $conmon_rss
{
  echo "- berthd RSS after start and loading busybox: $(( fresh_rss / 1024 )) MB"
  echo "- berthd RSS with $N containers running: $(( idle_rss / 1024 )) MB"
  echo "- conmon RSS per running container: $(python3 -c "print(round($1/$2/1024, 2))") MB ($2 conmons, $(( $1 / 1024 )) MB in all)"
  echo "- conmon PSS per running container: $(python3 -c "print(round($conmon_pss/$2/1024, 2))") MB"
} | tee -a $OUT
# berthd collects garbage fully once its API has been quiet for 5 s (src/daemon/idle-gc.ts).
sleep 12
echo "- berthd RSS idle after that run, no containers: $(( $(ps -o rss= -p "$(cat $W/berthd.pid)") / 1024 )) MB" | tee -a $OUT

echo | tee -a $OUT
echo "## save + load of a 200 MB image" | tee -a $OUT
mkdir -p $W/big && head -c 200000000 /dev/urandom > $W/big/blob && tar -C $W/big -cf $W/big.tar .
$B import $W/big.tar big:1 >/dev/null
docker -H unix://$W/docker.sock import $W/big.tar big:1 >/dev/null
sl() { local sock=$1; local s e; s=$(date +%s%N); docker -H unix://$sock save -o $W/big-out.tar big:1; docker -H unix://$sock rmi big:1 >/dev/null; docker -H unix://$sock load -i $W/big-out.tar >/dev/null; e=$(date +%s%N); rm -f $W/big-out.tar; echo $(( (e - s) / 1000000 )); }
t_sl_d=$(sl $W/docker.sock); t_sl_b=$(sl $W/berth.sock)
{
  echo "| engine | save + rmi + load ms |"
  echo "|---|---|"
  echo "| dockerd | $t_sl_d |"
  echo "| berthd | $t_sl_b |"
  echo "| berthd ÷ dockerd | $(ratio $t_sl_b $t_sl_d) |"
} | tee -a $OUT
echo; echo "written to $OUT"
