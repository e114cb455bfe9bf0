#!/bin/bash
# Start script of the Redis Sentinel example, for the official redis:7 image.
# The same script plays the three roles, chosen by environment variables:
#   MASTER=true     the bootstrap master (only the redis-master pod)
#   SENTINEL=true   a sentinel (BOOTSTRAP=true: may monitor its own pod when no sentinel answers yet)
#   neither         a replica
# Every role first asks the sentinels (through the redis-sentinel service) who the master is now,
# so a restarted container rejoins the current topology instead of starting a second master.
set -u

# Pods created after the service get its address as environment variables; the DNS name works
# for every pod (the bootstrap pod is created before the service exists).
SENTINEL_HOST="${REDIS_SENTINEL_SERVICE_HOST:-redis-sentinel}"
SENTINEL_PORT="${REDIS_SENTINEL_SERVICE_PORT:-26379}"
# The pod's own IP from the downward API, announced to the others so that what the sentinels
# store is an address every pod can reach.
POD_IP="${POD_IP:-$(hostname -i)}"
MASTER_NAME="${MASTER_NAME:-mymaster}"
QUORUM="${QUORUM:-2}"
# Demo timeouts: a dead master is noticed after 5 s (the original waited 60 s, the default is
# 30 s), and a failed failover is retried after 2 x 10 s (the original: 6 minutes).
DOWN_AFTER_MS="${DOWN_AFTER_MS:-5000}"
FAILOVER_TIMEOUT_MS="${FAILOVER_TIMEOUT_MS:-10000}"
# The container's writable emptyDir: redis data, or the sentinel's configuration.
DATA_DIR="${DATA_DIR:-/data}"

# Prints the master's IP as the sentinels know it, or nothing.
find_master() {
  timeout 3 redis-cli -h "$SENTINEL_HOST" -p "$SENTINEL_PORT" \
    SENTINEL get-master-addr-by-name "$MASTER_NAME" 2>/dev/null | head -n 1
}

# A master worth following: it answers, calls itself master, and is not shutting down. On SIGTERM
# Redis 7 keeps answering for up to shutdown-timeout (10 s) while its replicas catch up, and a
# replica that attached then would follow a master about to vanish (INFO shows
# shutdown_in_milliseconds only during that wait).
usable_master() {
  local info
  info="$(timeout 3 redis-cli -h "$1" -p 6379 INFO 2>/dev/null | tr -d '\r')"
  printf '%s\n' "$info" | grep -qx 'role:master' &&
    ! printf '%s\n' "$info" | grep -q '^shutdown_in_milliseconds:'
}

# Waits until the sentinels name a master that answers; prints its IP.
wait_for_master() {
  local master
  while true; do
    master="$(find_master)"
    if [ -z "$master" ] && [ "${BOOTSTRAP:-false}" = "true" ]; then
      master="$POD_IP"
    fi
    # The sentinels may still name this pod a moment after its own restart: wait for the
    # failover rather than replicate from ourselves.
    if [ "$master" = "$POD_IP" ] && [ "${BOOTSTRAP:-false}" != "true" ]; then
      master=""
    fi
    if [ -n "$master" ] && usable_master "$master"; then
      echo "$master"
      return
    fi
    echo "Connecting to master failed.  Waiting..." >&2
    sleep 5
  done
}

# The sentinels reconfigure only the replicas they know, and they learn of a replica from its
# master's INFO (every 10 s). A replica that attached to a master that died before they looked
# would follow the dead address for ever. So every redis server, for as long as it is a
# replica, follows whatever master the sentinels name. Runs beside redis-server (started just
# before the exec); the container's end takes it along.
follow_sentinels() {
  local want have
  exec </dev/null
  while sleep "${FOLLOW_INTERVAL_S:-2}"; do
    want="$(find_master)"
    [ -n "$want" ] && [ "$want" != "$POD_IP" ] || continue
    have="$(timeout 3 redis-cli -h "$POD_IP" -p 6379 INFO replication 2>/dev/null | tr -d '\r')"
    printf '%s\n' "$have" | grep -qx 'role:slave' || continue
    printf '%s\n' "$have" | grep -qx "master_host:$want" && continue
    usable_master "$want" || continue
    echo "The sentinels name $want as the master: following it." >&2
    timeout 3 redis-cli -h "$POD_IP" -p 6379 REPLICAOF "$want" 6379 >/dev/null 2>&1
  done
}

launchmaster() {
  local master
  master="$(find_master)"
  if [ -n "$master" ] && [ "$master" != "$POD_IP" ]; then
    echo "The sentinels say the master is $master: starting as its replica." >&2
    launchslave
  fi
  follow_sentinels &
  exec redis-server --port 6379 --protected-mode no --dir "$DATA_DIR" --appendonly yes \
    --replica-announce-ip "$POD_IP"
}

launchsentinel() {
  # Sentinel rewrites its configuration (known replicas, sentinels, the current master), so the
  # file lives in a writable emptyDir, never in the read-only ConfigMap. A restarted container
  # keeps it, and with it its identity and what it has learnt.
  local conf="$DATA_DIR/sentinel.conf" master
  if [ ! -s "$conf" ]; then
    master="$(wait_for_master)"
    cat > "$conf" <<EOC
port 26379
protected-mode no
sentinel announce-ip $POD_IP
sentinel monitor $MASTER_NAME $master 6379 $QUORUM
sentinel down-after-milliseconds $MASTER_NAME $DOWN_AFTER_MS
sentinel failover-timeout $MASTER_NAME $FAILOVER_TIMEOUT_MS
sentinel parallel-syncs $MASTER_NAME 1
EOC
  fi
  exec redis-sentinel "$conf"
}

launchslave() {
  local master
  # Only a sentinel may fall back to its own pod; a replica always waits for a real master.
  master="$(BOOTSTRAP=false wait_for_master)"
  follow_sentinels &
  exec redis-server --port 6379 --protected-mode no --dir "$DATA_DIR" --appendonly yes \
    --replicaof "$master" 6379 --replica-announce-ip "$POD_IP"
}

if [ "${MASTER:-}" = "true" ]; then
  launchmaster
elif [ "${SENTINEL:-}" = "true" ]; then
  launchsentinel
else
  launchslave
fi
