#!/usr/bin/env bash
# The whole test suite: unit tests, then integration tests against real berthd daemons (root).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# Real dockerd (Debian's docker.io) is the oracle for the save/load round trip; started only by that test.
if ! command -v dockerd >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >/dev/null
fi
# Tools the integration tests drive: criu (checkpoint), skopeo and Debian's reference registry
# (registry client and server), tmux (a real terminal for -it), openssl and curl (certificates and
# raw responses in the registry server tests).
test_pkgs=()
for p in criu skopeo docker-registry tmux openssl curl; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || test_pkgs+=("$p"); done
if [ "${#test_pkgs[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${test_pkgs[@]}" >/dev/null
fi
# docker-py is a compatibility client in the integration tests: Debian's, unless a python3 on PATH has one.
if ! python3 -c 'import docker' >/dev/null 2>&1 && ! /usr/bin/python3 -c 'import docker' >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-docker >/dev/null
fi
node scripts/check-layers.js
# debootstrap reaches the Debian mirror apt uses, like the package installs above.
BERTH_TEST_DEBOOTSTRAP=1 node --test --test-concurrency=2 dist/src
node --test --test-concurrency=1 --test-timeout=600000 dist/test/integration
