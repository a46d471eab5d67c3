package broadcast

import (
	"context"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxBodyChars is the longest message Twilio accepts (beyond it, error
// 21617), in characters as Twilio counts them: septets for a GSM-7 body,
// where ^ { } \ [ ~ ] | € count 2, and UTF-16 code units for a UCS-2 body,
// where an emoji or another character beyond U+FFFF counts 2. That is
// CountSegments' Units (BodyChars).
const MaxBodyChars = 1600

// MaxSegments is the most segments a text should take: carriers may not
// join more, and Twilio recommends far fewer. Previews warn above it; it
// is not refused, since Twilio takes up to MaxBodyChars (24 segments of
// UCS-2).
const MaxSegments = 10

// BodyChars is body's length as Twilio counts it against MaxBodyChars.
func BodyChars(body string) int { return CountSegments(body).Units }

// Draft is a broadcast as requested, before its preview.
type Draft struct {
	List        string
	Body        string
	RequestedBy string
	// Group narrows List to a poll's answer group; with it, List may be
	// "" (the poll's list).
	Group Group
	// Question makes the broadcast a poll (Body is its text, see
	// poll.Body).
	Question *Question
}

// Preview is what an approver sees before a broadcast goes out.
type Preview struct {
	Broadcast Broadcast // pending, with its ID
	Audience  Audience
	Segments  SegmentInfo
	Senders   []Share
	// TotalSegments is the number of segments all recipients get together.
	TotalSegments int
	// ETA is the sending time at the senders' rates, or slower where the
	// account's cap on calls in flight, at the measured latency, allows
	// less.
	ETA time.Duration
	// Personal is set when merge fields make each text different.
	// Segments then describes the longest text, and MinSegments the
	// shortest; Example is the first recipient's text.
	Personal    bool
	MinSegments int
	Example     string
	// Missing counts recipients lacking a merge field that has no
	// default; MissingFields names those fields.
	Missing       int
	MissingFields []string
	// Repeat, when set, is the same text sent to the same list within
	// RepeatWindow.
	Repeat *Repeat
	// Skipped names the first PreviewNamed members that will be skipped
	// (opted out or invalid), and MissingSample the first PreviewNamed
	// recipients lacking a merge field; Engine.LeftOut has them all.
	Skipped       []Contact
	MissingSample []Missing
}

// Recipients is the number of contacts that would be texted.
func (p Preview) Recipients() int { return p.Audience.Eligible() }

// Share is one sender's part of a broadcast.
type Share struct {
	Sender     Sender
	Recipients int
	Time       time.Duration // at the rate it can reach (see Preview.ETA)
}

// ValidateBody checks a message body against what a broadcast may carry:
// not empty, and at most MaxBodyChars as Twilio counts them.
func ValidateBody(body string) error {
	if strings.TrimSpace(body) == "" {
		return Errorf(EINVALID, "the message is empty: write it after the list name")
	}
	if info := CountSegments(body); info.Units > MaxBodyChars {
		return Errorf(EINVALID, "the message is %d characters long%s; the limit is %d", info.Units, countedAs(body, info), MaxBodyChars)
	}
	return nil
}

// countedAs says why Twilio's count of body differs from its characters,
// or nothing when it does not.
func countedAs(body string, info SegmentInfo) string {
	if info.Units == utf8.RuneCountInString(body) {
		return ""
	}
	if info.Encoding == GSM7 {
		return " as Twilio counts them (^ { } \\ [ ~ ] | € count 2)"
	}
	return " as Twilio counts them (emoji and a few rare characters count 2)"
}

// Prepare validates a draft, stores it as a pending broadcast and returns
// its preview. Nothing is sent until Approve. Invalid drafts (empty or
// too long text, unknown list, no senders, nobody to text) write nothing.
func (e *Engine) Prepare(ctx context.Context, d Draft) (Preview, error) {
	p, list, err := e.preview(ctx, d)
	if err != nil {
		return Preview{}, err
	}
	p.Broadcast, err = e.store.CreateBroadcast(ctx, Broadcast{
		Body: p.Broadcast.Body, ListID: list.ID, ListName: list.Name, Status: StatusPending,
		RequestedBy: d.RequestedBy, Segments: p.Segments.Segments, Encoding: p.Segments.Encoding,
		CreatedAt: e.clock.Now(), Group: d.Group, Question: d.Question,
	})
	if err != nil {
		return Preview{}, err
	}
	return p, nil
}

// Preview is Prepare without storing anything: what a broadcast of the
// draft would be now. Its Broadcast has no ID.
func (e *Engine) Preview(ctx context.Context, d Draft) (Preview, error) {
	p, _, err := e.preview(ctx, d)
	return p, err
}

func (e *Engine) preview(ctx context.Context, d Draft) (Preview, List, error) {
	body := strings.TrimSpace(d.Body)
	if err := ValidateBody(body); err != nil {
		return Preview{}, List{}, err
	}
	tmpl, err := ParseTemplate(body)
	if err != nil {
		return Preview{}, List{}, err
	}
	if err := checkQuestion(d.Question, e.clock.Now()); err != nil {
		return Preview{}, List{}, err
	}
	list, err := e.targetList(ctx, d)
	if err != nil {
		return Preview{}, List{}, err
	}
	target := Target{ListID: list.ID, Group: d.Group}
	aud, err := e.store.Audience(ctx, target)
	if err != nil {
		return Preview{}, List{}, err
	}
	senders, err := e.enabledSenders(ctx)
	if err != nil {
		return Preview{}, List{}, err
	}
	if len(senders) == 0 {
		return Preview{}, List{}, Errorf(EINVALID, "there is no number to send from: add one with /sms numbers add <+E164 or MG-SID> [segments/s]")
	}
	if aud.Eligible() == 0 {
		return Preview{}, List{}, nobody(list, d.Group, aud)
	}
	seg := CountSegments(body)
	p := Preview{Audience: aud, Segments: seg, TotalSegments: seg.Segments * aud.Eligible()}
	if aud.OptedOut+aud.Invalid > 0 {
		if p.Skipped, err = e.store.SkippedMembers(ctx, target, PreviewNamed); err != nil {
			return Preview{}, List{}, err
		}
	}
	if tmpl.Personal() {
		if err := e.personalize(ctx, target, tmpl, &p); err != nil {
			return Preview{}, List{}, err
		}
	}
	if p.Repeat, err = e.repeat(ctx, list.ID, body); err != nil {
		return Preview{}, List{}, err
	}
	p.Senders = e.project(aud, senders, float64(p.TotalSegments)/float64(aud.Eligible()))
	for _, s := range p.Senders {
		p.ETA = max(p.ETA, s.Time)
	}
	p.Broadcast = Broadcast{Body: body, ListID: list.ID, ListName: list.Name, Status: StatusPending,
		RequestedBy: d.RequestedBy, Segments: p.Segments.Segments, Encoding: p.Segments.Encoding,
		Group: d.Group, Question: d.Question}
	return p, list, nil
}

// project splits an audience over the enabled senders the way the outbox
// will: members keep their sender, the rest go to the least-loaded ones.
// segments is the average per text. Each share's time is at the rate the
// sender can reach within the account's cap (see sendRates).
func (e *Engine) project(aud Audience, senders []Sender, segments float64) []Share {
	byID := map[int64]*Share{}
	loads := map[int64]Load{}
	for _, s := range senders {
		byID[s.ID] = &Share{Sender: s, Recipients: aud.BySender[s.ID]}
		loads[s.ID] = Load{Contacts: aud.Loads[s.ID].Contacts, Rate: s.Rate}
	}
	bal := NewBalancer(loads)
	for range aud.Unassigned {
		byID[bal.Next()].Recipients++
	}
	rates := map[int64]float64{}
	for id, sh := range byID {
		if sh.Recipients > 0 {
			rates[id] = sh.Sender.Rate
		}
	}
	reach := e.sendRates(rates, segments)
	var shares []Share
	for id, sh := range byID {
		if sh.Recipients == 0 {
			continue
		}
		sh.Time = time.Duration(float64(segmentsTime(sh.Recipients, reach[id])) * segments)
		shares = append(shares, *sh)
	}
	sort.Slice(shares, func(i, j int) bool { return shares[i].Sender.ID < shares[j].Sender.ID })
	return shares
}

func (e *Engine) enabledSenders(ctx context.Context) ([]Sender, error) {
	all, err := e.store.Senders(ctx)
	if err != nil {
		return nil, err
	}
	var on []Sender
	for _, s := range all {
		if s.Enabled {
			on = append(on, s)
		}
	}
	return on, nil
}
