# Sourced by the bench scripts: drop the iptables rules (and netavark chains) a bench's engines made.
# drop_engine_rules REGEX: every nat/filter rule matching REGEX, the NETAVARK-* chains they jump to,
# and dockerd's own DOCKER* chains when no other dockerd runs.
drop_engine_rules() {
  local t ours
  for t in nat filter; do
    ours=$(iptables -w -t $t -S | grep -E "^-A .*($1)")
    echo "$ours" | grep '^-A' | sed 's/^-A/-D/' | while read -r r; do eval iptables -w -t $t "$r"; done
    for c in $(echo "$ours" | grep -o -- '-j NETAVARK-[0-9A-F]*' | cut -d' ' -f2 | sort -u); do iptables -w -t $t -F "$c"; iptables -w -t $t -X "$c"; done
    # dockerd's own chains, as bench/run.sh drops them, unless another dockerd still uses them
    pgrep -x dockerd >/dev/null && continue
    iptables -w -t $t -S | grep -E '^-A .*-j DOCKER' | sed 's/^-A/-D/' | while read -r r; do eval iptables -w -t $t "$r"; done
    for c in DOCKER DOCKER-USER DOCKER-ISOLATION-STAGE-1 DOCKER-ISOLATION-STAGE-2; do iptables -w -t $t -F $c 2>/dev/null; iptables -w -t $t -X $c 2>/dev/null; done
  done
}
