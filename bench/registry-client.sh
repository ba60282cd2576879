#!/usr/bin/env bash
# The registry client: push and pull of a 200 MB image (4 layers of 50 MB) over loopback, berthd
# with berth's registry server against dockerd with Debian's docker-registry (and berthd against
# docker-registry too), in one run; and a pull where every layer is already present, through the
# API and through `berth pull` and `docker pull` against berthd.
# Not a test: run by hand as root after `npm run build`.
#   bash bench/registry-client.sh        (ROUNDS=3)
#   ONLY=present bash bench/registry-client.sh   (the present-image pull alone: berthd, berth's registry, RUNS=40)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}  # the median of an odd count is one round's figure
W=/tmp/berth-bench-pull
DB=dpull0; DNET=172.31.243; BB=bpull0; BNET=172.31.242

cleanup() {
  set +e
  for p in berthd dockerd reg-b reg-d reg-x; do [ -f $W/$p.pid ] && kill "$(cat $W/$p.pid)" 2>/dev/null; done
  sleep 2
  grep -o " $W[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  ip link del $DB 2>/dev/null; ip link del $BB 2>/dev/null
  # only the rules naming this run's bridges and subnets; other engines' chains stay
  for t in nat filter; do
    iptables -w -t $t -S | grep -E "^-A .*($DB|$BB|$DNET\.|$BNET\.)" | sed 's/^-A/-D/' | while read -r r; do eval iptables -w -t $t "$r"; done
  done
  rm -rf $W
}
trap cleanup EXIT
rm -rf $W && mkdir -p $W

registry() { # name port [berth]: a fresh registry (storage emptied), so every round uploads every layer
  [ -f $W/$1.pid ] && { kill "$(cat $W/$1.pid)" 2>/dev/null; while kill -0 "$(cat $W/$1.pid)" 2>/dev/null; do sleep 0.1; done; }
  rm -rf $W/$1; mkdir -p $W/$1
  printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' "$W/$1/data" "$2" > $W/$1/config.yml
  if [ "${3:-}" = berth ]; then setsid node bin/berth-registry.js serve $W/$1/config.yml >$W/$1.log 2>&1 & echo $! > $W/$1.pid
  else setsid docker-registry serve $W/$1/config.yml >$W/$1.log 2>&1 & echo $! > $W/$1.pid; fi
  for _ in $(seq 100); do curl -sf http://127.0.0.1:$2/v2/ >/dev/null && break; sleep 0.1; done
}
echo '{}' > $W/daemon.json
setsid bin/berthd.js -H unix://$W/berth.sock --data-root $W/berth --exec-root $W/berth-run \
  --pidfile $W/berthd.pid --bridge $BB --bip $BNET.0/24 --config-file $W/daemon.json >$W/berthd.log 2>&1 &
PRESENT_ONLY=false; [ "${ONLY:-}" = present ] && PRESENT_ONLY=true
if ! $PRESENT_ONLY; then
  ip link add $DB type bridge 2>/dev/null || true; ip addr add $DNET.1/24 dev $DB 2>/dev/null || true; ip link set $DB up
  setsid dockerd -H unix://$W/docker.sock --data-root $W/docker --exec-root $W/docker-run --pidfile $W/dockerd.pid \
    --bridge $DB >$W/dockerd.log 2>&1 &
fi
for _ in $(seq 150); do docker -H unix://$W/berth.sock version >/dev/null 2>&1 && { $PRESENT_ONLY || docker -H unix://$W/docker.sock version >/dev/null 2>&1; } \
  && break; sleep 0.2; done

# a docker-archive: 4 layers of 50 MB of base64 text (about as compressible as binaries)
node -e '
const { mkdirSync, writeFileSync } = require("node:fs"); const { execFileSync } = require("node:child_process");
const { createHash, randomBytes } = require("node:crypto"); const W = process.argv[1];
const sha = (b) => createHash("sha256").update(b).digest("hex"); const diffIds = []; const layers = [];
for (let i = 0; i < 4; i++) {
  const d = `${W}/img/l${i}`; mkdirSync(d, { recursive: true });
  writeFileSync(`${d}/data${i}.txt`, randomBytes(37.5 * 2 ** 20).toString("base64"));
  execFileSync("tar", ["-C", d, "--owner=0", "--group=0", "-cf", `${W}/img/layer${i}.tar`, `data${i}.txt`]);
  const tar = require("node:fs").readFileSync(`${W}/img/layer${i}.tar`); diffIds.push(`sha256:${sha(tar)}`); layers.push(`layer${i}.tar`);
}
const cfg = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: {}, rootfs: { type: "layers", diff_ids: diffIds }, history: diffIds.map(() => ({ created_by: "bench" })) }));
writeFileSync(`${W}/img/config.json`, cfg);
writeFileSync(`${W}/img/manifest.json`, JSON.stringify([{ Config: "config.json", RepoTags: ["big:1"], Layers: layers }]));
execFileSync("tar", ["-C", `${W}/img`, "-cf", `${W}/big.tar`, "config.json", "manifest.json", ...layers]);
' $W
B="bin/berth.cjs -H unix://$W/berth.sock"
D="docker -H unix://$W/docker.sock"
$B load -i $W/big.tar >/dev/null
$PRESENT_ONLY || $D load -i $W/big.tar >/dev/null

