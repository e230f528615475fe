// CoreDNS for the local cluster (scripts/cluster), with only the plugins its Corefile uses. The stock binary
// compiles every plugin, cloud SDKs included (~6 min cold here); this one compiles the few a K3s-like cluster DNS
// needs, in the order plugin.cfg gives them (CoreDNS runs plugins in Directives order, not Corefile order).
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/template"
)

func init() {
	// The subsequence of CoreDNS v1.15.0's core/dnsserver/zdirectives.go for the plugins imported above.
	dnsserver.Directives = []string{"ready", "health", "errors", "log", "loadbalance", "cache", "template", "kubernetes"}
}

func main() { coremain.Run() }
