package broadcast

import (
	"errors"
	"math"
	"sort"
	"time"
)

// headroom is how many more calls in flight than Little's law asks for a
// sender may have, so that a slower stretch of calls does not hold it up.
const headroom = 1.25

// errUnused releases a gate slot that was not used for a call.
var errUnused = errors.New("slot not used")

// demand is one sender's claim on the account's calls in flight.
type demand struct {
	weight float64 // its rate
	need   float64 // calls in flight it can use
}

// share splits capacity calls in flight between demands in proportion to
// their weights, none getting more than it needs; what one cannot use goes
// to the others (weighted max-min fairness, by water-filling).
func share(capacity float64, ds []demand) []float64 {
	order := make([]int, len(ds))
	weight := 0.0
	for i, d := range ds {
		order[i] = i
		weight += d.weight
	}
	sort.Slice(order, func(a, b int) bool {
		da, db := ds[order[a]], ds[order[b]]
		return da.need*db.weight < db.need*da.weight
	})
	out := make([]float64, len(ds))
	for _, i := range order {
		if weight <= 0 {
			break
		}
		fair := capacity * ds[i].weight / weight
		out[i] = min(ds[i].need, fair)
		capacity -= out[i]
		weight -= ds[i].weight
	}
	return out
}

// demandAt is what a sender at rate can use: by Little's law, its rate
// times the time a call takes (a high percentile of recent calls, with
// headroom), plus the slot held while its pacer waits. An unpaced sender
// can use them all.
func (e *Engine) demandAt(rate float64, high time.Duration, capacity float64) demand {
	if e.cfg.Unpaced || rate <= 0 {
		return demand{weight: 1, need: capacity}
	}
	return demand{weight: rate, need: math.Ceil(rate*high.Seconds()*headroom) + 1}
}

// busy reports whether w has work: calls in flight or rows waiting.
func (w *worker) busy() bool {
	return w.inflight.Load() > 0 || w.holding.Load() || len(w.claimed) > 0
}

// inFlightLimit is how many calls w may have in flight now: its share of
// the account's cap among the senders with work, at most what it can use.
func (e *Engine) inFlightLimit(w *worker) int {
	if e.cfg.InFlight > 0 {
		return e.cfg.InFlight
	}
	_, high := e.latency.get()
	capacity := float64(e.gate.State().Limit)
	var ds []demand
	self := 0
	e.mu.Lock()
	for _, o := range e.workers {
		if o == w {
			self = len(ds)
		} else if !o.busy() {
			continue
		}
		ds = append(ds, e.demandAt(o.rate(), high, capacity))
	}
	e.mu.Unlock()
	if len(ds) == 0 { // w was removed meanwhile
		return 1
	}
	return max(1, int(share(capacity, ds)[self]))
}

// sendRates returns, for each sender in rates (sender ID → its rate), the
// segments per second it can send: its rate, or fewer when
// its share of the account's cap, at the measured latency, allows fewer.
// segsPerText is the average length of a text in segments. Callers may
// hold e.mu.
func (e *Engine) sendRates(rates map[int64]float64, segsPerText float64) map[int64]float64 {
	mean, high := e.latency.get()
	capacity := float64(e.gate.State().Limit)
	ids := make([]int64, 0, len(rates))
	ds := make([]demand, 0, len(rates))
	for id, r := range rates {
		ids = append(ids, id)
		ds = append(ds, e.demandAt(r, high, capacity))
	}
	out := make(map[int64]float64, len(ids))
	for i, n := range share(capacity, ds) {
		if e.cfg.InFlight > 0 {
			n = float64(e.cfg.InFlight)
		}
		r := rates[ids[i]]
		if mean > 0 {
			byCap := n * max(segsPerText, 1) / mean.Seconds()
			if r <= 0 || byCap < r {
				r = byCap
			}
		}
		out[ids[i]] = r
	}
	return out
}