now() { date +%s.%N; }
secs() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }
declare -a bpush bpull dpush dpull xpush xpull bpullgz cbpush cbpull cdpush cdpull
# CPU seconds of a process and its reaped children (dockerd unpacks in a child), registry included
ticks() { awk '{print $14 + $15 + $16 + $17}' /proc/"$1"/stat; }
cpu_of() { echo $(( $(ticks "$(cat $W/$1.pid)") + $(ticks "$(cat $W/$2.pid)") )); }
cpus() { python3 -c "import sys; print(f'{(int(sys.argv[2]) - int(sys.argv[1])) / $(getconf CLK_TCK):.2f}')" "$1" "$2"; }
$PRESENT_ONLY && ROUNDS=0
for r in $(seq "$ROUNDS"); do
  # berthd with berth's server (15801), dockerd with docker-registry (15802), berthd with docker-registry (15803)
  registry reg-b 15801 berth; registry reg-d 15802; registry reg-x 15803
  $B tag big:1 127.0.0.1:15801/big:1; $B tag big:1 127.0.0.1:15803/big:1; $D tag big:1 127.0.0.1:15802/big:1
  sync; c0=$(cpu_of berthd reg-b); t0=$(now); $B push -q 127.0.0.1:15801/big:1 >/dev/null; t1=$(now); bpush+=("$(secs $t0 $t1)"); cbpush+=("$(cpus $c0 "$(cpu_of berthd reg-b)")")
  sync; c0=$(cpu_of dockerd reg-d); t0=$(now); $D push -q 127.0.0.1:15802/big:1 >/dev/null; t1=$(now); dpush+=("$(secs $t0 $t1)"); cdpush+=("$(cpus $c0 "$(cpu_of dockerd reg-d)")")
  sync; t0=$(now); $B push -q 127.0.0.1:15803/big:1 >/dev/null; t1=$(now); xpush+=("$(secs $t0 $t1)")
  $B rmi big:1 127.0.0.1:15801/big:1 127.0.0.1:15803/big:1 >/dev/null; $D rmi big:1 127.0.0.1:15802/big:1 >/dev/null
  sync; c0=$(cpu_of berthd reg-b); t0=$(now); $B pull -q 127.0.0.1:15801/big:1 >/dev/null; t1=$(now); bpull+=("$(secs $t0 $t1)"); cbpull+=("$(cpus $c0 "$(cpu_of berthd reg-b)")")
  sync; c0=$(cpu_of dockerd reg-d); t0=$(now); $D pull -q 127.0.0.1:15802/big:1 >/dev/null; t1=$(now); dpull+=("$(secs $t0 $t1)"); cdpull+=("$(cpus $c0 "$(cpu_of dockerd reg-d)")")
  $B rmi 127.0.0.1:15801/big:1 >/dev/null
  sync; t0=$(now); $B pull -q 127.0.0.1:15803/big:1 >/dev/null; t1=$(now); xpull+=("$(secs $t0 $t1)")
  # berth pulling dockerd's gzip layers (its own copy removed first): the bytes dockerd pulled
  $B rmi 127.0.0.1:15803/big:1 >/dev/null
  sync; t0=$(now); $B pull -q 127.0.0.1:15802/big:1 >/dev/null; t1=$(now); bpullgz+=("$(secs $t0 $t1)")
  # the next round starts from the loaded image again
  $B rmi 127.0.0.1:15802/big:1 >/dev/null; $D rmi 127.0.0.1:15802/big:1 >/dev/null
  $B load -i $W/big.tar >/dev/null; $D load -i $W/big.tar >/dev/null
done
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$1" "$2"; }

