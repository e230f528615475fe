#!/usr/bin/env bash
# A real single-node Kubernetes cluster on this machine, K3s-like, built only from Debian packages and the
# project's toolchain cache (scripts/toolchain/build.sh): etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kubelet + kube-proxy over containerd/runc with a CNI bridge, and what K3s adds for a Raspberry Pi
# user: CoreDNS, a default local-path StorageClass, NetworkPolicy enforcement (kube-router) and LoadBalancer
# addresses (a small ServiceLB: the node's address). Plus a registry with htpasswd auth that the node pulls from.
#
#   scripts/cluster/node.sh start [--owner PID|--keep]
#                                      cleans up a stale cluster, then starts one (prints the env lines below). The
#                                      owner (a test run's pid; --keep: a cluster meant to stay, npm run deploy:local)
#                                      marks it in use: another start refuses while that pid lives (or when kept),
#                                      and takes it over as stale once the pid is gone
#   scripts/cluster/node.sh stop [--owner PID]
#                                      stops everything; restores the machine-wide sysctls the kubelet changed
#                                      (with --owner: only a cluster that PID started)
#   scripts/cluster/node.sh status     exit 0 when the node is Ready (prints what runs), 1 otherwise
#   scripts/cluster/node.sh env        KUBECONFIG=…, BOOKS_CLUSTER_REGISTRY=…, … of the running cluster
#
# The node lives in its own network namespace with no default route: nothing in it can reach off the machine. The
# host reaches it (API server, LoadBalancer addresses) through a veth pair. Why each flag: docs/real-cluster.md.
set -Eeuo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

dir="${BOOKS_CLUSTER_DIR:-/var/lib/books-cluster}"
# One table of the node's network. The /30 joins the host and the node; pods and Services use their own ranges.
NETNS=books-node
NODE_NAME=books-node
HOST_VETH=books-host
NODE_VETH=books-node
HOST_IP=10.213.0.1
NODE_IP=10.213.0.2
POD_CIDR=10.214.0.0/16
NODE_POD_CIDR=10.214.0.0/24 # the first /24 of POD_CIDR: what kube-controller-manager gives the only node
SERVICE_CIDR=10.215.0.0/16
KUBERNETES_SERVICE_IP=10.215.0.1
DNS_SERVICE_IP=10.215.0.10
# The machine-wide sysctls the kubelet sets (protectKernelDefaults: false); saved at start, restored at stop.
KUBELET_SYSCTLS=(vm.overcommit_memory kernel.panic kernel.panic_on_oops)
# The node's own images: no registry is reachable, so each is made from a toolchain binary. A name that no public
# registry serves, and imagePullPolicy Never, so a missing one fails instead of being pulled from anywhere.
IMAGE_PREFIX=books-cluster.local
CGROUP_ROOT=books-node
# The daemons' own cpuacct cgroup (cgroup v1; accounting only, no limit): with the pods' beside it under the kubelet's
# root, what the whole cluster costs in CPU is one counter, which `npm run bench` reads (bench/lib/machine.ts).
DAEMONS_CPUACCT=/sys/fs/cgroup/cpuacct/$CGROUP_ROOT/daemons

run_dir="$dir/run"
log_dir="$dir/logs"
pki="$dir/pki"
kubeconfig="$dir/kubeconfig"

say() { printf 'cluster: %s\n' "$*" >&2; }
fail() {
  printf 'cluster: ERROR: %s\n' "$*" >&2
  exit 1
}

# in_node COMMAND... : runs in the node's network namespace. nsenter, not `ip netns exec`, which remounts /sys and
# hides the cgroup mounts the kubelet needs.
in_node() { nsenter --net="/run/netns/$NETNS" "$@"; }

toolchain_env() {
  # shellcheck source=../toolchain/versions.env
  source "$repo/scripts/toolchain/versions.env"
  local line
  while IFS= read -r line; do export "${line?}"; done < <(bash "$repo/scripts/toolchain/build.sh" --print-env)
  local need
  for need in "$ETCD_BIN/etcd" "$KUBERNETES_BIN/kube-apiserver" "$KUBERNETES_BIN/kubectl" \
    "$KUBERNETES_NODE_BIN/kubelet" "$KUBERNETES_NODE_BIN/kube-proxy" "$COREDNS_BIN/coredns" \
    "$KUBE_ROUTER_BIN/kube-router" "$LOCAL_PATH_BIN/local-path-provisioner" "$PAUSE_BIN/pause"; do
    [[ -x $need ]] || fail "$need is missing: run scripts/toolchain/build.sh cluster (and e2e's etcd, kubernetes)"
  done
}

