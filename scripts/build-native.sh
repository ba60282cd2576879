#!/bin/sh
# Compile berth's addon (src/host/native/*.c, one module) against the running Node's headers.
# Without a compiler or headers berth spawns mount(8)/umount(8) instead, but refuses to unpack
# layers: extraction has no safe path-based fallback (docs/decisions/0009).
set -eu
cd "$(dirname "$0")/.."
srcs="src/host/native/berth-host.c src/host/native/copy-tree.c src/host/native/send-file.c src/host/native/napi-work.c"
out=dist/native/berth-host.node
inc="$(dirname "$(dirname "$(command -v node)")")/include/node"
if ! command -v cc >/dev/null 2>&1 || [ ! -f "$inc/node_api.h" ]; then
  echo "warning: no C compiler or Node headers ($inc): berth will spawn mount(8) and umount(8), and cannot unpack layers (docs/decisions/0009)" >&2
  rm -f "$out" dist/native/berth-netlink.node
  exit 0
fi
mkdir -p dist/native
stale=0
# probe.c is #included by berth-host.c
for f in $srcs src/host/native/berth-host.h src/host/native/probe.c; do [ -f "$out" ] && [ "$out" -nt "$f" ] || stale=1; done
if [ "$stale" = 1 ]; then
  cc -O2 -Wall -Wextra -Werror -shared -fPIC -pthread -I"$inc" -DNODE_GYP_MODULE_NAME=berth_host -o "$out.tmp" $srcs
  mv "$out.tmp" "$out"
fi
# rtnetlink calls (veth wiring, interface deletion) in their own addon; without it berth runs ip(8)
nl=src/host/native/berth-netlink.c
if [ ! -f dist/native/berth-netlink.node ] || [ "$nl" -nt dist/native/berth-netlink.node ] || [ src/host/native/napi-work.c -nt dist/native/berth-netlink.node ]; then
  cc -O2 -Wall -Wextra -Werror -shared -fPIC -I"$inc" -DNODE_GYP_MODULE_NAME=berth_netlink -o dist/native/berth-netlink.node.tmp "$nl" src/host/native/napi-work.c
  mv dist/native/berth-netlink.node.tmp dist/native/berth-netlink.node
fi
