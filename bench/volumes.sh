#!/usr/bin/env bash
# Volumes (issue 11): berthd against dockerd on this machine, in one run, reported as ratios.
# Not a test: run by hand as root once berth is built (npm run build).
#   bash bench/volumes.sh        (RUNS=10 hyperfine runs and copy-up rounds; MIB=1024 and
#                                 SEQ_RUNS=5 for the sequential figures; PARTS="run copyup seq")
# Figures:
#   - 1 GiB sequential write (dd conv=fsync) and read (dd iflag=direct) inside a named volume of
#     berthd, against the same dd on the host file system that holds berthd's data root, turn
#     about, medians (goal: within 5 %)
#   - run --rm -v NAME:/data busybox true, docker CLI, berthd ÷ dockerd (goal ≤ 0.3)
#   - copy-up of a 10,000-file image directory into a new volume: run --rm -v NEW:/big img true,
#     berthd ÷ dockerd (goal ≤ 0.5)
set -euo pipefail
. "$(dirname "$0")/engine-cleanup.sh"
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10}
SEQ_RUNS=${SEQ_RUNS:-5}
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
  drop_engine_rules "$BNET\.|$DNET\.|$DB|$BB"
  [ -f $W/bench-cgroups ] && for g in $(cat $W/bench-cgroups); do rmdir "$g"; done
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

want() { [[ " ${PARTS:-run copyup seq} " == *" $1 "* ]]; }
B="docker -H unix://$W/berth.sock"
D="docker -H unix://$W/docker.sock"
bin/berth.cjs -H unix://$W/berth.sock image mkimage busybox >/dev/null
$B save -o $W/busybox.tar busybox
$D load -i $W/busybox.tar >/dev/null

if want copyup; then
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
fi

