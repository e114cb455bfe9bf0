# shellcheck shell=bash
# Sourced by scripts/cluster: PKI, process management, waits and the up/down/env/status commands.

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

alive() { # alive NAME: the pid file names a live process running our binary (not a recycled pid)
  local f="$RUN/pids/$1.pid" pid exe
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  [ "${exe% (deleted)}" = "$BIN/$1" ]
}

log_tail() { say "last lines of $RUN/logs/$1.log:"; tail -n 25 "$RUN/logs/$1.log" >&2 || true; }

wait_for() { # wait_for WHAT SECONDS COMPONENT CMD...: polls CMD; fails fast if COMPONENT died
  local what=$1 secs=$2 comp=$3; shift 3
  local deadline=$((SECONDS + secs))
  # A subshell, so a signal trap never runs with this output redirected to /dev/null.
  until ("$@") >/dev/null 2>&1; do
    if [ -n "$comp" ] && ! alive "$comp"; then log_tail "$comp"; die "$comp exited while waiting for $what"; fi
    [ $SECONDS -lt $deadline ] || { [ -n "$comp" ] && log_tail "$comp"; die "timed out after ${secs}s waiting for $what"; }
    sleep 0.5
  done
}

start() { # start NAME ARGS...: a background process whose pid `down` will find
  local name=$1; shift
  # 9>&-: the components must not inherit (and so hold) scripts/cluster's lock.
  nohup "$BIN/$name" "$@" >"$RUN/logs/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$RUN/pids/$name.pid"
}

