package scheduler

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"smsbot/broadcast"
)

// When is when a schedule fires: once, At, or on a cron Spec.
type When struct {
	At       time.Time // one-shot; zero for recurring
	Spec     string    // cron spec, as written (with CRON_TZ= when it names a zone)
	Location *time.Location
	cron     cron.Schedule
}

// Recurring reports whether the schedule repeats.
func (w When) Recurring() bool { return w.Spec != "" }

// Next returns the first fire time strictly after t.
func (w When) Next(t time.Time) time.Time {
	if !w.Recurring() {
		if w.At.After(t) {
			return w.At
		}
		return time.Time{}
	}
	return w.cron.Next(t.In(w.Location))
}

// ParseSpec reads a cron spec: five fields, a descriptor (@daily, @every
// 2h…), optionally after CRON_TZ=<zone>. Times are in loc unless the spec
// names its zone.
func ParseSpec(spec string, loc *time.Location) (When, error) {
	spec = strings.TrimSpace(spec)
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return When{}, broadcast.Errorf(broadcast.EINVALID, "%q is not a cron spec (%v); for every day at 09:00 write \"0 9 * * *\"", spec, err)
	}
	w := When{Spec: spec, Location: loc, cron: sched}
	if s, ok := sched.(*cron.SpecSchedule); ok && s.Location != time.Local {
		w.Location = s.Location
	}
	return w, nil
}

var (
	clockRe = regexp.MustCompile(`^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$`)
	dateRe  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	slashRe = regexp.MustCompile(`^(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2,4}))?$`)
)

// ParseWhen reads the <when> at the start of text and returns it with the
// rest of the text. It takes, in loc (SMSBOT_TZ) unless a zone is given:
//
//	2026-12-01 18:45    a date and time
//	18:45               the next 18:45
//	tomorrow 09:00      also today 18:45, friday 18:45
//	2026-12-01T18:45:00-08:00   RFC 3339
//	in 30m              also in 2h, in 1h30m, in 45 minutes
//	"0 9 * * *"         a cron spec in quotes, also "CRON_TZ=Europe/Berlin 0 9 * * *"
//	@daily              and the other descriptors; @every 2h
//
// Times that have passed, and ambiguous ones ("6:45": morning or
// evening?), get an EINVALID error saying what to write instead.
func ParseWhen(text string, now time.Time, loc *time.Location) (When, string, error) {
	now = now.In(loc)
	text = strings.TrimSpace(text)
	first, rest := cut(text)
	lower := strings.ToLower(first)
	switch {
	case first == "":
		return When{}, "", broadcast.Errorf(broadcast.EINVALID, "say when: a time like 18:45, \"in 30m\", \"tomorrow 09:00\" or a cron spec in quotes")
	case strings.HasPrefix(text, `"`) || strings.HasPrefix(text, "'") || strings.HasPrefix(text, "“"):
		return quoted(text, now, loc)
	case lower == "@every":
		d, rest2 := cut(rest)
		w, err := ParseSpec("@every "+d, loc)
		return w, rest2, err
	case strings.HasPrefix(first, "@"):
		w, err := ParseSpec(first, loc)
		return w, rest, err
	case strings.HasPrefix(first, "CRON_TZ=") || strings.HasPrefix(first, "TZ="):
		return When{}, "", broadcast.Errorf(broadcast.EINVALID, "put the cron spec in quotes: \"%s 0 9 * * *\"", first)
	case lower == "in":
		return parseDelay(rest, now, loc)
	case lower == "today" || lower == "tomorrow" || lower == "tonight":
		days := map[string]int{"today": 0, "tonight": 0, "tomorrow": 1}[lower]
		clock, rest2 := cut(rest)
		return atClock(clock, rest2, now, loc, now.AddDate(0, 0, days), false)
	case weekday(lower) >= 0:
		clock, rest2 := cut(rest)
		ahead := (int(weekday(lower)) - int(now.Weekday()) + 7) % 7
		w, r, err := atClock(clock, rest2, now, loc, now.AddDate(0, 0, ahead), false)
		if ahead == 0 && broadcast.ErrorCode(err) == broadcast.EINVALID && strings.HasSuffix(broadcast.ErrorMessage(err), "has passed") {
			return atClock(clock, rest2, now, loc, now.AddDate(0, 0, 7), false) // next week's
		}
		return w, r, err
	case dateRe.MatchString(first):
		day, err := time.ParseInLocation("2006-01-02", first, loc)
		if err != nil {
			return When{}, "", broadcast.Errorf(broadcast.EINVALID, "%q is not a date; write it like %s", first, now.Format("2006-01-02"))
		}
		clock, rest2 := cut(rest)
		return atClock(clock, rest2, now, loc, day, false)
	case strings.Contains(first, "T") && len(first) >= 20:
		t, err := time.Parse(time.RFC3339, first)
		if err != nil {
			return When{}, "", broadcast.Errorf(broadcast.EINVALID, "%q is not an RFC 3339 time like 2026-12-01T18:45:00-08:00", first)
		}
		return future(When{At: t, Location: loc}, rest, now)
	case looksLikeCron(text):
		f := strings.Fields(text)
		return When{}, "", broadcast.Errorf(broadcast.EINVALID, "put the cron spec in quotes: \"%s\"", strings.Join(f[:5], " "))
	case clockRe.MatchString(lower):
		return atClock(first, rest, now, loc, now, true)
	}
	return When{}, "", unknownWhen(first, rest, now)
}