ms() { python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['results'][0]['median']*1000))" "$1"; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2] + a[NR/2+1]) / 2)}'; }
hf() { local name=$1; shift; hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$W/$name.json" "$@" >/dev/null 2>&1; ms "$W/$name.json"; }

$B volume create benchvol >/dev/null; $D volume create benchvol >/dev/null
if want run; then
echo "## run --rm -v vol:/data busybox true (docker CLI, median of $RUNS)"
t_d=$(hf dockerd-vol "$D run --rm -v benchvol:/data busybox true")
t_b=$(hf berthd-vol "$B run --rm -v benchvol:/data busybox true")
echo "| engine | ms |"; echo "|---|---|"
echo "| dockerd | $t_d |"; echo "| berthd | $t_b |"; echo "| berthd ÷ dockerd | $(ratio $t_b $t_d) |"
fi

if want copyup; then
echo; echo "## copy-up of a 10,000-file image directory into a new volume (median of $RUNS)"
# each run mounts a volume that does not exist yet: created empty, then filled from the image
# the engines take turns, run by run, so that the machine's load drifts alike for both; medians
copyup_once() { # $1 CLI, $2 volume name: ms of the run, checked complete, volume removed
  local cli=$1 v=$2 s e
  s=$(date +%s%N); $cli run --rm -v "$v:/big" bigimg >/dev/null; e=$(date +%s%N)
  [ "$($cli run --rm -v "$v:/big" busybox sh -c 'ls /big | wc -l')" = 10000 ] || { echo "copy-up incomplete" >&2; exit 1; }
  $cli volume rm "$v" >/dev/null
  echo $(( (e - s) / 1000000 ))
}
td=(); tb=()
for i in $(seq "$RUNS"); do td+=("$(copyup_once "$D" "cu$i")"); tb+=("$(copyup_once "$B" "cu$i")"); done
t_d=$(median "${td[@]}"); t_b=$(median "${tb[@]}")
echo "| engine | ms (median) |"; echo "|---|---|"
echo "| dockerd | $t_d |"; echo "| berthd | $t_b |"; echo "| berthd ÷ dockerd | $(ratio $t_b $t_d) |"
fi

if want seq; then
echo; echo "## sequential $MIB MiB in a named volume against the host file system (median of $SEQ_RUNS)"
# The volume's data directory and the host's file sit on the one file system that holds the data
# root. Each figure is busybox's own time of one dd (the container's start is not in it): the
# write ends with fsync (conv=fsync), the read bypasses the page cache (iflag=direct), so both
# measure the disk path, not memory. Volume and host take turns, the order flipping each round,
# the file removed and the file system synced before each write.
# The host's dd runs twice: as a plain process, and in a cgroup of its own beside the containers'
# (berth puts every container under /berth: on a busy machine that group's one share of CPU is
# split among all of berth's containers, which slows the container's dd for reasons that are not
# the volume's; the same cgroup place isolates the file system path).
vol=$($B volume inspect -f '{{.Mountpoint}}' benchvol)
host=$W/berth/hostdir; mkdir -p $host
[ "$(stat -c %d "$vol")" = "$(stat -c %d "$host")" ] || { echo "volume and host directory are on different file systems" >&2; exit 1; }
CG=(); for c in /sys/fs/cgroup/*/berth /sys/fs/cgroup/berth; do
  [ -d "$c" ] && mkdir "$c/bench-vol-$$" 2>/dev/null && CG+=("$c/bench-vol-$$")
done
echo "${CG[*]}" > $W/bench-cgroups # removed by cleanup
dd_ms() { # $1 volume|host|beside, $2 write|read: ms of one dd, as busybox time reports it
  local op cmd
  if [ "$2" = write ]; then op="sync -f DIR; time dd if=/dev/zero of=DIR/seq bs=1M count=$MIB conv=fsync"
  else op="time dd if=DIR/seq of=/dev/null bs=1M iflag=direct"; fi
  case $1 in
    volume) cmd=(${B} run --rm -v benchvol:/data busybox sh -c "${op//DIR//data}") ;;
    host) cmd=(busybox sh -c "${op//DIR/$host}") ;;
    beside) cmd=(bash -c 'for g in $1; do echo $BASHPID > $g/cgroup.procs; done; exec busybox sh -c "$2"' - "${CG[*]}" "${op//DIR/$host}") ;;
  esac
  "${cmd[@]}" 2>&1 | awk '/^real/ { split($3, a, "s"); split($2, m, "m"); printf "%d\n", (m[1] * 60 + a[1]) * 1000 }'
}
declare -A W_ R_
kinds="volume host"; [ ${#CG[@]} -gt 0 ] && kinds="volume host beside"
for i in $(seq "$SEQ_RUNS"); do
  order=$kinds; [ $((i % 2)) = 0 ] && order=$(echo $kinds | tr ' ' '\n' | tac | tr '\n' ' ')
  for k in $order; do
    W_[$k]+="$(dd_ms "$k" write) "; R_[$k]+="$(dd_ms "$k" read) "
    if [ "$k" = volume ]; then rm -f "$vol/seq"; else rm -f "$host/seq"; fi
  done
done
for k in $kinds; do echo "$k: write ms ${W_[$k]}; read ms ${R_[$k]}"; done
echo "| | write ms (fsync) | read ms (O_DIRECT) |"; echo "|---|---|---|"
declare -A MW MR
for k in $kinds; do MW[$k]=$(median ${W_[$k]}); MR[$k]=$(median ${R_[$k]}); done
echo "| host fs | ${MW[host]} | ${MR[host]} |"
if [ -n "${MW[beside]:-}" ]; then echo "| host fs, in a cgroup beside the containers' | ${MW[beside]} | ${MR[beside]} |"; fi
echo "| berthd volume | ${MW[volume]} | ${MR[volume]} |"
echo "| volume ÷ host | $(ratio ${MW[volume]} ${MW[host]}) | $(ratio ${MR[volume]} ${MR[host]}) |"
if [ -n "${MW[beside]:-}" ]; then echo "| volume ÷ host beside the containers | $(ratio ${MW[volume]} ${MW[beside]}) | $(ratio ${MR[volume]} ${MR[beside]}) |"; fi
fi
echo; echo "(load average: $(cut -d' ' -f1-3 /proc/loadavg))"
