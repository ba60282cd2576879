# Sourced by the bench scripts: a private berthd and dockerd side by side (own data roots, sockets,
# bridges and subnets), busybox loaded into both, and the hyperfine helpers the scripts share.
#   engines_start DIR TAG N     berthd on bridge b<TAG>0 (172.31.N.0/24), dockerd on d<TAG>0 (172.31.N+1.1/24);
#                               DOCKERD_ARGS adds dockerd flags. Sets B (berth CLI), DB and DD (docker CLI → berthd / dockerd).
#   engines_stop                removes containers, stops both, and drops their mounts, links and rules.
. "$(dirname "${BASH_SOURCE[0]}")/engine-cleanup.sh"

engines_start() {
  EW=$1; ETAG=$2; ENET=$3
  rm -rf "$EW" && mkdir -p "$EW"
  echo '{}' > "$EW/daemon.json"
  setsid bin/berthd.js -H "unix://$EW/berth.sock" --data-root "$EW/berth" --exec-root "$EW/berth-run" \
    --pidfile "$EW/berthd.pid" --bridge "b${ETAG}0" --bip "172.31.$ENET.1/24" --config-file "$EW/daemon.json" >"$EW/berthd.log" 2>&1 &
  ip link add "d${ETAG}0" type bridge 2>/dev/null || true
  ip addr add "172.31.$((ENET + 1)).1/24" dev "d${ETAG}0" 2>/dev/null || true
  ip link set "d${ETAG}0" up
  # shellcheck disable=SC2086
  setsid dockerd -H "unix://$EW/docker.sock" --data-root "$EW/docker" --exec-root "$EW/docker-run" --pidfile "$EW/dockerd.pid" \
    --bridge "d${ETAG}0" ${DOCKERD_ARGS:-} >"$EW/dockerd.log" 2>&1 &
  for _ in $(seq 150); do
    docker -H "unix://$EW/berth.sock" version >/dev/null 2>&1 && docker -H "unix://$EW/docker.sock" version >/dev/null 2>&1 && break
    sleep 0.2
  done
  B="bin/berth.cjs -H unix://$EW/berth.sock"
  DB="docker -H unix://$EW/berth.sock"
  DD="docker -H unix://$EW/docker.sock"
  $B image mkimage busybox >/dev/null
  $B save -o "$EW/busybox.tar" busybox
  $DD load -i "$EW/busybox.tar" >/dev/null
}

engines_stop() {
  set +e
  for s in berth docker; do
    local ids; ids=$(docker -H "unix://$EW/$s.sock" ps -aq 2>/dev/null)
    [ -n "$ids" ] && docker -H "unix://$EW/$s.sock" rm -f $ids >/dev/null 2>&1
  done
  [ -f "$EW/berthd.pid" ] && kill "$(cat "$EW/berthd.pid")" 2>/dev/null
  [ -f "$EW/dockerd.pid" ] && kill "$(cat "$EW/dockerd.pid")" 2>/dev/null
  sleep 2
  grep -o " $EW[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  ip link del "b${ETAG}0" 2>/dev/null; ip link del "d${ETAG}0" 2>/dev/null
  for l in $(ip -o link | grep -o "b${ETAG}0-k[0-9a-f]*"); do ip link del "$l"; done
  drop_engine_rules "172\.31\.($ENET|$((ENET + 1)))\.|d${ETAG}0|b${ETAG}0"
  rm -rf "$EW"
}

# hf NAME COMMAND [PREPARE]: hyperfine's median in ms (RUNS runs after one warm-up).
ms() { python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['results'][0]['median']*1000, 1))" "$1"; }
hf() {
  hyperfine -N --warmup 1 --runs "${RUNS:-5}" ${3:+--prepare "$3"} --export-json "$EW/$1.json" "$2" >/dev/null 2>&1 \
    || hyperfine --warmup 1 --runs "${RUNS:-5}" ${3:+--prepare "$3"} --export-json "$EW/$1.json" "$2" >/dev/null
  ms "$EW/$1.json"
}
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