// quoted reads a time in quotes: a cron spec, or any other <when> written
// in quotes as help shows them ("tomorrow 09:00", "in 30m").
func quoted(text string, now time.Time, loc *time.Location) (When, string, error) {
	inner, rest, ok := unquote(text)
	if !ok {
		return When{}, "", broadcast.Errorf(broadcast.EINVALID, "the cron spec has no closing quote: write it like \"0 9 * * *\"")
	}
	w, err := ParseSpec(inner, loc)
	if err == nil || looksLikeCron(inner) || strings.ContainsAny(inner, "*@") || strings.Contains(inner, "TZ=") {
		return w, rest, err // a cron spec, or one with a mistake: its own error
	}
	pw, prest, perr := ParseWhen(inner, now, loc)
	switch {
	case perr != nil:
		return When{}, "", perr
	case prest != "":
		return When{}, "", broadcast.Errorf(broadcast.EINVALID, "%q is not a time: put only the time in quotes, like \"tomorrow 09:00\"", inner)
	}
	return pw, rest, nil
}

// unquote splits text that starts with a quote into what is between the
// quotes and what follows; ok is false without a closing quote.
func unquote(text string) (inner, rest string, ok bool) {
	size, closing := 1, text[:1]
	if strings.HasPrefix(text, "“") {
		size, closing = len("“"), "”"
	}
	body := text[size:]
	end := strings.Index(body, closing)
	if end < 0 {
		return "", "", false
	}
	return strings.TrimSpace(body[:end]), strings.TrimSpace(body[end+len(closing):]), true
}

// parseDelay reads "30m", "2h", "1h30m", "45 minutes", "2 hours".
func parseDelay(text string, now time.Time, loc *time.Location) (When, string, error) {
	n, rest := cut(text)
	d, err := time.ParseDuration(n)
	if err != nil {
		unit, rest2 := cut(rest)
		if v, perr := strconv.Atoi(n); perr == nil && unitOf(unit) > 0 {
			d, err, rest = time.Duration(v)*unitOf(unit), nil, rest2
		}
	}
	switch {
	case err != nil:
		if _, perr := strconv.Atoi(n); perr == nil {
			return When{}, "", broadcast.Errorf(broadcast.EINVALID, "in %s what? did you mean \"in %sm\" (minutes) or \"in %sh\" (hours)?", n, n, n)
		}
		return When{}, "", broadcast.Errorf(broadcast.EINVALID, "%q is not a delay; write it like \"in 30m\" or \"in 2h\"", "in "+n)
	case d < time.Minute:
		return When{}, "", broadcast.Errorf(broadcast.EINVALID, "the delay must be at least a minute; for now, use /sms send")
	}
	return When{At: now.Add(d).Truncate(time.Second), Location: loc}, rest, nil
}

func unitOf(u string) time.Duration {
	switch strings.ToLower(strings.TrimSuffix(strings.ToLower(u), "s")) {
	case "min", "minute", "m":
		return time.Minute
	case "hour", "hr", "h":
		return time.Hour
	case "day", "d":
		return 24 * time.Hour
	}
	return 0
}

