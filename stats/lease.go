package stats

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"smsbot/lease"
)

// LeaseKinds are the kinds of lease a replica holds, the part of a
// lease's name before its colon: sender:<id>, poller, discord,
// progress:<broadcast id>, replica:<owner>. The lease metrics show each,
// at zero when none is held.
var LeaseKinds = []string{"sender", "poller", "discord", "progress", "replica"}

// LeaseKeeper is what the lease metrics read at each scrape;
// *lease.Keeper implements it.
type LeaseKeeper interface {
	Held() []lease.Held
	Stats() lease.Stats
}

var (
	leasesHeldDesc = prometheus.NewDesc("smsbot_leases_held",
		"Leases this replica holds, by kind (sender, poller, discord, progress, replica).", []string{"kind"}, nil)
	leaseAcquiredDesc = prometheus.NewDesc("smsbot_lease_acquisitions_total",
		"Leases this replica acquired since it started.", nil, nil)
	leaseLostDesc = prometheus.NewDesc("smsbot_leases_lost_total",
		"Leases this replica lost since it started (taken by another replica, or not renewed in time); released ones do not count.", nil, nil)
	leaseRenewingDesc = prometheus.NewDesc("smsbot_lease_renewing",
		"1 while this replica's lease renewals succeed, 0 while they fail (it stops acting under a lease when its trust runs out).", nil, nil)
)

// WatchLeases exports the leases k holds, by kind, the acquisitions and
// losses since start, and whether renewals succeed.
func (m *Metrics) WatchLeases(k LeaseKeeper) {
	m.registry.MustRegister(leaseCollector{k})
}

// LeaseKind is the kind of the lease named name: the part before its
// first colon.
func LeaseKind(name string) string {
	kind, _, _ := strings.Cut(name, ":")
	return kind
}

type leaseCollector struct{ k LeaseKeeper }

func (c leaseCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- leasesHeldDesc
	ch <- leaseAcquiredDesc
	ch <- leaseLostDesc
	ch <- leaseRenewingDesc
}

func (c leaseCollector) Collect(ch chan<- prometheus.Metric) {
	held := map[string]int{}
	for _, kind := range LeaseKinds {
		held[kind] = 0
	}
	for _, h := range c.k.Held() {
		held[LeaseKind(h.Name)]++
	}
	for kind, n := range held {
		ch <- prometheus.MustNewConstMetric(leasesHeldDesc, prometheus.GaugeValue, float64(n), kind)
	}
	st := c.k.Stats()
	renewing := 0.0
	if st.Renewing {
		renewing = 1
	}
	ch <- prometheus.MustNewConstMetric(leaseAcquiredDesc, prometheus.CounterValue, float64(st.Acquired))
	ch <- prometheus.MustNewConstMetric(leaseLostDesc, prometheus.CounterValue, float64(st.Lost))
	ch <- prometheus.MustNewConstMetric(leaseRenewingDesc, prometheus.GaugeValue, renewing)
}
