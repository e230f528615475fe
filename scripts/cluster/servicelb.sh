#!/usr/bin/env bash
# The local cluster's ServiceLB (what K3s's servicelb gives a Raspberry Pi user): every Service of type LoadBalancer
# gets the node's address as its ingress, and kube-proxy serves it there. Unlike K3s it runs no per-Service pods and
# does not refuse a second Service on a port already taken; one node, one address.
#
#   servicelb.sh KUBECTL KUBECONFIG NODE_IP      (started and stopped by node.sh)
set -uo pipefail
kubectl=$1 kubeconfig=$2 node_ip=$3
status="{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"$node_ip\",\"ipMode\":\"VIP\"}]}}}"
pending='{range .items[?(@.spec.type=="LoadBalancer")]}{.metadata.namespace}{" "}{.metadata.name}{" "}{.status.loadBalancer.ingress[0].ip}{"\n"}{end}'
while true; do
  "$kubectl" --kubeconfig "$kubeconfig" get services --all-namespaces -o "jsonpath=$pending" 2>/dev/null |
    while read -r namespace name address; do
      [[ $address == "$node_ip" ]] && continue
      "$kubectl" --kubeconfig "$kubeconfig" -n "$namespace" patch service "$name" --subresource status \
        --type merge -p "$status" >/dev/null && echo "$(date -u +%FT%TZ) $namespace/$name → $node_ip"
    done
  sleep 1
done