# a pull where every layer is present: the API call alone, 20 times
$PRESENT_ONLY && registry reg-b 15801 berth
$B tag big:1 127.0.0.1:15801/big:1; $B push -q 127.0.0.1:15801/big:1 >/dev/null
present=$(python3 - "$W/berth.sock" <<'PY'
import socket, sys, time
ts = []
for _ in range(20):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
    t = time.perf_counter()
    s.sendall(b"POST /v1.47/images/create?fromImage=127.0.0.1%3A15801%2Fbig&tag=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    while s.recv(65536): pass
    ts.append((time.perf_counter() - t) * 1000); s.close()
ts.sort(); print(f"{ts[len(ts)//2]:.1f}")
PY
)
# and through the CLIs against berthd, their runs interleaved (a slow moment of the machine then
# falls on all of them alike), from the shell's environment as a user would: median and lower quartile
$B pull -q 127.0.0.1:15801/big:1 >/dev/null  # the first real run leaves its code cache (docs/decisions/0005)
clis=$(python3 - "${RUNS:-40}" "$B pull -q 127.0.0.1:15801/big:1" "docker -H unix://$W/berth.sock pull -q 127.0.0.1:15801/big:1" \
  "docker -H unix://$W/berth.sock version --format {{.Server.Version}}" "env -u NODE_EXTRA_CA_CERTS node -e 0" <<'PY'
import subprocess, sys, time
runs, cmds = int(sys.argv[1]), sys.argv[2:]
ts = [[] for _ in cmds]
for _ in range(runs):
    for i, c in enumerate(cmds):
        t = time.perf_counter(); subprocess.run(c.split(), stdout=subprocess.DEVNULL, check=True); ts[i].append((time.perf_counter() - t) * 1000)
print(" ".join(f"{sorted(t)[len(t) // 2]:.1f}/{sorted(t)[len(t) // 4]:.1f}" for t in ts))
PY
)
read -r present_berth present_docker present_version present_node <<<"$clis"
load=$(cut -d' ' -f1-3 /proc/loadavg)
present_lines() {
  echo "pull with every layer present, against berthd: POST /images/create $present ms (median of 20); through the CLIs,"
  echo "${RUNS:-40} runs each, interleaved (median/lower quartile ms): \`berth pull -q\` $present_berth, \`docker pull -q\` $present_docker,"
  echo "\`docker version\` alone $present_version, \`node -e 0\` $present_node"
}
if $PRESENT_ONLY; then
  { echo "## a pull where every layer is present (200 MB image, 4 layers; load average $load)"; present_lines; } | tee bench/registry-present.md
  exit 0
fi
{
  echo "## registry client: 200 MB image, 4 layers, over loopback (median of $ROUNDS; load average $load)"
  echo "| step | berthd + berth registry s | dockerd + docker-registry s | ratio | berthd + docker-registry s | ratio |"
  echo "| --- | --- | --- | --- | --- | --- |"
  echo "| push | $(med "${bpush[@]}") | $(med "${dpush[@]}") | $(ratio "$(med "${dpush[@]}")" "$(med "${bpush[@]}")") | $(med "${xpush[@]}") | $(ratio "$(med "${dpush[@]}")" "$(med "${xpush[@]}")") |"
  echo "| pull (each its own pushed image) | $(med "${bpull[@]}") | $(med "${dpull[@]}") | $(ratio "$(med "${dpull[@]}")" "$(med "${bpull[@]}")") | $(med "${xpull[@]}") | $(ratio "$(med "${dpull[@]}")" "$(med "${xpull[@]}")") |"
  echo "| berthd pulls dockerd's gzip layers | | $(med "${dpull[@]}") | | $(med "${bpullgz[@]}") | $(ratio "$(med "${dpull[@]}")" "$(med "${bpullgz[@]}")") |"
  echo "| push, CPU s (daemon + registry) | $(med "${cbpush[@]}") | $(med "${cdpush[@]}") | $(ratio "$(med "${cdpush[@]}")" "$(med "${cbpush[@]}")") | | |"
  echo "| pull, CPU s (daemon + registry) | $(med "${cbpull[@]}") | $(med "${cdpull[@]}") | $(ratio "$(med "${cdpull[@]}")" "$(med "${cbpull[@]}")") | | |"
  echo
  echo "ratio: dockerd's time ÷ berthd's (above 1: berth faster). CPU seconds are what a quiet machine turns into wall time;"
  echo "on a loaded one, a single-threaded daemon gets less of the CPU than a many-threaded one."
  echo
  present_lines
} | tee $W/result.md
cat $W/result.md > bench/registry-client.md
