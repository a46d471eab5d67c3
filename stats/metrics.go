package stats

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"smsbot/broadcast"
)

// MessageTotal counts outbox rows of one sender, status and error code.
type MessageTotal struct {
	Sender    string
	Status    broadcast.MessageStatus
	ErrorCode string
	Count     int
}

// MetricsStore is what the metrics read from the database at each scrape.
type MetricsStore interface {
	MessageTotals(ctx context.Context) ([]MessageTotal, error)
	BroadcastTotals(ctx context.Context) (map[broadcast.Status]int, error)
	IncomingTotal(ctx context.Context) (int, error)
}

// Metrics serves smsbot's Prometheus metrics. Counts come from the
// database when scraped, so they survive restarts; send latency is
// observed as texts go out.
type Metrics struct {
	registry *prometheus.Registry
	latency  *prometheus.HistogramVec
}

var (
	messagesDesc = prometheus.NewDesc("smsbot_messages", "Outbox texts by sender, status and provider error code.",
		[]string{"sender", "status", "error_code"}, nil)
	queueDesc      = prometheus.NewDesc("smsbot_queue_depth", "Texts queued or being sent.", nil, nil)
	broadcastsDesc = prometheus.NewDesc("smsbot_broadcasts", "Broadcasts by status.", []string{"status"}, nil)
	incomingDesc   = prometheus.NewDesc("smsbot_incoming_texts_total", "Texts received from contacts.", nil, nil)
)

// NewMetrics returns the metrics of a bot backed by st.
func NewMetrics(st MetricsStore) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "smsbot_provider_send_seconds",
			Help:    "Time the provider took to answer a send, by outcome (ok, retryable, ambiguous, permanent).",
			Buckets: []float64{.025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"outcome"}),
	}
	m.registry.MustRegister(m.latency, dbCollector{st}, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves GET /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Instrument wraps a provider so that each send's latency is observed.
func (m *Metrics) Instrument(p broadcast.Provider) broadcast.Provider {
	return timedProvider{Provider: p, latency: m.latency}
}

type timedProvider struct {
	broadcast.Provider
	latency *prometheus.HistogramVec
}

func (t timedProvider) Send(ctx context.Context, o broadcast.Outgoing) (string, error) {
	start := time.Now()
	sid, err := t.Provider.Send(ctx, o)
	outcome := "ok"
	if se, ok := err.(*broadcast.SendError); ok {
		outcome = se.Class.String()
	} else if err != nil {
		outcome = "ambiguous"
	}
	t.latency.WithLabelValues(outcome).Observe(time.Since(start).Seconds())
	return sid, err
}

// dbCollector reads the counts from the database at each scrape.
type dbCollector struct{ st MetricsStore }

func (c dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{messagesDesc, queueDesc, broadcastsDesc, incomingDesc} {
		ch <- d
	}
}

func (c dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	totals, err := c.st.MessageTotals(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(messagesDesc, err)
		return
	}
	queue := 0
	for _, t := range totals {
		ch <- prometheus.MustNewConstMetric(messagesDesc, prometheus.GaugeValue, float64(t.Count), t.Sender, string(t.Status), t.ErrorCode)
		if t.Status == broadcast.MsgQueued || t.Status == broadcast.MsgSending {
			queue += t.Count
		}
	}
	ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(queue))
	bs, err := c.st.BroadcastTotals(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(broadcastsDesc, err)
		return
	}
	for _, s := range []broadcast.Status{broadcast.StatusPending, broadcast.StatusSending, broadcast.StatusPaused, broadcast.StatusCancelled, broadcast.StatusCompleted} {
		ch <- prometheus.MustNewConstMetric(broadcastsDesc, prometheus.GaugeValue, float64(bs[s]), string(s))
	}
	n, err := c.st.IncomingTotal(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(incomingDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(incomingDesc, prometheus.CounterValue, float64(n))
}
