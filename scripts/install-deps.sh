#!/usr/bin/env bash
# Install what berth needs on Debian 12 (as root) and build it. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(crun runc conmon netavark aardvark-dns iptables busybox-static catatonit debootstrap
      golang-github-containers-common attr uidmap zstd iproute2 procps ca-certificates gcc libc6-dev
      nftables)
missing=()
for p in "${PKGS[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs npm); fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# In a hybrid cgroup layout where the unified (v2) hierarchy still holds a controller (here:
# hugetlb, bound to no v1 hierarchy), crun refuses every container ("cgroups in hybrid mode not
# supported"). Give that controller its v1 hierarchy, as systemd's hybrid mode does, so that both
# crun and runc work. See docs/environment.md.
if [ -f /sys/fs/cgroup/unified/cgroup.controllers ] && [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers)" ]; then
  for c in $(cat /sys/fs/cgroup/unified/cgroup.controllers); do
    if ! mountpoint -q "/sys/fs/cgroup/$c"; then
      mkdir -p "/sys/fs/cgroup/$c" && mount -t cgroup -o "$c" cgroup "/sys/fs/cgroup/$c" || echo "warning: cannot mount the $c cgroup v1 hierarchy; crun stays unusable" >&2
    fi
  done
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "warning: berth is built for Node.js 20; found $(node --version)" >&2
fi

# npm: install only when the lock file changed since the last install.
stamp=node_modules/.berth-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  # npm ci refuses this lock: node-unix-socket names platform packages the registry does not
  # all publish, so npm leaves them out of the lock. npm install honours the lock all the same.
  npm install --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

npx tsc -b
node scripts/bundle.js
sh scripts/build-native.sh
ln -sf "$PWD/bin/berth.cjs" /usr/local/bin/berth
ln -sf "$PWD/bin/berthd.js" /usr/local/bin/berthd
