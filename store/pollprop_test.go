package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/inbound"
	"smsbot/poll"
	"smsbot/store"
	"smsbot/store/storetest"
)

// The poll property test plays seeded random operations on one real store
// against a simple model of polls: answers with bodies from a vocabulary
// (numbers, labels, yes/no, junk, keywords, emoji, media), each at a random
// time so that texts arrive out of order; replayed SIDs (webhook retries,
// the poller meeting a text the webhook stored); texts saved at once from
// several goroutines, some with one SID twice; closing a poll; a second or
// third poll to part of the list or to a poll's answer group; more of a
// poll's texts sent or delivered later; texts relayed; restarts of the
// store. After every operation it checks (checkPolls) that
//   - each poll has at most one answer per contact, and it is the newest
//     matched text of the contact's that reached it while it was open;
//   - Tally.Counts are the model's and sum to Answered, Answered is at most
//     Recipients, and Unanswered is the recipients without an answer;
//   - no counted text is in Unrelayed, and every other text is (unless
//     relayed) with the poll it was not an answer to, if any;
//   - an answer group's follow-up writes rows for exactly its members.
//
// Seeds in testdata/poll-seeds run first (see forPollSeeds).

// TestPollPropertySQLite plays on a SQLite file, restarts reopening it.
func TestPollPropertySQLite(t *testing.T) {
	forPollSeeds(t, 12, 3, func(t *testing.T, seed uint64) {
		path := filepath.Join(t.TempDir(), "smsbot.db")
		playPolls(t, seed, path)
	})
}

// TestPollPropertyPostgres plays on a PostgreSQL schema of its own per
// seed (SMSBOT_TEST_POSTGRES), restarts opening it again.
func TestPollPropertyPostgres(t *testing.T) {
	storetest.Postgres(t) // skips here without the database, or fails under CI
	forPollSeeds(t, 4, 1, func(t *testing.T, seed uint64) { playPolls(t, seed, storetest.Postgres(t)) })
}

// bodies are what contacts text, most of them to some poll's options.
var bodies = []string{
	"1", "2", "3", "4", "#2", "2.", "2!!", " 1 ", "one", "Two", "option 3", "1 and 2", "1,2", "12", "0",
	"5pm", "5 pm shuttle", "7 PM", "7pm please", "5pm or 7pm", "yes", "YES", "y", "yeah!", "no", "N", "nope", "Yes please 🙌",
	"pizza", "Salad please", "soup?", "Cafe", "café au lait", "tea", "juice, see you there", "which bus is closer?",
	"ok?", "👍", "👎", "🎉", "🙂🙂", "", "thanks!", "maybe", "both", "2, is it from gate B?",
	"STOP", "stop", "Start", "HELP", "info", "unstop", "Stop the shuttle",
}

// questions are the polls asked.
var questions = [][]string{
	{"5 pm shuttle", "7 pm shuttle"},
	{"Yes", "No"},
	{"Pizza", "Salad", "Soup"},
	{"Café", "Tea", "Juice", "Water"},
}

// pworld is the store, the model and what the test knows of both.
type pworld struct {
	t      *testing.T
	ctx    context.Context
	rng    *rand.Rand
	clock  *clockwork.FakeClock
	dsn    string
	st     *store.Store
	sender int64
	crew   []broadcast.Contact // on list "crew", in ID order
	others []string            // phones on no list
	polls  []*ppoll            // oldest first
	texts  map[string]*ptext
	sids   []string // in the order stored
	seq    int
	count  map[string]int
}

// ppoll is a poll as the model has it.
type ppoll struct {
	br       broadcast.Broadcast
	options  []string
	closesAt *time.Time
	closed   bool
	closedAt time.Time
	status   map[int64]broadcast.MessageStatus // its outbox rows, by contact
	sids     map[int64]string                  // the provider SIDs of its rows sent
}

// ptext is a stored text as the model has it.
type ptext struct {
	sid     string
	phone   string
	contact int64
	body    string
	media   bool
	at      time.Time
	seq     int   // when it was stored
	poll    int64 // the poll it reached, 0 for none
	option  int   // the option it was counted as, 0 for none
	late    bool  // sent after the poll it reached had closed
	relayed bool  // MarkRelayed by the test
}

// t0 is when the clock starts, and the earliest time a text has.
var t0 = time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)

func playPolls(t *testing.T, seed uint64, dsn string) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9011))
	w := &pworld{t: t, ctx: context.Background(), rng: rng, clock: clockwork.NewFakeClockAt(t0), dsn: dsn,
		texts: map[string]*ptext{}, count: map[string]int{}}
	w.open()
	t.Cleanup(func() { w.st.Close() })
	s, _, err := w.st.AddSender(w.ctx, "+12065550101", 10, "test")
	w.check(err, "add sender")
	w.sender = s.ID
	for i := range 3 + rng.IntN(6) {
		r, err := w.st.AddMember(w.ctx, "crew", phoneOf(i), fmt.Sprint("C", i), "test")
		w.check(err, "add member")
		w.crew = append(w.crew, r.Contact)
	}
	w.others = []string{phoneOf(100), phoneOf(101)}
	w.newPoll("crew", broadcast.Group{})
	steps := 60
	if testing.Short() {
		steps = 30
	}
	for range steps {
		w.step()
		w.checkPolls()
		if t.Failed() {
			break
		}
	}
	for _, x := range w.texts {
		switch {
		case x.counted():
			w.count["text counted"]++
		case x.poll != 0:
			w.count["text not an answer"]++
		}
	}
	t.Logf("seed %d: %v", seed, w.count)
}

func phoneOf(i int) string { return fmt.Sprintf("+1206555%04d", i) }

