# shellcheck shell=bash
# Sourced by scripts/cluster: the REAL node. containerd + runc + the CNI bridge + kubelet +
# kube-proxy, running real containers from images built here, everything (control plane too)
# inside one network namespace of ours that has only `lo` and the pods' bridge: no default
# route, no interface to the outside. What kubelet changes on the host (global sysctls, a few
# fixed paths, cgroups, mounts) is recorded before `up` and put back by `down`.

NODE_IP=10.250.0.1         # on the namespace's lo; kubelet refuses 127.x as a node IP
POD_CIDR=10.244.0.0/24     # the CNI bridge's range
SERVICE_CIDR=10.96.0.0/16  # kube-proxy's DNAT range (apiserver --service-cluster-ip-range)
REAL_NODE_NAME=kubetutor-node
BRIDGE=kubetutor0
# Global (not per network namespace) sysctls kubelet sets at start (setupKernelTunables).
KUBELET_SYSCTLS=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes)
# Host paths kubelet, containerd or the CNI plugins create whatever their configuration says.
# `down` removes those that did not exist before `up`.
HOST_PATHS=(/var/lib/kubelet /var/log/containers /var/log/pods /var/lib/cni /run/containerd
  /opt/containerd /var/lib/containerd /etc/cni /opt/cni /usr/libexec/kubernetes /etc/kubernetes
  /var/run/kubernetes /run/netns)
CNI_BIN=/usr/lib/cni
# Debian packages the real node needs: "command-or-path package".
NODE_PACKAGES=("containerd containerd" "runc runc" "$CNI_BIN/bridge containernetworking-plugins"
  "iptables iptables" "conntrack conntrack" "busybox busybox-static" "gcc gcc"
  "nsenter util-linux" "redis-server redis-server" "redis-cli redis-tools")

# Says why a real node cannot run here (nothing when it can).
real_node_blocker() {
  [ "$(id -u)" -eq 0 ] || { echo "not root (kubelet, containerd and network namespaces need root)"; return; }
  [ "$(uname -s)" = Linux ] || { echo "not Linux"; return; }
  command -v apt-get >/dev/null 2>&1 || have_node_packages ||
    { echo "no apt-get to install: $(missing_node_packages)"; return; }
  grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
    { echo "no overlay filesystem"; return; }
  [ -d /sys/fs/cgroup/memory ] || [ -f /sys/fs/cgroup/cgroup.controllers ] || { echo "no memory cgroup"; return; }
  command -v ip >/dev/null 2>&1 || { echo "no ip(8) (iproute2)"; return; }
  local probe="kubetutor-probe-$$" had_dir=false
  [ -e /run/netns ] && had_dir=true
  ip netns add "$probe" 2>/dev/null || { echo "cannot create a network namespace"; return; }
  ip netns del "$probe"
  # `ip netns add` made /run/netns and bind-mounted it on itself: a probe leaves nothing.
  [ "$had_dir" = true ] || remove_run_netns
}

remove_run_netns() { # only when empty: it may hold another tool's namespaces by now
  [ -d /run/netns ] && [ -z "$(ls -A /run/netns)" ] || return 0
  while mountpoint -q /run/netns; do umount /run/netns 2>/dev/null || return 0; done
  rmdir /run/netns 2>/dev/null || true
}

