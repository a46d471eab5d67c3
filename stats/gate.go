package stats

import (
	"github.com/prometheus/client_golang/prometheus"

	"smsbot/broadcast"
)

var (
	gateLimitDesc = prometheus.NewDesc("smsbot_provider_concurrency_limit",
		"Calls to the provider allowed in flight now: the configured cap, or less while the provider refuses calls as too many (Twilio 20429).", nil, nil)
	gateMaxDesc    = prometheus.NewDesc("smsbot_provider_concurrency_max", "The configured cap on calls to the provider in flight.", nil, nil)
	gateInUseDesc  = prometheus.NewDesc("smsbot_provider_calls_in_flight", "Calls to the provider in flight.", nil, nil)
	gateWaitDesc   = prometheus.NewDesc("smsbot_provider_calls_waiting", "Calls waiting for room under the cap.", nil, nil)
	gateCutsDesc   = prometheus.NewDesc("smsbot_provider_concurrency_cuts_total", "Times a refusal as too many calls cut the cap.", nil, nil)
	gateDescs      = []*prometheus.Desc{gateLimitDesc, gateMaxDesc, gateInUseDesc, gateWaitDesc, gateCutsDesc}
	gateGaugeDescs = map[*prometheus.Desc]func(broadcast.GateState) int{
		gateLimitDesc: func(s broadcast.GateState) int { return s.Limit },
		gateMaxDesc:   func(s broadcast.GateState) int { return s.Max },
		gateInUseDesc: func(s broadcast.GateState) int { return s.InUse },
		gateWaitDesc:  func(s broadcast.GateState) int { return s.Waiting },
	}
)

// WatchGate exports the state of the account's cap on provider calls in
// flight: the cap now, the configured one, calls in flight and waiting,
// and how often refusals cut it.
func (m *Metrics) WatchGate(g *broadcast.Gate) {
	m.registry.MustRegister(gateCollector{g})
}

type gateCollector struct{ g *broadcast.Gate }

func (c gateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range gateDescs {
		ch <- d
	}
}

func (c gateCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.g.State()
	for d, v := range gateGaugeDescs {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v(st)))
	}
	ch <- prometheus.MustNewConstMetric(gateCutsDesc, prometheus.CounterValue, float64(st.Cuts))
}
