# shellcheck shell=bash
# Sourced by scripts/cluster: PKI, process management, waits and the up/down/env/status commands.

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

alive() { # alive NAME: the pid file names a live process running the binary `up` started
  local f="$RUN/pids/$1.pid" pid exe
  [ -f "$f" ] && [ -f "$RUN/pids/$1.exe" ] || return 1
  pid=$(cat "$f")
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  [ "${exe% (deleted)}" = "$(cat "$RUN/pids/$1.exe")" ]
}

# inns CMD...: runs CMD inside the real node's network namespace (as is with the KWOK node).
# nsenter --net, not `ip netns exec`: that also unshares the mount namespace, and containerd and
# runc must see the volume mounts kubelet makes.
inns() {
  if [ "${NODE_KIND:-kwok}" = real ]; then nsenter --net="/run/netns/$NETNS" -- "$@"; else "$@"; fi
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

start_exe() { # start_exe NAME EXE ARGS...: a background process whose pid and binary `down` finds
  local name=$1 exe=$2 pid i; shift 2
  # 9>&-: the components must not inherit (and so hold) scripts/cluster's lock.
  nohup "${INNS[@]}" "$exe" "$@" >"$RUN/logs/$name.log" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" >"$RUN/pids/$name.pid"
  echo "$exe" >"$RUN/pids/$name.exe"
  # nsenter execs the binary in place: wait for that, so `alive` never sees nsenter itself.
  for i in $(seq 1 100); do
    [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$exe" ] && break
    [ -e "/proc/$pid" ] || break
    sleep 0.02
  done
}

start() { local name=$1; shift; start_exe "$name" "$BIN/$name" "$@"; }

sign() { # sign NAME SUBJECT EXTENSIONS: a key and a certificate signed by the cluster CA
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2"
  printf '%b' "$3" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
    -out "$1.crt" -extfile "$1.ext"
}

pki() {
  local d="$RUN/pki" ext
  mkdir -p "$d" && cd "$d" || return 1
  # P-256 keys: generated in milliseconds where RSA takes seconds on a busy 2-core machine.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.crt -days 3650 \
    -subj /CN=kubetutor-local-ca -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign
  ext='basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n'
  # One serving cert for the apiserver and for KWOK's kubelet endpoint (both on 127.0.0.1).
  sign server /CN=kube-apiserver "${ext}extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n"
  sign admin "/O=system:masters/CN=kubetutor-admin" "${ext}extendedKeyUsage=clientAuth\n"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out sa.key
  openssl pkey -in sa.key -pubout -out sa.pub
  chmod 600 ./*.key
}

write_kubeconfig() { # write_kubeconfig [CERT-NAME FILE]: admin's by default
  local d="$RUN/pki" who=${1:-admin} file=${2:-$KUBECONFIG_FILE}
  b64() { base64 -w0 <"$1"; }
  (umask 077
  sed -e "s|@SERVER@|https://127.0.0.1:$API_PORT|" -e "s|@CA@|$(b64 "$d/ca.crt")|" \
    -e "s|@CERT@|$(b64 "$d/$who.crt")|" -e "s|@KEY@|$(b64 "$d/$who.key")|" \
    "$HERE/cluster.d/kubeconfig.tmpl" >"$file")
}

readyz() {
  inns curl -fsS --max-time 3 --cacert "$RUN/pki/ca.crt" --cert "$RUN/pki/admin.crt" \
    --key "$RUN/pki/admin.key" "https://127.0.0.1:$API_PORT/readyz"
}

kc() { inns "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
node_ready() { [ "$(kc get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')" = True ]; }

start_etcd() {
  start etcd --name=default --data-dir="$RUN/etcd" \
    --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="default=http://127.0.0.1:$ETCD_PEER_PORT" \
    --unsafe-no-fsync --log-level=warn
  wait_for "etcd health" 60 etcd inns curl -fsS --max-time 2 "http://127.0.0.1:$ETCD_PORT/health"
}

start_apiserver() {
  local p="$RUN/pki" kubelet_auth=()
  # The real kubelet lets in only clients with a cert from our CA (and the API's authorization):
  # the apiserver presents its own, and checks the kubelet's serving cert.
  [ "$NODE_KIND" = real ] && kubelet_auth=(--kubelet-client-certificate="$p/apiserver-kubelet-client.crt"
    --kubelet-client-key="$p/apiserver-kubelet-client.key" --kubelet-certificate-authority="$p/ca.crt")
  # --advertise-address: machines without a default route cannot derive one and the apiserver exits.
  # With the KWOK node, service and pod ranges are bookkeeping only (no kube-proxy, no CNI).
  start kube-apiserver --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" \
    --tls-cert-file="$p/server.crt" --tls-private-key-file="$p/server.key" --client-ca-file="$p/ca.crt" \
    --authorization-mode=Node,RBAC --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$p/sa.pub" --service-account-signing-key-file="$p/sa.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" --allow-privileged=true --endpoint-reconciler-type=none \
    --kubelet-preferred-address-types=InternalIP --profiling=false "${kubelet_auth[@]}"
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
}

start_kwok() {
  local p="$RUN/pki"
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

# What `up` started is recorded in the run dir (node kind, namespace, binaries, pids), so
# `down`, `status` and `exec` never depend on the caller's HOME or environment.
# shellcheck source=/dev/null
load_run() {
  [ -f "$RUN/cluster.env" ] || return 1
  . "$RUN/cluster.env"
  [ -f "$RUN/ports.env" ] && . "$RUN/ports.env"
  set_kind "$NODE_KIND"
}
load_ports() { load_run; }

set_kind() { # set_kind real|kwok: the components and the node of that kind
  NODE_KIND=$1
  if [ "$NODE_KIND" = real ]; then
    COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy)
    NODE_NAME=$REAL_NODE_NAME
    NETNS=${NETNS:-kubetutor-$(printf '%s' "$RUN" | sha256sum | cut -c1-10)}
    INNS=(nsenter "--net=/run/netns/$NETNS" --)
  else
    COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
    NODE_NAME=kwok-node-0
    INNS=()
  fi
}

all_alive() { local c; for c in "${COMPONENTS[@]}"; do alive "$c" || return 1; done; }

choose_kind() { # choose_kind REQUESTED: prints real or kwok; a real node where it can run
  local want=$1 why
  case "$want" in
    kwok) echo kwok; return ;;
    real | auto | "") ;;
    *) die "--node takes real or kwok, not '$want'" ;;
  esac
  why=$(real_node_blocker)
  if [ -z "$why" ]; then echo real; return; fi
  [ "$want" = real ] && die "a real node cannot run here: $why"
  if [ "${CI:-}" = true ]; then
    die "a real node cannot run here: $why; CI must run it for real (use --node kwok to choose the fake node)"
  fi
  say "WARNING: a real node cannot run here ($why): falling back to the KWOK fake node; pods run NO containers"
  echo kwok
}

# The node kind asked for with `--node real|kwok` (default: auto, a real node where it can run).
parse_node_arg() { # parse_node_arg COMMAND ARGS...: sets WANT
  local what=$1; shift
  WANT=${KUBETUTOR_CLUSTER_NODE:-auto}
  while [ $# -gt 0 ]; do
    case "$1" in
      --node) WANT=${2:-}; shift 2 || die "--node needs real or kwok" ;;
      --node=*) WANT=${1#--node=}; shift ;;
      *) die "$what: unknown argument $1 (usage: $what [--node real|kwok])" ;;
    esac
  done
}

# Everything `up` needs before it starts anything: packages, binaries, images. Each phase is
# timed; none changes the host beyond installing packages and filling the cache.
prepare_kind() { # prepare_kind real|kwok
  local kind=$1 t
  NETNS=""
  set_kind "$kind"
  if [ "$kind" = real ]; then install_node_packages; fi
  t=$SECONDS
  build_all || die "build failed (logs in $CACHE/logs)"
  say "phase build: $((SECONDS - t)) s"
  if [ "$kind" = real ]; then
    t=$SECONDS
    (phase images images_build) || die "image build failed (log: $CACHE/logs/images.log)"
    say "phase images: $((SECONDS - t)) s"
  fi
}

cmd_prepare() {
  local kind
  parse_node_arg prepare "$@"
  kind=$(choose_kind "$WANT") || exit 1
  prepare_kind "$kind"
  say "prepared a $kind node; scripts/cluster up starts it"
  echo "$kind"
}

cmd_up() {
  parse_node_arg up "$@"
  local want=$WANT
  if load_run 2>/dev/null && [ -f "$RUN/.kubetutor-cluster" ] && all_alive && readyz >/dev/null 2>&1; then
    if [ "$want" = auto ] || [ "$want" = "$NODE_KIND" ]; then
      say "already up with a $NODE_KIND node (API https://127.0.0.1:$API_PORT); $(cmd_env | head -n1)"
      return 0
    fi
    say "up with a $NODE_KIND node, $want asked for: taking it down first"
  fi
  [ -d "$RUN" ] && { say "a stale, partial or other cluster is in $RUN: taking it down first"; cmd_down; }
  local t0=$SECONDS t kind
  kind=$(choose_kind "$want") || exit 1
  prepare_kind "$kind"
  t=$SECONDS
  # Whatever happens from here on, a failed or interrupted `up` leaves nothing running.
  trap 'rc=$?; if [ $rc -ne 0 ]; then say "up failed: stopping what was started"; cmd_down; fi' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  mkdir -p "$RUN/pids" "$RUN/logs" "$RUN/host" && touch "$RUN/.kubetutor-cluster"
  printf 'NODE_KIND=%s\nNETNS=%s\nBIN=%s\nKUBECONFIG_FILE=%s\n' "$NODE_KIND" "$NETNS" "$BIN" \
    "$KUBECONFIG_FILE" >"$RUN/cluster.env"
  if [ "$kind" = real ]; then
    save_host_state
    netns_up
  fi
  {
    # Inside our own namespace the ports are free; on the host's loopback they are picked free.
    echo "ETCD_PORT=$(inns_free_port)"; echo "ETCD_PEER_PORT=$(inns_free_port)"; echo "API_PORT=$(inns_free_port)"
    echo "KCM_PORT=$(inns_free_port)"; echo "SCHED_PORT=$(inns_free_port)"; echo "KWOK_PORT=$(inns_free_port)"
    echo "KUBELET_PORT=10250"; echo "KUBELET_HEALTHZ_PORT=10248"
    echo "PROXY_HEALTHZ_PORT=10256"; echo "PROXY_METRICS_PORT=10249"
  } >"$RUN/ports.env"
  load_run
  (pki && if [ "$kind" = real ]; then node_pki; fi) >"$RUN/logs/pki.log" 2>&1 ||
    { tail "$RUN/logs/pki.log" >&2; die "openssl failed"; }
  write_kubeconfig
  say "pki + kubeconfig: $((SECONDS - t)) s"; t=$SECONDS
  start_etcd;        say "etcd up on 127.0.0.1:$ETCD_PORT: $((SECONDS - t)) s"; t=$SECONDS
  start_apiserver;   say "kube-apiserver ready on 127.0.0.1:$API_PORT: $((SECONDS - t)) s"; t=$SECONDS
  start_controllers
  if [ "$kind" = real ]; then
    write_kubeconfig kubelet "$RUN/kubelet.kubeconfig"
    write_kubeconfig kube-proxy "$RUN/kube-proxy.kubeconfig"
    write_node_config
    start_real_node
  else
    start_kwok
    wait_for "fake node created" 60 kwok kc apply -f "$HERE/cluster.d/node.yaml"
    wait_for "node $NODE_NAME Ready" 120 kwok node_ready
  fi
  wait_for "serviceaccount default" 120 kube-controller-manager kc -n default get serviceaccount default
  all_alive || die "a component exited during start-up (logs in $RUN/logs)"
  trap - EXIT INT TERM
  say "node ($NODE_KIND) and default SA: $((SECONDS - t)) s"
  say "phase start: $((SECONDS - t0)) s total (build included); cluster is up with a $NODE_KIND node"
  [ "$kind" = real ] && say "the API and the pods are reachable only inside network namespace $NETNS: use scripts/cluster exec CMD..."
  cmd_env
}

inns_free_port() {
  if [ "$NODE_KIND" = real ]; then
    # Nothing else lives in the fresh namespace: ask it for a free port all the same.
    inns python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
  else
    free_port
  fi
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
  exited "$pid" && rm -f "$RUN/pids/$name.pid"
}

cmd_down() {
  if [ ! -d "$RUN" ]; then say "not running (no $RUN)"; return 0; fi
  [ -f "$RUN/.kubetutor-cluster" ] || die "$RUN exists but was not made by scripts/cluster: not touching it"
  load_run || set_kind kwok  # a run dir from before cluster.env: the KWOK layout
  local i t=$SECONDS left=""
  if [ "$NODE_KIND" = real ]; then stop_real_node; fi
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do stop_one "${COMPONENTS[i]}"; done
  for i in "${COMPONENTS[@]}"; do
    [ -f "$RUN/pids/$i.pid" ] && left="$left $i (pid $(cat "$RUN/pids/$i.pid"))"
  done
  [ -z "$left" ] || die "down: still running:$left; $RUN kept so that a second down can find them"
  if [ "$NODE_KIND" = real ]; then
    netns_down
    remove_new_host_paths
    if ! real_node_leftovers >&2; then die "down: the real node left the above behind; $RUN kept"; fi
  fi
  rm -rf --one-file-system "$RUN"
  say "down: stopped and removed $RUN ($NODE_KIND node, $((SECONDS - t)) s)"
}

cmd_env() {
  load_run 2>/dev/null || true
  echo "export KUBECONFIG=$KUBECONFIG_FILE"
  echo "export PATH=$BIN:\$PATH"
  [ "${NODE_KIND:-kwok}" = real ] &&
    echo "# the API listens inside network namespace $NETNS only: run clients with scripts/cluster exec"
  return 0
}

cmd_exec() { # exec CMD...: CMD with KUBECONFIG and the built kubectl, inside the node's namespace
  [ $# -gt 0 ] || die "usage: scripts/cluster exec CMD [ARGS...]"
  load_run || die "not running (no $RUN/cluster.env): scripts/cluster up first"
  export KUBECONFIG="$KUBECONFIG_FILE" PATH="$BIN:$PATH" KUBETUTOR_CLUSTER_NODE_KIND="$NODE_KIND"
  if [ "$NODE_KIND" = real ]; then exec nsenter --net="/run/netns/$NETNS" -- "$@"; fi
  exec "$@"
}

cmd_status() {
  load_run || { echo "cluster: not running"; return 3; }
  local c rc=0
  if [ "$NODE_KIND" = real ]; then
    echo "node: real (containerd $(containerd --version 2>/dev/null | awk '{print $3}'), runc, kubelet, kube-proxy) in network namespace $NETNS"
  else
    echo "node: kwok (fake: pods run no containers)"
  fi
  for c in "${COMPONENTS[@]}"; do
    if alive "$c"; then echo "$c: running (pid $(cat "$RUN/pids/$c.pid"))"; else echo "$c: not running"; rc=3; fi
  done
  if readyz >/dev/null 2>&1; then echo "api: ready at https://127.0.0.1:$API_PORT"; else echo "api: not answering"; rc=3; fi
  [ $rc -ne 0 ] || kc get nodes --no-headers 2>/dev/null | sed 's/^/node: /'
  echo "kubeconfig: $KUBECONFIG_FILE"
  return $rc
}

# host-state: what a real node could change on the host, normalised so that two snapshots
# (before `up`, after `down`) are equal when nothing was left behind.
cmd_host_state() {
  echo "## ip link"; ip -o link show | sed 's/^[0-9]*: //'
  echo "## ip route"; ip route show table all
  echo "## iptables-save"
  if command -v iptables-save >/dev/null 2>&1; then
    # Counters and comments change by themselves; an empty ruleset is no error.
    { iptables-save 2>/dev/null | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]//'; } || true
  fi
  echo "## sysctls"; local k; for k in "${KUBELET_SYSCTLS[@]}"; do echo "$k=$(sysctl -n "$k")"; done
  echo "## mounts"; awk '{print $2, $3}' /proc/self/mounts | sort
  echo "## netns"; ip netns list 2>/dev/null | sort
  echo "## cgroups"; host_cgroup_tops
  echo "## paths"; for k in "${HOST_PATHS[@]}"; do [ -e "$k" ] && echo "$k"; done
  return 0
}