missing_node_packages() {
  local entry what pkg out=""
  for entry in "${NODE_PACKAGES[@]}"; do
    what=${entry% *}; pkg=${entry#* }
    if [[ $what == /* ]]; then [ -e "$what" ] && continue; else command -v "$what" >/dev/null 2>&1 && continue; fi
    out="$out $pkg"
  done
  echo "${out# }"
}
have_node_packages() { [ -z "$(missing_node_packages)" ]; }

install_node_packages() {
  local need
  need=$(missing_node_packages)
  [ -n "$need" ] || return 0
  say "installing Debian packages for the real node: $need"
  local t=$SECONDS
  mkdir -p "$CACHE/logs" # on a fresh machine nothing has been built yet
  # shellcheck disable=SC2086  # a list of package names
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need; } \
    >"$CACHE/logs/apt.log" 2>&1 || { tail -n 20 "$CACHE/logs/apt.log" >&2; die "apt-get install $need failed"; }
  # Where systemd runs, Debian starts the packaged daemons; ours run with their own config.
  for svc in containerd redis-server redis-sentinel; do
    systemctl disable --now "$svc" >/dev/null 2>&1 || service "$svc" stop >/dev/null 2>&1 || true
  done
  say "apt: $((SECONDS - t)) s"
  echo "apt $((SECONDS - t))" >>"$CACHE/logs/timings"
}

# --- images, built from the host's Debian binaries (no registry is reachable) ---------------

IMAGE_TAGS=("registry.k8s.io/pause:3.10" "redis:7")

copy_with_libs() { # copy_with_libs ROOT FILE...: the files and every shared library they load
  local root=$1 f lib; shift
  for f in "$@"; do
    install -D -m 0755 "$(readlink -f "$f")" "$root$f"
    for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*' | sort -u); do
      [ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
    done
  done
}

build_redis_rootfs() {
  local root=$1 a
  copy_with_libs "$root" /usr/bin/redis-server /usr/bin/redis-cli /bin/bash
  ln -s redis-server "$root/usr/bin/redis-sentinel"  # redis picks sentinel mode from argv[0]
  install -D -m 0755 "$(readlink -f "$(command -v busybox)")" "$root/bin/busybox"
  for a in $(busybox --list); do
    [ -e "$root/bin/$a" ] || [ -e "$root/usr/bin/$a" ] || ln -s busybox "$root/bin/$a"
  done
  mkdir -p "$root/etc" "$root/data" "$root/tmp" "$root/proc" "$root/sys" "$root/dev"
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/bin/bash\nredis:x:999:999:redis:/data:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\nredis:x:999:\n' >"$root/etc/group"
}

images_build() {
  local dir="$CACHE/images" key
  # Rebuilt when the host's redis or busybox, or these recipes, change.
  key=$(cat /usr/bin/redis-server /usr/bin/redis-cli "$(command -v busybox)" "$HERE/cluster.d/pause.c" \
    "$HERE/cluster.d/image.py" "$HERE/cluster.d/node.sh" | sha256sum | cut -c1-16)
  [ -f "$dir/$key.done" ] && return 0
  rm -rf "$dir" && mkdir -p "$dir/pause/rootfs" "$dir/redis/rootfs"
  gcc -static -Os -s -o "$dir/pause/rootfs/pause" "$HERE/cluster.d/pause.c" || return 1
  python3 "$HERE/cluster.d/image.py" "$dir/pause/rootfs" "$dir/pause.tar" \
    "registry.k8s.io/pause:3.10" '["/pause"]' || return 1
  build_redis_rootfs "$dir/redis/rootfs" || return 1
  python3 "$HERE/cluster.d/image.py" "$dir/redis/rootfs" "$dir/redis.tar" redis:7 '["redis-server"]' /data ||
    return 1
  rm -rf "$dir/pause/rootfs" "$dir/redis/rootfs"
  touch "$dir/$key.done"
}

ctr_() { ctr --address "$RUN/containerd/containerd.sock" -n k8s.io "$@"; }

images_import() {
  local t
  for t in pause redis; do ctr_ images import "$CACHE/images/$t.tar" >/dev/null || return 1; done
}

# --- host state: what kubelet may change, saved before `up` and compared after `down` -------

host_cgroup_tops() { # the top-level cgroups of every hierarchy
  local h
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [ -d "$h" ] && find "$h" -mindepth 1 -maxdepth 1 -type d -printf "$h%f\n" 2>/dev/null
  done | sort -u
}

save_host_state() {
  local k p
  for k in "${KUBELET_SYSCTLS[@]}"; do echo "$k=$(sysctl -n "$k")"; done >"$RUN/host/sysctls"
  for p in "${HOST_PATHS[@]}"; do [ -e "$p" ] || echo "$p"; done >"$RUN/host/absent-paths"
  host_cgroup_tops >"$RUN/host/cgroups"
}

restore_sysctls() {
  local line
  [ -f "$RUN/host/sysctls" ] || return 0
  while IFS= read -r line; do
    [ "$(sysctl -n "${line%%=*}")" = "${line#*=}" ] || sysctl -q -w "$line" >/dev/null
  done <"$RUN/host/sysctls"
}

# --- the namespace ------------------------------------------------------------------------

netns_up() {
  ip netns add "$NETNS" || die "cannot create network namespace $NETNS"
  inns ip link set lo up
  inns ip addr add "$NODE_IP/32" dev lo
  # With no default route, connect() to a ClusterIP fails before kube-proxy's DNAT can see it:
  # route the service range to lo, from the node IP (pods route through the bridge instead).
  inns ip route add "$SERVICE_CIDR" dev lo src "$NODE_IP"
}

# --- configuration files --------------------------------------------------------------------

write_node_config() {
  local d="$RUN/node" p="$RUN/pki"
  mkdir -p "$d/cni/net.d" "$d/containerd" "$d/kubelet" "$d/pod-logs" "$d/volume-plugins"
  cat >"$d/containerd/config.toml" <<EOF
version = 2
root = "$d/containerd/root"
state = "$d/containerd/state"
[grpc]
  address = "$RUN/containerd/containerd.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$d/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10"
  # Root here may lack CAP_SYS_RESOURCE: runc could not lower oom_score_adj for sandboxes.
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN"
    conf_dir = "$d/cni/net.d"
EOF
  cat >"$d/cni/net.d/10-kubetutor.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "kubetutor",
  "plugins": [
    {
      "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "$POD_CIDR" }]],
                "routes": [{ "dst": "0.0.0.0/0" }], "dataDir": "$d/cni/ipam" }
    }
  ]
}
EOF
  echo "nameserver 127.0.0.1" >"$d/resolv.conf"  # a lookup in a pod never leaves it
  cat >"$d/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
tlsCertFile: $p/kubelet-serving.crt
tlsPrivateKeyFile: $p/kubelet-serving.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $p/ca.crt}
authorization: {mode: Webhook}
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$RUN/containerd/containerd.sock
podLogsDir: $d/pod-logs
volumePluginDir: $d/volume-plugins
resolvConf: $d/resolv.conf
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2%, nodefs.inodesFree: 2%}
serializeImagePulls: false
maxPods: 60
shutdownGracePeriod: 0s
EOF
  cat >"$d/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $RUN/kube-proxy.kubeconfig}
mode: iptables
clusterCIDR: $POD_CIDR
bindAddress: $NODE_IP
hostnameOverride: $REAL_NODE_NAME
healthzBindAddress: 127.0.0.1:$PROXY_HEALTHZ_PORT
metricsBindAddress: 127.0.0.1:$PROXY_METRICS_PORT
# Zero: leave the global conntrack sysctls (nf_conntrack_max, hashsize) alone.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
iptables: {localhostNodePorts: false}
EOF
}

node_pki() { # node_pki: kubelet's serving and client certs, kube-proxy's, the apiserver's kubelet client
  local ext='basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n'
  cd "$RUN/pki" || return 1
  sign kubelet-serving "/CN=$REAL_NODE_NAME" "${ext}extendedKeyUsage=serverAuth\nsubjectAltName=IP:$NODE_IP,DNS:$REAL_NODE_NAME\n"
  sign kubelet "/O=system:nodes/CN=system:node:$REAL_NODE_NAME" "${ext}extendedKeyUsage=clientAuth\n"
  sign kube-proxy "/CN=system:kube-proxy" "${ext}extendedKeyUsage=clientAuth\n"
  sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "${ext}extendedKeyUsage=clientAuth\n"
  chmod 600 ./*.key
}

# --- start ----------------------------------------------------------------------------------

kubelet_healthy() { inns curl -fsS --max-time 2 "http://127.0.0.1:$KUBELET_HEALTHZ_PORT/healthz"; }
proxy_healthy() { inns curl -fsS --max-time 2 "http://127.0.0.1:$PROXY_HEALTHZ_PORT/healthz"; }

start_real_node() {
  local t=$SECONDS
  start_exe containerd "$(command -v containerd)" --config "$RUN/node/containerd/config.toml"
  wait_for "containerd" 60 containerd ctr_ version
  images_import || die "ctr images import failed"
  say "containerd up, images imported: $((SECONDS - t)) s"; t=$SECONDS
  start kubelet --config="$RUN/node/kubelet/config.yaml" --kubeconfig="$RUN/kubelet.kubeconfig" \
    --root-dir="$RUN/node/kubelet" --cert-dir="$RUN/node/kubelet/pki" --node-ip="$NODE_IP" \
    --hostname-override="$REAL_NODE_NAME"
  wait_for "kubelet healthz" 120 kubelet kubelet_healthy
  wait_for "node $NODE_NAME Ready" 120 kubelet node_ready
  # kubelet set its global sysctls once at start (kernel.panic_on_oops=1 among them): give the
  # host its own values back at once rather than only at `down`.
  restore_sysctls
  say "kubelet up, node Ready: $((SECONDS - t)) s"; t=$SECONDS
  start kube-proxy --config="$RUN/node/kube-proxy.yaml"
  wait_for "kube-proxy healthz" 60 kube-proxy proxy_healthy
  say "kube-proxy up: $((SECONDS - t)) s"
}

# --- stop -----------------------------------------------------------------------------------

# Pids of containerd shims serving our containerd (their -address names its socket).
our_shims() {
  local p
  for p in /proc/[0-9]*; do
    [[ $(readlink "$p/exe" 2>/dev/null) == */containerd-shim* ]] || continue
    tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "-address $RUN/containerd/containerd.sock " &&
      echo "${p#/proc/}"
  done
}

# Cgroup directories kubelet made (not there before `up`), deepest first.
new_cgroups() {
  local top
  [ -f "$RUN/host/cgroups" ] || return 0
  host_cgroup_tops | grep -vxF -f "$RUN/host/cgroups" | while read -r top; do
    find "$top" -depth -type d 2>/dev/null
  done
}

kill_cgroup_tasks() {
  local d pid
  for d in $(new_cgroups); do
    while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$d/cgroup.procs" 2>/dev/null
  done
}

our_mounts() { awk -v r="$RUN/" 'index($2, r) == 1 { print $2 }' /proc/self/mounts | sort -r; }

stop_real_node() {
  local i pid d left
  stop_one kube-proxy
  stop_one kubelet
  # Containers die with their cgroups' tasks; the shims then have nothing left to serve.
  kill_cgroup_tasks
  stop_one containerd
  for pid in $(our_shims); do kill -KILL "$pid" 2>/dev/null || true; done
  for i in $(seq 1 40); do
    kill_cgroup_tasks
    [ -z "$(our_shims)" ] && break
    sleep 0.25
  done
  # Mounts under the run dir (rootfs overlays, pod volumes, sandbox netns and shm), deepest
  # first; kubelet bind-mounts its root dir on itself, hence a few rounds.
  for i in 1 2 3 4 5; do
    left=$(our_mounts)
    [ -z "$left" ] && break
    for d in $left; do umount "$d" 2>/dev/null || umount -l "$d" 2>/dev/null || true; done
  done
  for d in $(new_cgroups); do rmdir "$d" 2>/dev/null || true; done
  restore_sysctls
}

netns_down() {
  [ -n "${NETNS:-}" ] && [ -e "/run/netns/$NETNS" ] || return 0
  local pid
  # Anything still running in the namespace was started through it (exec, a test): stop it.
  for pid in $(ip netns pids "$NETNS" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  ip netns del "$NETNS"
}

remove_new_host_paths() {
  local p
  [ -f "$RUN/host/absent-paths" ] || return 0
  while IFS= read -r p; do
    [ -n "$p" ] && [ -e "$p" ] || continue
    if [ "$p" = /run/netns ]; then remove_run_netns; else rm -rf --one-file-system "$p"; fi
  done <"$RUN/host/absent-paths"
}

# What `down` must never leave behind; prints each leftover, returns 1 if there is any.
real_node_leftovers() {
  local bad=0 x
  for x in $(our_shims); do echo "containerd shim still running: pid $x"; bad=1; done
  for x in $(our_mounts); do echo "still mounted: $x"; bad=1; done
  for x in $(new_cgroups); do echo "cgroup left: $x"; bad=1; done
  if [ -n "${NETNS:-}" ] && [ -e "/run/netns/$NETNS" ]; then echo "network namespace left: $NETNS"; bad=1; fi
  return $bad
}