func (w *pworld) check(err error, what string) {
	w.t.Helper()
	if err != nil {
		w.t.Fatalf("%s: %v", what, err)
	}
}

// open opens the store on w.dsn, again after a restart.
func (w *pworld) open() {
	st, err := store.Open(w.ctx, store.Config{Path: w.dsn, Now: w.clock.Now})
	w.check(err, "open store")
	w.st = st
}

// step plays one random operation.
func (w *pworld) step() {
	w.clock.Advance(time.Duration(1+w.rng.IntN(5000)) * time.Millisecond)
	w.count["step"]++
	switch r := w.rng.IntN(100); {
	case r < 45:
		w.count["answer"]++
		w.answer(w.newText(nil))
	case r < 55 && len(w.sids) > 0:
		w.count["replay"]++
		w.replay()
	case r < 67:
		w.count["concurrent"]++
		w.concurrent()
	case r < 70 && w.count["step"] > 20:
		w.count["close"]++
		w.closePoll()
	case r < 76 && len(w.polls) < 4:
		w.count["poll"]++
		w.secondPoll()
	case r < 86:
		w.count["deliver"]++
		p := w.polls[w.rng.IntN(len(w.polls))]
		w.deliver(p, w.queued(p))
	case r < 91:
		w.count["relay"]++
		w.relay()
	case r < 95:
		w.count["restart"]++
		w.check(w.st.Close(), "close store")
		w.open()
	default:
		w.count["receipt"]++
		w.receipt()
	}
}

// newText makes a fresh text from a crew member or a stranger at a
// random time, at none of the times in taken for its sender.
func (w *pworld) newText(taken map[string][]time.Time) *ptext {
	w.seq++
	phone := w.others[w.rng.IntN(len(w.others))]
	if w.rng.IntN(8) > 0 {
		phone = w.crew[w.rng.IntN(len(w.crew))].Phone
	}
	x := &ptext{sid: fmt.Sprintf("SM%032x", w.seq), phone: phone, body: w.body(), media: w.rng.IntN(15) == 0}
	for {
		x.at = t0.Add(time.Duration(w.rng.IntN(600_000)) * time.Millisecond)
		if w.rng.IntN(6) == 0 && len(w.sids) > 0 { // at the time of another text: a tie
			x.at = w.texts[w.sids[w.rng.IntN(len(w.sids))]].at
		}
		if !slices.ContainsFunc(taken[phone], x.at.Equal) {
			return x
		}
	}
}

// body is a text's body: from the vocabulary, or half the time an
// answer by number or label to one of the polls.
func (w *pworld) body() string {
	switch w.rng.IntN(4) {
	case 0:
		return []string{"", "#", "option ", "  "}[w.rng.IntN(4)] + fmt.Sprint(1+w.rng.IntN(4)) + []string{"", ".", "!!", " ", ", see you"}[w.rng.IntN(5)]
	case 1:
		opts := w.polls[w.rng.IntN(len(w.polls))].options
		label := opts[w.rng.IntN(len(opts))]
		return []func(string) string{strings.ToLower, strings.ToUpper, strings.TrimSpace}[w.rng.IntN(3)](label)
	}
	return bodies[w.rng.IntN(len(bodies))]
}

// text is x as inbound hands it to the store.
func (x *ptext) text() (inbound.Text, inbound.Keyword) {
	t := inbound.Text{SID: x.sid, From: x.phone, To: "+12065550101", Body: x.body, At: x.at}
	if x.media {
		t.Media = []string{"https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/" + x.sid + "/Media/ME1"}
	}
	return t, inbound.ParseKeyword(x.body)
}

// newPoll creates a poll to list's g, approves it, writes its outbox and
// sends some of it.
func (w *pworld) newPoll(list string, g broadcast.Group) *ppoll {
	l, err := w.st.ListByName(w.ctx, list)
	w.check(err, "list")
	opts := questions[w.rng.IntN(len(questions))]
	q := broadcast.Question{Text: "Which?", Options: opts, Confirm: "Got it: {answer}"}
	if w.rng.IntN(4) == 0 {
		closes := t0.Add(time.Duration(300+w.rng.IntN(600)) * time.Second)
		q.ClosesAt = &closes
	}
	body := poll.Body(q.Text, q.Options)
	info := broadcast.CountSegments(body)
	br, err := w.st.CreateBroadcast(w.ctx, broadcast.Broadcast{Body: body, ListID: l.ID, ListName: l.Name, RequestedBy: "alice",
		Segments: info.Segments, Encoding: info.Encoding, Group: g, Question: &q})
	w.check(err, "create poll")
	br, err = w.st.Transition(w.ctx, br.ID, []broadcast.Status{broadcast.StatusPending}, broadcast.StatusSending, "bob", w.clock.Now())
	w.check(err, "approve poll")
	p := &ppoll{br: br, options: opts, closesAt: q.ClosesAt, status: map[int64]broadcast.MessageStatus{}, sids: map[int64]string{}}
	w.polls = append(w.polls, p)
	loads, err := w.st.SenderLoads(w.ctx)
	w.check(err, "sender loads")
	bal := broadcast.NewBalancer(loads)
	for after := int64(0); ; {
		last, err := w.st.QueueBatch(w.ctx, br, after, 3, bal, nil, w.clock.Now())
		w.check(err, "queue batch")
		if last == 0 {
			break
		}
		after = last
	}
	w.check(w.st.MarkQueued(w.ctx, br.ID), "mark queued")
	rows := w.queued(p)
	for _, m := range rows {
		p.status[m.ContactID] = broadcast.MsgQueued
	}
	w.checkGroup(l.ID, g, rows)
	w.deliver(p, rows)
	return p
}