# The commands this script runs, from the one table of the project's external commands (install-prereqs.sh
# installs their packages).
require_commands() {
  local command package users missing=()
  while IFS=$'\t' read -r command package users _; do
    [[ -z $command || $command == '#'* || $command == - || ,$users, != *,cluster,* ]] && continue
    command -v "$command" >/dev/null || missing+=("$command (Debian package $package)")
  done <"$repo/scripts/prereqs/commands.tsv"
  [[ -x /usr/lib/cni/bridge ]] || missing+=('/usr/lib/cni/bridge (Debian package containernetworking-plugins)')
  ((${#missing[@]} == 0)) || fail "missing ${missing[*]}: run scripts/install-prereqs.sh"
  [[ $(id -u) == 0 ]] || fail 'the cluster needs root (network namespace, mounts, cgroups)'
}

kubectl() { "$KUBERNETES_BIN/kubectl" --kubeconfig "$kubeconfig" "$@"; }

# --- processes -------------------------------------------------------------------------------------------------

# daemon NAME [--node] COMMAND... : starts a detached process with its log and pid file, in the daemons' cpuacct
# cgroup when there is one (the subshell joins it, then becomes the daemon: same pid, nothing forked outside it).
daemon() {
  local name=$1 prefix=()
  shift
  if [[ $1 == --node ]]; then
    prefix=(nsenter --net="/run/netns/$NETNS")
    shift
  fi
  (
    if [[ -d $DAEMONS_CPUACCT ]] && ! echo "$BASHPID" >"$DAEMONS_CPUACCT/cgroup.procs"; then
      echo "cluster: $name runs outside $DAEMONS_CPUACCT (its CPU time is not counted with the cluster's)" >&2
    fi
    exec setsid "${prefix[@]}" "$@"
  ) </dev/null >>"$log_dir/$name.log" 2>&1 &
  echo $! >"$run_dir/$name.pid"
}

# wait_until SECONDS WHAT COMMAND... : polls COMMAND until it succeeds.
wait_until() {
  local seconds=$1 what=$2 deadline=$((SECONDS + $1))
  shift 2
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "$what not ready after ${seconds}s (logs: $log_dir)"
    sleep 0.5
  done
}

# --- certificates and kubeconfigs --------------------------------------------------------------------------------

# cert NAME SUBJECT [SANS] : a key and a certificate signed by the cluster CA.
cert() {
  local name=$1 subject=$2 sans=${3:-}
  openssl genrsa -out "$pki/$name.key" 2048 2>/dev/null
  openssl req -new -key "$pki/$name.key" -subj "$subject" -out "$pki/$name.csr" 2>/dev/null
  local ext="$pki/$name.ext"
  {
    echo 'basicConstraints=CA:FALSE'
    echo 'keyUsage=critical,digitalSignature,keyEncipherment'
    echo 'extendedKeyUsage=serverAuth,clientAuth'
    [[ -z $sans ]] || echo "subjectAltName=$sans"
  } >"$ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 30 \
    -extfile "$ext" -out "$pki/$name.crt" 2>/dev/null
}

# kubeconfig_for NAME SERVER : a kubeconfig with NAME's client certificate.
kubeconfig_for() {
  local name=$1 server=$2
  cat >"$pki/$name.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: books-cluster
    cluster:
      server: $server
      certificate-authority-data: $(base64 -w0 <"$pki/ca.crt")
users:
  - name: $name
    user:
      client-certificate-data: $(base64 -w0 <"$pki/$name.crt")
      client-key-data: $(base64 -w0 <"$pki/$name.key")
contexts:
  - name: books-cluster
    context: {cluster: books-cluster, user: $name}
current-context: books-cluster
EOF
}

make_pki() {
  mkdir -p "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.crt" -days 30 \
    -subj '/CN=books-cluster-ca' 2>/dev/null
  cert apiserver '/CN=kube-apiserver' \
    "IP:$NODE_IP,IP:127.0.0.1,IP:$KUBERNETES_SERVICE_IP,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  # One system:masters identity for the admin, the control plane's clients and the node's add-ons: a test cluster
  # on one machine; the kubelet alone gets its Node-authorizer identity, as the NodeRestriction admission expects.
  cert admin '/O=system:masters/CN=books-cluster-admin'
  cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME"
  cert kubelet-serving "/CN=$NODE_NAME" "IP:$NODE_IP,DNS:$NODE_NAME"
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
  kubeconfig_for admin "https://$NODE_IP:6443"
  kubeconfig_for kubelet "https://$NODE_IP:6443"
  cp "$pki/admin.kubeconfig" "$kubeconfig"
}

# --- network -------------------------------------------------------------------------------------------------

make_network() {
  ip netns add "$NETNS"
  ip link add "$HOST_VETH" type veth peer name "$NODE_VETH" netns "$NETNS"
  ip addr add "$HOST_IP/30" dev "$HOST_VETH"
  ip link set "$HOST_VETH" up
  in_node ip link set lo up
  in_node ip addr add "$NODE_IP/30" dev "$NODE_VETH"
  in_node ip link set "$NODE_VETH" up
  # Per-namespace settings the node's routing and kube-proxy need (the host's own values are untouched).
  in_node sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1
}

# The registry runs on the host's 127.0.0.1 (where `docker push` reaches it); two socats join the node's own
# 127.0.0.1:<port> to it through a unix socket, so one image name serves the push and the kubelet's pull.
start_registry() {
  local port
  port=$(free_port)
  mkdir -p "$dir/registry/data"
  local user=books password
  password=$(openssl rand -hex 16)
  htpasswd -Bbn "$user" "$password" >"$dir/registry/htpasswd"
  printf '%s' "$password" >"$dir/registry/password"
  chmod 600 "$dir/registry/password"
  cat >"$dir/registry/config.yml" <<EOF
version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: $dir/registry/data}, delete: {enabled: true}}
http: {addr: "127.0.0.1:$port", secret: books-cluster-only}
auth: {htpasswd: {realm: books-cluster, path: $dir/registry/htpasswd}}
EOF
  echo "127.0.0.1:$port" >"$dir/registry/server"
  echo "$user" >"$dir/registry/username"
  daemon registry docker-registry serve "$dir/registry/config.yml"
  daemon registry-host-bridge socat "UNIX-LISTEN:$run_dir/registry.sock,fork,unlink-early" "TCP:127.0.0.1:$port"
  daemon registry-node-bridge --node socat "TCP-LISTEN:$port,bind=127.0.0.1,fork,reuseaddr" \
    "UNIX-CONNECT:$run_dir/registry.sock"
  wait_until 20 registry registry_answers "127.0.0.1:$port"
}

registry_answers() { [[ $(curl -s -o /dev/null -w '%{http_code}' "http://$1/v2/") == 401 ]]; }

free_port() {
  local port
  for port in $(shuf -i 20000-29999 -n 50); do
    [[ -z $(ss -Hltn "sport = :$port") ]] && { echo "$port"; return 0; }
  done
  fail 'no free port for the registry'
}

# --- node images -----------------------------------------------------------------------------------------------

# image_from ROOTFS NAME ENTRYPOINT_JSON USER : a single-layer image, in `docker save` form, into containerd.
image_from() {
  local rootfs=$1 name=$2 entrypoint=$3 user=$4 work diff config digest
  work=$(mktemp -d "$dir/images/.work-XXXXXX")
  tar -C "$rootfs" --owner=0 --group=0 --numeric-owner -cf "$work/layer.tar" .
  diff=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  config=$(printf '{"architecture":"amd64","os":"linux","config":{"User":"%s","Env":["PATH=/usr/local/bin:/usr/bin:/bin"],"Entrypoint":%s},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$user" "$entrypoint" "$diff")
  digest=$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)
  printf '%s' "$config" >"$work/$digest.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["layer.tar"]}]' "$digest" "$name" >"$work/manifest.json"
  tar -C "$work" -cf "$work/image.tar" manifest.json "$digest.json" layer.tar
  ctr --address "$run_dir/containerd.sock" -n k8s.io images import "$work/image.tar" >/dev/null
  rm -rf "$work"
}

# rootfs_with BINARY... : a directory holding the binaries under /usr/local/bin.
rootfs_with() {
  local root
  root=$(mktemp -d "$dir/images/.rootfs-XXXXXX")
  mkdir -p "$root/usr/local/bin" "$root/tmp" "$root/etc"
  cp "$@" "$root/usr/local/bin/"
  chmod 1777 "$root/tmp"
  echo 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' >"$root/etc/passwd"
  echo "$root"
}

load_images() {
  mkdir -p "$dir/images"
  local root
  root=$(rootfs_with "$PAUSE_BIN/pause")
  image_from "$root" "$IMAGE_PREFIX/pause:v1" '["/usr/local/bin/pause"]' 65534
  root=$(rootfs_with "$COREDNS_BIN/coredns")
  image_from "$root" "$IMAGE_PREFIX/coredns:$COREDNS_VERSION" '["/usr/local/bin/coredns"]' 65534
  root=$(rootfs_with "$LOCAL_PATH_BIN/local-path-provisioner")
  image_from "$root" "$IMAGE_PREFIX/local-path-provisioner:$LOCAL_PATH_VERSION" \
    '["/usr/local/bin/local-path-provisioner"]' 0
  # local-path's helper pod (mkdir/rm of volume directories) runs `sh` from a busybox image.
  root=$(mktemp -d "$dir/images/.rootfs-XXXXXX")
  mkdir -p "$root/bin"
  cp "$(command -v busybox)" "$root/bin/busybox"
  local applet
  for applet in sh mkdir rm chmod ls cat; do ln -s busybox "$root/bin/$applet"; done
  image_from "$root" "$IMAGE_PREFIX/busybox:v1" '["/bin/sh"]' 0
  # The same tools as a non-root image, for probes that must pass the restricted Pod Security Standard.
  for applet in nc nslookup wget; do ln -s busybox "$root/bin/$applet"; done
  image_from "$root" "$IMAGE_PREFIX/probe:v1" '["/bin/sh"]' 65534
  rm -rf "$dir"/images/.rootfs-*
}

# --- configuration files ---------------------------------------------------------------------------------------

write_configs() {
  mkdir -p "$dir/cni/net.d" "$dir/containerd" "$dir/kubelet" "$dir/local-path"
  cat >"$dir/containerd/config.toml" <<EOF
version = 2
root = "$dir/containerd/root"
state = "$run_dir/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "$run_dir/containerd.sock"
[ttrpc]
  address = "$run_dir/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$IMAGE_PREFIX/pause:v1"
  # No CAP_SYS_RESOURCE here: a negative oom_score_adj (the kubelet gives critical pods one) would fail.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$dir/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
EOF
  # Pods route everything to the node (Service addresses included, which kube-proxy translates there); the node
  # itself has no route off the machine.
  cat >"$dir/cni/net.d/10-books.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "books-node",
  "plugins": [
    {
      "type": "bridge", "bridge": "books0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "ranges": [[{"subnet": "$NODE_POD_CIDR"}]], "dataDir": "$dir/cni/ipam",
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
  : >"$dir/kubelet/resolv.conf"
  cat >"$dir/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# This machine runs cgroup v1 (hybrid) with no systemd; kubelet 1.36 refuses v1 unless told otherwise.
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupRoot: /$CGROUP_ROOT
containerRuntimeEndpoint: unix://$run_dir/containerd.sock
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $pki/kubelet-serving.crt
tlsPrivateKeyFile: $pki/kubelet-serving.key
readOnlyPort: 0
address: $NODE_IP
clusterDomain: cluster.local
clusterDNS: [$DNS_SERVICE_IP]
resolvConf: $dir/kubelet/resolv.conf
podLogsDir: $dir/kubelet/pod-logs
# Sets vm.overcommit_memory and kernel.panic* machine-wide (they are not namespaced); stop restores them.
protectKernelDefaults: false
failSwapOn: false
serializeImagePulls: false
# A shared machine's disk and memory are not this node's to police: evict only when nearly nothing is left.
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
EOF
  cat >"$dir/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $pki/admin.kubeconfig}
hostnameOverride: $NODE_NAME
mode: iptables
clusterCIDR: $POD_CIDR
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# 0 leaves the machine-wide conntrack table size and timeouts alone.
conntrack: {maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
}

# --- cgroups and sysctls ---------------------------------------------------------------------------------------

cgroup_dirs() {
  local hierarchy
  for hierarchy in /sys/fs/cgroup/*/; do
    [[ -d $hierarchy$CGROUP_ROOT ]] && echo "$hierarchy$CGROUP_ROOT"
  done
  return 0
}

make_cgroups() {
  local hierarchy
  for hierarchy in /sys/fs/cgroup/*/; do
    [[ $hierarchy == */unified/ ]] && continue
    mkdir -p "$hierarchy$CGROUP_ROOT"
  done
  [[ ! -d ${DAEMONS_CPUACCT%/*} ]] || mkdir -p "$DAEMONS_CPUACCT"
  # A new v1 cpuset starts with no CPUs and no memory nodes, and nothing can join it until they are set.
  local cpuset=/sys/fs/cgroup/cpuset
  if [[ -d $cpuset/$CGROUP_ROOT ]]; then
    cat "$cpuset/cpuset.cpus" >"$cpuset/$CGROUP_ROOT/cpuset.cpus"
    cat "$cpuset/cpuset.mems" >"$cpuset/$CGROUP_ROOT/cpuset.mems"
  fi
}

# Depth first: a cgroup can be removed only once it has no children (and no processes).
remove_cgroups() {
  local root
  while IFS= read -r root; do
    find "$root" -depth -type d -exec rmdir {} + 2>/dev/null || true
    [[ ! -d $root ]] || say "cgroup $root still busy"
  done < <(cgroup_dirs)
}

save_sysctls() {
  # A saved file left by a killed run holds the machine's values from before that run: keep it.
  [[ -f $dir/sysctl.saved ]] && return 0
  local key
  for key in "${KUBELET_SYSCTLS[@]}"; do echo "$key=$(sysctl -n "$key")"; done >"$dir/sysctl.saved.tmp"
  mv "$dir/sysctl.saved.tmp" "$dir/sysctl.saved"
}

restore_sysctls() {
  [[ -f $dir/sysctl.saved ]] || return 0
  local line
  while IFS= read -r line; do sysctl -qw "$line" || say "could not restore $line"; done <"$dir/sysctl.saved"
  rm -f "$dir/sysctl.saved"
}

# --- start ---------------------------------------------------------------------------------------------------

start_control_plane() {
  daemon etcd --node "$ETCD_BIN/etcd" --name books-node --data-dir "$dir/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster books-node=http://127.0.0.1:2380 --log-level warn
  daemon kube-apiserver --node "$KUBERNETES_BIN/kube-apiserver" \
    --etcd-servers http://127.0.0.1:2379 --advertise-address "$NODE_IP" --secure-port 6443 \
    --service-cluster-ip-range "$SERVICE_CIDR" --allow-privileged=true \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --client-ca-file "$pki/ca.crt" --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --kubelet-client-certificate "$pki/admin.crt" --kubelet-client-key "$pki/admin.key" \
    --kubelet-preferred-address-types InternalIP,Hostname \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local --profiling=false
  wait_until 90 kube-apiserver kubectl get --raw /readyz
  daemon kube-controller-manager --node "$KUBERNETES_BIN/kube-controller-manager" \
    --kubeconfig "$pki/admin.kubeconfig" --leader-elect=false --bind-address 127.0.0.1 \
    --allocate-node-cidrs --cluster-cidr "$POD_CIDR" --node-cidr-mask-size 24 \
    --service-cluster-ip-range "$SERVICE_CIDR" --root-ca-file "$pki/ca.crt" \
    --service-account-private-key-file "$pki/sa.key" --use-service-account-credentials
  daemon kube-scheduler --node "$KUBERNETES_BIN/kube-scheduler" \
    --kubeconfig "$pki/admin.kubeconfig" --leader-elect=false --bind-address 127.0.0.1
}

start_node() {
  daemon containerd --node containerd --config "$dir/containerd/config.toml"
  wait_until 30 containerd ctr --address "$run_dir/containerd.sock" version
  load_images
  daemon kubelet --node "$KUBERNETES_NODE_BIN/kubelet" --config "$dir/kubelet/config.yaml" \
    --kubeconfig "$pki/kubelet.kubeconfig" --root-dir "$dir/kubelet/root" --node-ip "$NODE_IP" \
    --hostname-override "$NODE_NAME"
  daemon kube-proxy --node "$KUBERNETES_NODE_BIN/kube-proxy" --config "$dir/kube-proxy.yaml"
  wait_until 90 'the Node object' kubectl get node "$NODE_NAME"
  # kube-router identifies its node from the Node object, so it starts once that exists.
  daemon kube-router --node "$KUBE_ROUTER_BIN/kube-router" --kubeconfig "$pki/admin.kubeconfig" \
    --hostname-override "$NODE_NAME" --run-firewall --run-router=false --run-service-proxy=false \
    --enable-cni=false --service-cluster-ip-range "$SERVICE_CIDR" --metrics-port 0 --health-port 20244
  daemon servicelb bash "$here/servicelb.sh" "$KUBERNETES_BIN/kubectl" "$kubeconfig" "$NODE_IP"
  wait_until 120 'node Ready' kubectl wait --for condition=Ready "node/$NODE_NAME" --timeout 1s
}

apply_addons() {
  local manifest
  for manifest in "$here"/addons/*.yaml; do
    echo '---'
    sed -e "s|@IMAGE_PREFIX@|$IMAGE_PREFIX|g" -e "s|@COREDNS_VERSION@|$COREDNS_VERSION|g" \
      -e "s|@LOCAL_PATH_VERSION@|$LOCAL_PATH_VERSION|g" -e "s|@DNS_SERVICE_IP@|$DNS_SERVICE_IP|g" \
      -e "s|@LOCAL_PATH_DIR@|$dir/local-path|g" "$manifest"
  done | kubectl apply -f - >/dev/null
  wait_until 180 CoreDNS kubectl -n kube-system rollout status deployment/coredns --timeout 1s
  wait_until 180 local-path-provisioner kubectl -n local-path-storage rollout status \
    deployment/local-path-provisioner --timeout 1s
}

print_env() {
  [[ -f $dir/registry/server ]] || fail "no cluster at $dir (start it: scripts/cluster/node.sh start)"
  echo "KUBECONFIG=$kubeconfig"
  echo "BOOKS_CLUSTER_CONTEXT=books-cluster"
  echo "BOOKS_CLUSTER_NODE_IP=$NODE_IP"
  echo "BOOKS_CLUSTER_REGISTRY=$(cat "$dir/registry/server")"
  echo "BOOKS_CLUSTER_REGISTRY_USERNAME=$(cat "$dir/registry/username")"
  echo "BOOKS_CLUSTER_REGISTRY_PASSWORD_FILE=$dir/registry/password"
  echo "BOOKS_CLUSTER_DIR=$dir"
}

# refuse_if_in_use : a running cluster whose owner is alive (or that is kept) is not stale: never take it over.
refuse_if_in_use() {
  local owner
  owner=$(cat "$run_dir/owner" 2>/dev/null) || return 0
  [[ -n $(cluster_pids) ]] || return 0
  if [[ $owner == keep ]]; then
    fail 'the local cluster is in use by npm run deploy:local: stop it first (npm run deploy:local -- down)'
  fi
  if [[ $owner =~ ^[0-9]+$ ]] && kill -0 "$owner" 2>/dev/null; then
    fail "the local cluster is in use by pid $owner ($(tr '\0' ' ' <"/proc/$owner/cmdline" | cut -c1-80)): wait for it, or stop it (node.sh stop)"
  fi
}

start() {
  local owner=''
  case "${1:-}" in
    --owner) owner=${2:?--owner needs a pid} ;;
    --keep) owner=keep ;;
    '') ;;
    *) fail "unknown option $1" ;;
  esac
  require_commands
  toolchain_env
  local started=$SECONDS
  claim_dir
  refuse_if_in_use
  stop_all quiet
  mkdir -p "$run_dir" "$log_dir"
  [[ -z $owner ]] || echo "$owner" >"$run_dir/owner"
  save_sysctls
  make_cgroups
  make_pki
  make_network
  write_configs
  start_registry
  start_control_plane
  start_node
  apply_addons
  say "ready in $((SECONDS - started)) s: node $NODE_NAME at $NODE_IP, registry $(cat "$dir/registry/server")"
  echo "$((SECONDS - started))" >"$run_dir/start-seconds"
  print_env
}

# --- stop ----------------------------------------------------------------------------------------------------

# Every process of the cluster: those in its network namespace (daemons, shims, containers) and the host-side
# ones (registry, its bridge, ServiceLB), found by their pid files and by the cluster directory in their command line,
# and the containers, found by their cgroups.
cluster_pids() {
  [[ -e /run/netns/$NETNS ]] && ip netns pids "$NETNS" 2>/dev/null
  local file pid
  for file in "$run_dir"/*.pid; do
    [[ -f $file ]] || continue
    pid=$(cat "$file")
    [[ -d /proc/$pid ]] && echo "$pid"
  done
  pgrep -f -- "$dir/" 2>/dev/null || true
  # Containers run in their pods' own network namespaces; the kubelet put them in cgroups under the node's root.
  local root
  while IFS= read -r root; do
    find "$root" -name cgroup.procs -exec cat {} + 2>/dev/null
  done < <(cgroup_dirs)
}

kill_all() {
  local signal=$1 pids
  mapfile -t pids < <(cluster_pids | sort -u | grep -vx "$$")
  ((${#pids[@]} == 0)) && return 1
  kill "-$signal" "${pids[@]}" 2>/dev/null || true
  return 0
}

# Mounts under the cluster directory (pod volumes, overlay snapshots, sandbox shm), deepest first.
unmount_all() {
  local mount
  while IFS= read -r mount; do
    umount -l "$mount" 2>/dev/null || say "could not unmount $mount"
  done < <(awk -v dir="$dir/" 'index($2, dir) == 1 { print $2 }' /proc/self/mounts | sort -r)
}

# The node's network namespace and the pod sandboxes' (containerd's CRI names them cni-…; no other CRI runs here).
remove_namespaces() {
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
    [[ $ns == "$NETNS" || $ns == cni-* ]] && { ip netns delete "$ns" 2>/dev/null || say "could not delete netns $ns"; }
  done
  ip link delete "$HOST_VETH" 2>/dev/null || true
}

# Only a directory this script made (it holds the marker) is ever emptied.
MARKER=.books-cluster
claim_dir() {
  mkdir -p "$dir"
  if [[ ! -f $dir/$MARKER ]] && [[ -n $(ls -A "$dir") ]]; then
    fail "$dir is not empty and was not made by this script; set BOOKS_CLUSTER_DIR to an empty directory"
  fi
  touch "$dir/$MARKER"
}

stop_all() {
  local quiet=${1:-}
  # Gently first, so containerd and the kubelet stop their children; then whatever is left.
  if kill_all TERM; then
    local waited=0
    while cluster_pids | grep -q . && ((waited < 20)); do
      sleep 0.5
      waited=$((waited + 1))
    done
    kill_all KILL || true
    sleep 0.5
  fi
  unmount_all
  remove_namespaces
  remove_cgroups
  # After the kubelet is gone: a kubelet still running would set them again.
  restore_sysctls
  if [[ -f $dir/$MARKER ]]; then
    # The logs of the run just stopped stay in last-logs/ for a look after a failure (CI prints them).
    if [[ -d $log_dir ]]; then
      rm -rf "$dir/last-logs"
      mv "$log_dir" "$dir/last-logs"
    fi
    find "$dir" -mindepth 1 -maxdepth 1 ! -name "$MARKER" ! -name last-logs -exec rm -rf {} + 2>/dev/null || true
  fi
  [[ -n $quiet ]] || say 'stopped'
}

status() {
  toolchain_env
  local file name pid
  for file in "$run_dir"/*.pid; do
    [[ -f $file ]] || continue
    name=$(basename "$file" .pid)
    pid=$(cat "$file")
    if [[ -d /proc/$pid ]]; then printf '  %-24s running (pid %s)\n' "$name" "$pid"; else printf '  %-24s DEAD\n' "$name"; fi
  done
  kubectl get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep -qx True \
    || { say "node $NODE_NAME is not Ready"; return 1; }
  say "node $NODE_NAME Ready at $NODE_IP"
}

case "${1:-}" in
  start) start "${@:2}" ;;
  stop)
    if [[ ${2:-} == --owner && -f $run_dir/owner && $(cat "$run_dir/owner") != "${3:?--owner needs a pid}" ]]; then
      say "left running: the cluster was started by $(cat "$run_dir/owner"), not $3"
      exit 0
    fi
    stop_all
    ;;
  status) status ;;
  env) print_env ;;
  *)
    sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
