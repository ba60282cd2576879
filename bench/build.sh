#!/usr/bin/env bash
# docker build: berthd against dockerd's classic builder and podman build, in one run (issue 12).
# Not a test: run by hand as root once berth is built (npm run build). Writes bench/build-results.md.
#   bash bench/build.sh     (RUNS=5 hyperfine runs per figure; ONLY=cached ROUNDS=3: the cached rebuild alone, again)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/engines.sh
RUNS=${RUNS:-5}
W=/tmp/berth-bench-build
OUT=${OUT:-bench/build-results.md}; [ "${ONLY:-}" = cached ] && OUT=bench/build-cached-results.md
PODMAN="podman --root $W/podman/root --runroot $W/podman/run --cgroup-manager cgroupfs --events-backend none --runtime /usr/sbin/runc"

cleanup() {
  set +e
  $PODMAN rm -f -t 0 -a >/dev/null 2>&1
  grep -o " $W/podman[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  engines_stop
}
trap cleanup EXIT
engines_start $W build 236
DB="env DOCKER_BUILDKIT=0 $DB"
DD="env DOCKER_BUILDKIT=0 $DD"
$PODMAN load -i $W/busybox.tar >/dev/null
row() { echo "| $1 | $2 | $3 | $4 | $(ratio $4 $2) | $(ratio $4 $3) | $5 |"; }

# The 10-step Dockerfile: metadata, COPY and RUN steps as a small app's.
mkdir -p $W/ten
printf 'hello\n' > $W/ten/data.txt
cat > $W/ten/Dockerfile <<'EOF'
FROM busybox
ENV APP=/app
WORKDIR /app
COPY data.txt ./
RUN echo one > one.txt
RUN echo two > two.txt
ARG V=1
LABEL bench=build
RUN cat data.txt one.txt two.txt > all.txt
EXPOSE 8080
CMD ["cat", "/app/all.txt"]
EOF
# RUN true steps: 11 against 1, the difference over 10 is one step's overhead.
mkdir -p $W/run1 $W/run11
printf 'FROM busybox\nRUN true\n' > $W/run1/Dockerfile
{ echo 'FROM busybox'; for _ in $(seq 11); do echo 'RUN true'; done; } > $W/run11/Dockerfile
# 100 MB of incompressible context that no step copies: the upload.
mkdir -p $W/big
head -c 104857600 /dev/urandom > $W/big/blob
printf 'FROM busybox\nLABEL upload=1\n' > $W/big/Dockerfile
# 50,000 small files copied by one step: the context hash of a cached rebuild.
mkdir -p $W/many
python3 - "$W/many" <<'EOF'
import os, sys
root = sys.argv[1]
for d in range(100):
    os.makedirs(f"{root}/d{d}", exist_ok=True)
    for f in range(500):
        with open(f"{root}/d{d}/f{f}", "w") as fh:
            fh.write(f"{d}-{f}\n")
EOF
printf 'FROM busybox\nCOPY . /ctx/\n' > $W/many/Dockerfile

echo "# docker build ($(date -u +%F), load $(cut -d' ' -f1-3 /proc/loadavg), median of $RUNS)" | tee $OUT
echo | tee -a $OUT
{
  echo "| figure | dockerd (classic) | podman build | docker → berthd | ÷ dockerd | ÷ podman | goal |"
  echo "|---|---|---|---|---|---|---|"
} | tee -a $OUT

for e in DD DB; do ${!e} build -q -t ten $W/ten >/dev/null 2>&1; done
$PODMAN build -q -t ten $W/ten >/dev/null
# podman last: its runs leave work behind that slows whatever is timed next
c_dd=$(hf cached-dd "$DD build -q -t ten $W/ten")
c_db=$(hf cached-db "$DB build -q -t ten $W/ten")
c_pm=$(hf cached-pm "$PODMAN build -q -t ten $W/ten")
row "fully cached rebuild, 10 steps (ms)" $c_dd $c_pm $c_db "≤ 0.3 × dockerd" | tee -a $OUT
# ONLY=cached: that figure again in ROUNDS more rounds against the same engines, then stop.
if [ "${ONLY:-}" = cached ]; then
  # The docker CLI's own floor beside it: `docker version` (a ping and one request) against berthd.
  for r in $(seq "${ROUNDS:-3}"); do
    c_dd=$(hf "cached-dd-$r" "$DD build -q -t ten $W/ten"); c_db=$(hf "cached-db-$r" "$DB build -q -t ten $W/ten")
    v_db=$(hf "version-db-$r" "$DB version")
    echo "| fully cached rebuild, round $r (ms) | $c_dd | | $c_db | $(ratio $c_db $c_dd) | | ≤ 0.3 × dockerd (docker version against berthd: $v_db ms, $(ratio $v_db $c_dd) × dockerd's build) |" | tee -a $OUT
  done
  exit 0
fi

n_dd=$(hf cold-dd "$DD build -q --no-cache -t ten $W/ten")
n_pm=$(hf cold-pm "$PODMAN build -q --no-cache -t ten $W/ten")
n_db=$(hf cold-db "$DB build -q --no-cache -t ten $W/ten")
row "cold build, 10 steps (ms)" $n_dd $n_pm $n_db "≤ 0.7 × dockerd" | tee -a $OUT

step() { local one eleven; one=$(hf "$1-run1" "$2 build -q --no-cache $W/run1"); eleven=$(hf "$1-run11" "$2 build -q --no-cache $W/run11"); python3 -c "print(round(($eleven-$one)/10, 1))"; }
s_dd=$(step dd "$DD"); s_pm=$(step pm "$PODMAN"); s_db=$(step db "$DB")
row "one \`RUN true\` step (ms)" $s_dd $s_pm $s_db "≤ 0.5 × dockerd" | tee -a $OUT

for e in DD DB; do ${!e} build -q $W/big >/dev/null 2>&1; done
u_dd=$(hf upload-dd "$DD build -q $W/big"); u_db=$(hf upload-db "$DB build -q $W/big")
r_dd=$(python3 -c "print(round(100/($u_dd/1000)))"); r_db=$(python3 -c "print(round(100/($u_db/1000)))")
echo "| 100 MB context, cached build (MB/s) | $r_dd | | $r_db | $(ratio $r_db $r_dd) | | ≥ 1 × dockerd |" | tee -a $OUT

for e in DD DB; do ${!e} build -q $W/many >/dev/null 2>&1; done
h_dd=$(hf many-dd "$DD build -q $W/many"); h_db=$(hf many-db "$DB build -q $W/many")
echo "| 50,000-file context, cached rebuild of a COPY . (ms) | $h_dd | | $h_db | $(ratio $h_db $h_dd) | | hashed in < 2 s |" | tee -a $OUT
echo | tee -a $OUT
# The hash alone (berthd's V8 flags): the context unpacked as berthd does, then a cached COPY . timed.
node --max-semi-space-size=1 --optimize-for-size --no-opt --no-maglev bench/context-hash.mjs $W/many 5 | sed 's/^/- 50,000-file context, berthd alone: /' | tee -a $OUT
echo; echo "written to $OUT"
