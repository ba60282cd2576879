#!/usr/bin/env bash
# Quick start: install and build berth, start berthd, create the busybox base image and run a container.
# Idempotent: a second run restarts berthd on the fresh build (running containers survive) and reuses the image.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

sock=/run/berth/berth.sock
pidfile=/run/berth/berthd.pid
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  echo "restarting berthd on the new build"
  kill -TERM "$(cat "$pidfile")"
  for _ in $(seq 100); do kill -0 "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null || break; sleep 0.1; done
fi
mkdir -p /var/log
setsid berthd >>/var/log/berthd.log 2>&1 < /dev/null &
for _ in $(seq 100); do berth version >/dev/null 2>&1 && break; sleep 0.1; done
berth version

if ! berth image inspect busybox:latest >/dev/null 2>&1; then
  berth image mkimage busybox
fi
berth run --rm busybox sh -c 'echo "hello from a berth container: $(hostname), $(uname -sr)"; cat /etc/os-release 2>/dev/null || busybox | head -1'
