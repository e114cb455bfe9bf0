#!/usr/bin/env bash
# Plays the Kubernetes lesson with manifests/redis-sentinel/image/run.sh and real redis, one
# loopback address per "pod" (127.0.0.2, .3, ...), so the start script's logic is tested without
# a cluster: bootstrap, scaling through the sentinel "service", a killed master container that
# comes back as a replica, the bootstrap pod's deletion, and a failover with 3 of 4 sentinels.
# Linux only (the whole of 127.0.0.0/8 is loopback). Prints `PASS` last on success.
set -euo pipefail

RUN_SH="${RUN_SH:-$(cd "$(dirname "$0")/../../manifests/redis-sentinel" && pwd)/image/run.sh}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kubetutor-runsh.XXXXXX")"
PIDS=()

cleanup() {
  exec 2>/dev/null # no "Killed" job notices after the verdict
  for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

say() { echo "[$(date +%T.%3N)] $*"; }
fail() {
  say "FAIL: $*"
  for log in "$WORK"/*.log; do echo "--- $log"; tail -n 30 "$log"; done
  exit 1
}

# Each pod binds only its own address, as it would in its own network namespace.
mkdir -p "$WORK/bin"
for tool in redis-server redis-sentinel; do
  real="$(command -v "$tool")"
  printf '#!/bin/sh\nexec %s "$@" --bind "$POD_IP"\n' "$real" > "$WORK/bin/$tool"
  chmod +x "$WORK/bin/$tool"
done

# container NAME IP SERVICE_IP [VAR=VALUE...]: one container of a pod, in its own process group.
container() {
  local name=$1 ip=$2 service=$3
  shift 3
  mkdir -p "$WORK/$name"
  setsid env PATH="$WORK/bin:$PATH" POD_IP="$ip" DATA_DIR="$WORK/$name" \
    REDIS_SENTINEL_SERVICE_HOST="$service" REDIS_SENTINEL_SERVICE_PORT=26379 \
    DOWN_AFTER_MS=2000 FAILOVER_TIMEOUT_MS=4000 FOLLOW_INTERVAL_S=1 "$@" \
    bash "$RUN_SH" >> "$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  eval "PID_${name//-/_}=$!"
}
# stop NAME: SIGTERM to the container, then wait until it is gone (as the kubelet does before a
# restart).
stop() {
  local var="PID_${1//-/_}"
  kill -- "-${!var}" 2>/dev/null || true
  local deadline=$((SECONDS + 10))
  while kill -0 -- "-${!var}" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "$1 ignored SIGTERM for 10 s; killing it"
      tail -n 15 "$WORK/$1.log"
      kill -KILL -- "-${!var}" 2>/dev/null || true
    fi
    sleep 0.1
  done
}

# until_ok SECONDS WHAT COMMAND...: retry until the command succeeds.
until_ok() {
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$what"
    sleep 0.2
  done
  say "ok: $what"
}
role_of() { redis-cli -h "$1" -p 6379 info replication | tr -d '\r' | sed -n 's/^role://p'; }
master_by() { redis-cli -h "$1" -p 26379 sentinel get-master-addr-by-name mymaster | head -n 1; }
is_replica_of() { [ "$(role_of "$1")" = slave ] && redis-cli -h "$1" info replication | tr -d '\r' | grep -qx "master_host:$2" &&
  redis-cli -h "$1" info replication | tr -d '\r' | grep -qx 'master_link_status:up'; }
knows() { # knows SENTINEL_IP REPLICAS OTHER_SENTINELS
  redis-cli -h "$1" -p 26379 sentinel master mymaster |
    awk -v r="$2" -v s="$3" '/^num-slaves$/ {getline; a=$0} /^num-other-sentinels$/ {getline; b=$0} END {exit !(a==r && b==s)}'
}

for ip in 127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5 127.0.0.6 127.0.0.7 127.0.0.8 127.0.0.9 127.0.0.10; do
  for port in 6379 26379; do
    ! redis-cli -h "$ip" -p "$port" ping >/dev/null 2>&1 || fail "something already listens on $ip:$port"
  done
done

# The bootstrap pod, created before the service: nothing answers at the service address yet.
container master 127.0.0.2 127.0.0.99 MASTER=true
container master-sentinel 127.0.0.2 127.0.0.99 SENTINEL=true BOOTSTRAP=true
sentinel_says() { [ "$(master_by "$1")" = "$2" ]; }
until_ok 15 "bootstrap sentinel monitors its own pod" sentinel_says 127.0.0.2 127.0.0.2

# The service now leads to the bootstrap sentinel. One RC pod, then scale to 3 and 3.
container sentinel-a 127.0.0.3 127.0.0.2 SENTINEL=true
container redis-a 127.0.0.4 127.0.0.2
container redis-b 127.0.0.5 127.0.0.2
container sentinel-b 127.0.0.6 127.0.0.3 SENTINEL=true
container sentinel-c 127.0.0.7 127.0.0.3 SENTINEL=true
until_ok 15 "replicas follow the bootstrap master" is_replica_of 127.0.0.5 127.0.0.2
until_ok 15 "both replicas synced" is_replica_of 127.0.0.4 127.0.0.2
for s in 127.0.0.2 127.0.0.3 127.0.0.6 127.0.0.7; do
  until_ok 30 "sentinel $s knows 2 replicas and 3 sentinels" knows "$s" 2 3
done
grep -Eq 'announce-ip "?127.0.0.3' "$WORK/sentinel-a/sentinel.conf" || fail "sentinel config not in DATA_DIR or no announce-ip"
redis-cli -h 127.0.0.2 set greeting hello >/dev/null

# The master container crashes and restarts while its pod (and its IP) stays.
stop master
replica_elected() { sentinel_says 127.0.0.3 127.0.0.4 || sentinel_says 127.0.0.3 127.0.0.5; }
until_ok 30 "a replica is elected" replica_elected
container master 127.0.0.2 127.0.0.3 MASTER=true
# Under load the sentinels may fail over more than once; follow whatever they name now.
follows_current() { is_replica_of "$1" "$(master_by 127.0.0.3)"; }
until_ok 20 "the restarted master container rejoins as a replica" follows_current 127.0.0.2
grep -q "starting as its replica" "$WORK/master.log" || fail "the restarted master did not ask the sentinels"
[ "$(redis-cli -h 127.0.0.2 get greeting)" = hello ] || fail "the rejoined replica lost the data"

# Delete the bootstrap pod: both its containers go; the RC starts a replacement redis pod.
stop master
stop master-sentinel
container redis-c 127.0.0.8 127.0.0.3
until_ok 20 "the replacement pod joins the current master" follows_current 127.0.0.8
[ "$(redis-cli -h 127.0.0.8 get greeting)" = hello ] || fail "the replacement pod has no data"
old="$(master_by 127.0.0.3)"
[ "$(role_of "$old")" = master ] || fail "the sentinels name $old, which is not a master"

pod_of() {
  case "$1" in
    127.0.0.4) echo redis-a ;; 127.0.0.5) echo redis-b ;; 127.0.0.8) echo redis-c ;; 127.0.0.9) echo redis-d ;;
    127.0.0.10) echo redis-e ;; *) fail "master $1?" ;;
  esac
}

# The race a real node showed: a master pod is deleted and its controller's replacement starts
# while the master still answers, shutting down (Redis 7 waits up to 10 s for lagging replicas
# on SIGTERM). A paused replica makes it wait; the replacement must not pick it.
lagging=""
for ip in 127.0.0.4 127.0.0.5 127.0.0.8; do [ "$ip" != "$old" ] && lagging="$ip" && break; done
kill -STOP -- "-$(eval echo "\$PID_$(pod_of "$lagging" | tr - _)")"
redis-cli -h "$old" set greeting hello >/dev/null
redis-cli -h "$old" set lag 1 >/dev/null
kill -TERM -- "-$(eval echo "\$PID_$(pod_of "$old" | tr - _)")"
shutting_down() { redis-cli -h "$old" info server | grep -q '^shutdown_in_milliseconds:'; }
until_ok 5 "the master $old is shutting down, still answering" shutting_down
container redis-d 127.0.0.9 127.0.0.3
chose() { grep -Eq "Connecting to MASTER|Waiting" "$WORK/redis-d.log"; }
until_ok 10 "the replacement pod made its choice" chose
kill -CONT -- "-$(eval echo "\$PID_$(pod_of "$lagging" | tr - _)")"
stop "$(pod_of "$old")"
elected_other() { m=$(master_by 127.0.0.3); [ -n "$m" ] && [ "$m" != "$old" ]; }
until_ok 40 "a new master after the deletion" elected_other
until_ok 30 "the replacement pod follows the new master" follows_current 127.0.0.9
! grep -q "MASTER $old:6379" "$WORK/redis-d.log" || fail "the replacement attached to the master that was shutting down"
# The paused replica may have been promoted itself once it caught up.
follows_or_leads() { [ "$(master_by 127.0.0.3)" = "$1" ] || follows_current "$1"; }
until_ok 30 "the paused replica follows (or is) the new master" follows_or_leads "$lagging"
old="$(master_by 127.0.0.3)"

# A replica that attached just before its master died, before any sentinel saw it in the
# master's INFO (they look every 10 s): the sentinels cannot reconfigure it, it must follow
# their answer by itself.
container redis-e 127.0.0.10 127.0.0.3
until_ok 20 "a new replica syncs from $old" is_replica_of 127.0.0.10 "$old"

# The sentinels still count the deleted pod's sentinel: 3 alive of 4 known, so a leader needs
# all three votes. Kill the current master's container and restart it at once: its start script
# must wait for the failover instead of coming back as a master.
pod=$(pod_of "$old")
stop "$pod"
container "$pod" "$old" 127.0.0.3
until_ok 40 "three of four known sentinels elect a new master" elected_other
until_ok 30 "the restarted $old waits for the failover, then follows the new master" follows_current "$old"
# The sentinels may also have promoted it (it was a synced replica by then): that is fine too.
until_ok 30 "the replica that attached just before the crash follows (or is) the new master" follows_or_leads 127.0.0.10
[ "$(redis-cli -h "$(master_by 127.0.0.3)" get greeting)" = hello ] || fail "the data did not survive two failovers"
say PASS