pki() {
  local d="$RUN/pki" ext
  mkdir -p "$d" && cd "$d" || return 1
  # P-256 keys: generated in milliseconds where RSA takes seconds on a busy 2-core machine.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.crt -days 3650 \
    -subj /CN=kubetutor-local-ca -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign
  sign() { # sign NAME SUBJECT EXTENSIONS
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2"
    printf '%b' "$3" >"$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -out "$1.crt" -extfile "$1.ext"
  }
  ext='basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n'
  # One serving cert for the apiserver and for KWOK's kubelet endpoint (both on 127.0.0.1).
  sign server /CN=kube-apiserver "${ext}extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n"
  sign admin "/O=system:masters/CN=kubetutor-admin" "${ext}extendedKeyUsage=clientAuth\n"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out sa.key
  openssl pkey -in sa.key -pubout -out sa.pub
  chmod 600 ./*.key
}

write_kubeconfig() {
  local d="$RUN/pki"
  b64() { base64 -w0 <"$1"; }
  umask 077
  sed -e "s|@SERVER@|https://127.0.0.1:$API_PORT|" -e "s|@CA@|$(b64 "$d/ca.crt")|" \
    -e "s|@CERT@|$(b64 "$d/admin.crt")|" -e "s|@KEY@|$(b64 "$d/admin.key")|" \
    "$HERE/cluster.d/kubeconfig.tmpl" >"$KUBECONFIG_FILE"
}

readyz() {
  curl -fsS --max-time 3 --cacert "$RUN/pki/ca.crt" --cert "$RUN/pki/admin.crt" \
    --key "$RUN/pki/admin.key" "https://127.0.0.1:$API_PORT/readyz"
}

kc() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
node_ready() { [ "$(kc get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')" = True ]; }

start_etcd() {
  start etcd --name=default --data-dir="$RUN/etcd" \
    --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="default=http://127.0.0.1:$ETCD_PEER_PORT" \
    --unsafe-no-fsync --log-level=warn
  wait_for "etcd health" 60 etcd curl -fsS --max-time 2 "http://127.0.0.1:$ETCD_PORT/health"
}

start_apiserver() {
  local p="$RUN/pki"
  # --advertise-address: machines without a default route cannot derive one and the apiserver exits.
  # Service and pod ranges are bookkeeping only: no kube-proxy or CNI, so nothing is routed there.
  start kube-apiserver --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" \
    --tls-cert-file="$p/server.crt" --tls-private-key-file="$p/server.key" --client-ca-file="$p/ca.crt" \
    --authorization-mode=Node,RBAC --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$p/sa.pub" --service-account-signing-key-file="$p/sa.key" \
    --service-cluster-ip-range=10.96.0.0/16 --allow-privileged=true --endpoint-reconciler-type=none \
    --kubelet-preferred-address-types=InternalIP --profiling=false
  wait_for "kube-apiserver /readyz" 180 kube-apiserver readyz
}

start_controllers() {
  local p="$RUN/pki"
  start kube-controller-manager --kubeconfig="$KUBECONFIG_FILE" --leader-elect=false \
    --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --root-ca-file="$p/ca.crt" \
    --service-account-private-key-file="$p/sa.key" --use-service-account-credentials=false \
    --kube-api-qps=500 --kube-api-burst=1000 --profiling=false
  start kube-scheduler --kubeconfig="$KUBECONFIG_FILE" --leader-elect=false \
    --bind-address=127.0.0.1 --secure-port="$SCHED_PORT" --kube-api-qps=500 --kube-api-burst=1000 \
    --profiling=false
  sed "s|@LOGS@|$RUN/no-containers.log|" "$HERE/cluster.d/kwok.yaml" >"$RUN/kwok.yaml"
  # KWOK reads it as a CRI log file: "<RFC3339Nano time> <stream> F <line>".
  printf '%s stdout F %s\n' "$(date -u +%Y-%m-%dT%H:%M:%S.000000000Z)" \
    'kubetutor local cluster: pods are simulated by KWOK and run no containers, so there is no real output.' \
    >"$RUN/no-containers.log"
  # KWOK's kubelet endpoint (logs) and the fake node's InternalIP are 127.0.0.1 too, so the
  # apiserver's kubelet calls stay on loopback.
  start kwok --kubeconfig="$KUBECONFIG_FILE" --config="$RUN/kwok.yaml" --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake --manage-nodes-with-label-selector= \
    --node-ip=127.0.0.1 --node-port="$KWOK_PORT" --server-address="127.0.0.1:$KWOK_PORT" \
    --tls-cert-file="$p/server.crt" --tls-private-key-file="$p/server.key" \
    --cidr=10.244.0.0/16 --node-lease-duration-seconds=40 --enable-crds=
}

# shellcheck source=/dev/null
load_ports() { [ -f "$RUN/ports.env" ] && . "$RUN/ports.env"; }

all_alive() { local c; for c in "${COMPONENTS[@]}"; do alive "$c" || return 1; done; }

cmd_up() {
  load_ports || true
  if [ -f "$RUN/.kubetutor-cluster" ] && all_alive && readyz >/dev/null 2>&1; then
    say "already up (API https://127.0.0.1:$API_PORT); $(cmd_env | head -n1)"
    return 0
  fi
  [ -d "$RUN" ] && { say "a stale or partial cluster is in $RUN: taking it down first"; cmd_down; }
  local t0=$SECONDS t
  build_all || die "build failed (logs in $CACHE/logs)"
  say "phase build: $((SECONDS - t0)) s"
  t=$SECONDS
  # Whatever happens from here on, a failed or interrupted `up` leaves nothing running.
  trap 'rc=$?; if [ $rc -ne 0 ]; then say "up failed: stopping what was started"; cmd_down; fi' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  mkdir -p "$RUN/pids" "$RUN/logs" && touch "$RUN/.kubetutor-cluster"
  {
    echo "ETCD_PORT=$(free_port)"; echo "ETCD_PEER_PORT=$(free_port)"; echo "API_PORT=$(free_port)"
    echo "KCM_PORT=$(free_port)"; echo "SCHED_PORT=$(free_port)"; echo "KWOK_PORT=$(free_port)"
  } >"$RUN/ports.env"
  load_ports
  (pki >"$RUN/logs/pki.log" 2>&1) || { tail "$RUN/logs/pki.log" >&2; die "openssl failed"; }
  write_kubeconfig
  say "pki + kubeconfig: $((SECONDS - t)) s"; t=$SECONDS
  start_etcd;        say "etcd up on 127.0.0.1:$ETCD_PORT: $((SECONDS - t)) s"; t=$SECONDS
  start_apiserver;   say "kube-apiserver ready on 127.0.0.1:$API_PORT: $((SECONDS - t)) s"; t=$SECONDS
  start_controllers
  wait_for "fake node created" 60 kwok kc apply -f "$HERE/cluster.d/node.yaml"
  wait_for "node $NODE_NAME Ready" 120 kwok node_ready
  wait_for "serviceaccount default" 120 kube-controller-manager kc -n default get serviceaccount default
  all_alive || die "a component exited during start-up (logs in $RUN/logs)"
  trap - EXIT INT TERM
  say "controllers, scheduler, kwok, node Ready, default SA: $((SECONDS - t)) s"
  say "phase start: $((SECONDS - t0)) s total (build included); cluster is up"
  cmd_env
}

exited() { # the process is gone, or a zombie (it has released its ports and files)
  [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

stop_one() { # SIGTERM, then SIGKILL after 10 s; only if the pid still runs our binary
  local name=$1 pid i
  alive "$name" || { rm -f "$RUN/pids/$name.pid"; return 0; }
  pid=$(cat "$RUN/pids/$name.pid")
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 40); do exited "$pid" && break; sleep 0.25; done
  if ! exited "$pid"; then
    say "$name ($pid) still shutting down after 10 s (open connections): killing it"
    kill -KILL "$pid" 2>/dev/null || true
    for i in $(seq 1 20); do exited "$pid" && break; sleep 0.25; done
  fi
  rm -f "$RUN/pids/$name.pid"
}

cmd_down() {
  if [ ! -d "$RUN" ]; then say "not running (no $RUN)"; return 0; fi
  [ -f "$RUN/.kubetutor-cluster" ] || die "$RUN exists but was not made by scripts/cluster: not touching it"
  local i
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do stop_one "${COMPONENTS[i]}"; done
  rm -rf "$RUN"
  say "down: stopped and removed $RUN"
}

cmd_env() {
  echo "export KUBECONFIG=$KUBECONFIG_FILE"
  echo "export PATH=$BIN:\$PATH"
}

cmd_status() {
  load_ports || { echo "cluster: not running"; return 3; }
  local c rc=0
  for c in "${COMPONENTS[@]}"; do
    if alive "$c"; then echo "$c: running (pid $(cat "$RUN/pids/$c.pid"))"; else echo "$c: not running"; rc=3; fi
  done
  if readyz >/dev/null 2>&1; then echo "api: ready at https://127.0.0.1:$API_PORT"; else echo "api: not answering"; rc=3; fi
  [ $rc -ne 0 ] || kc get nodes --no-headers 2>/dev/null | sed 's/^/node: /'
  echo "kubeconfig: $KUBECONFIG_FILE"
  return $rc
}