// atClock sets the clock time written as clock on day. next moves a time
// that has passed to the next day.
func atClock(clock, rest string, now time.Time, loc *time.Location, day time.Time, next bool) (When, string, error) {
	m := clockRe.FindStringSubmatch(strings.ToLower(clock))
	if m == nil {
		return When{}, "", broadcast.Errorf(broadcast.EINVALID, "%q is not a time of day; write it like 18:45", clock)
	}
	h, _ := strconv.Atoi(m[1])
	mins := 0
	if m[2] != "" {
		mins, _ = strconv.Atoi(m[2])
	}
	switch {
	case m[3] == "" && m[2] == "":
		return When{}, "", broadcast.Errorf(broadcast.EINVALID, "%q is not a time of day: did you mean %02d:00 or in %sh?", clock, h, m[1])
	case m[3] == "" && h >= 1 && h <= 12 && len(m[1]) == 1:
		return When{}, "", broadcast.Errorf(broadcast.EINVALID, "%q is ambiguous: did you mean %02d:%02d or %02d:%02d?", clock, h, mins, h+12, mins)
	case m[3] != "" && (h < 1 || h > 12):
		return When{}, "", broadcast.Errorf(broadcast.EINVALID, "%q is not a time of day; write it like 6:45pm or 18:45", clock)
	case m[3] == "pm" && h != 12:
		h += 12
	case m[3] == "am" && h == 12:
		h = 0
	}
	if h > 23 || mins > 59 {
		return When{}, "", broadcast.Errorf(broadcast.EINVALID, "%q is not a time of day; write it like 18:45", clock)
	}
	at := time.Date(day.Year(), day.Month(), day.Day(), h, mins, 0, 0, loc)
	if next && !at.After(now) {
		at = time.Date(day.Year(), day.Month(), day.Day()+1, h, mins, 0, 0, loc)
	}
	return future(When{At: at, Location: loc}, rest, now)
}

func future(w When, rest string, now time.Time) (When, string, error) {
	if !w.At.After(now) {
		return When{}, "", broadcast.Errorf(broadcast.EINVALID, "%s has passed", w.At.In(w.Location).Format("Mon 2 Jan 15:04 MST"))
	}
	return w, rest, nil
}

func weekday(s string) time.Weekday {
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		if s == name || len(s) >= 3 && strings.HasPrefix(name, s) {
			return d
		}
	}
	return -1
}

// unknownWhen explains what a <when> should look like, guessing at typos.
func unknownWhen(first, rest string, now time.Time) error {
	lower := strings.ToLower(first)
	switch {
	case strings.HasPrefix(lower, "tom") || strings.HasPrefix(lower, "tmr") || lower == "tommorow" || lower == "tomorow":
		return broadcast.Errorf(broadcast.EINVALID, "%q: did you mean tomorrow?", first)
	case slashRe.MatchString(first):
		m := slashRe.FindStringSubmatch(first)
		a, b := m[1], m[2]
		y := now.Year()
		return broadcast.Errorf(broadcast.EINVALID, "%q is ambiguous: did you mean %d-%02s-%02s or %d-%02s-%02s? write dates as YYYY-MM-DD", first, y, pad(a), pad(b), y, pad(b), pad(a))
	}
	return broadcast.Errorf(broadcast.EINVALID, "%q is not a time: write 18:45, tomorrow 09:00, 2026-12-01 18:45, in 30m, or a cron spec in quotes like \"0 9 * * *\"", first)
}

func pad(s string) string { return fmt.Sprintf("%02s", s) }

var cronFieldRe = regexp.MustCompile(`^(\*|\d+)([,/-]\d+)*$|^\*/\d+$|^[A-Za-z]{3}(-[A-Za-z]{3})?$`)

// looksLikeCron reports whether text starts with five cron fields, one of
// them a star: a spec someone forgot to quote.
func looksLikeCron(text string) bool {
	f := strings.Fields(text)
	if len(f) < 5 {
		return false
	}
	star := false
	for _, x := range f[:5] {
		if !cronFieldRe.MatchString(x) {
			return false
		}
		star = star || strings.Contains(x, "*")
	}
	return star
}

// cut splits the first word off s.
func cut(s string) (string, string) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, " \t\n")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}
