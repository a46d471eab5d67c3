package broadcast

import (
	"context"
)

// PreviewNamed is how many skipped recipients, and how many lacking a
// merge field, a preview names.
const PreviewNamed = 5

// Missing is a recipient whose text lacks merge fields that have no
// default: they would render empty.
type Missing struct {
	Contact Contact
	Fields  []string
}

// LeftOut is who a broadcast leaves out or texts with a field missing, as
// its list is now.
type LeftOut struct {
	Broadcast Broadcast
	// Skipped are members opted out or flagged invalid (see
	// Contact.OptedOutAt and InvalidReason), oldest contact first;
	// SkippedTotal counts them all.
	Skipped      []Contact
	SkippedTotal int
	// Missing are recipients lacking a merge field, in contact order;
	// MissingTotal counts them all.
	Missing      []Missing
	MissingTotal int
}

// LeftOut returns up to limit of the members broadcast id skips and up to
// limit of those missing a merge field, with the totals. It reads the
// list as it is now: for a broadcast already sent, members may have
// changed since. An unknown id is ENOTFOUND.
func (e *Engine) LeftOut(ctx context.Context, id int64, limit int) (LeftOut, error) {
	b, err := e.store.Broadcast(ctx, id)
	if err != nil {
		return LeftOut{}, err
	}
	out := LeftOut{Broadcast: b}
	aud, err := e.store.Audience(ctx, b.Target())
	if err != nil {
		return LeftOut{}, err
	}
	out.SkippedTotal = aud.OptedOut + aud.Invalid
	if out.SkippedTotal > 0 {
		if out.Skipped, err = e.store.SkippedMembers(ctx, b.Target(), limit); err != nil {
			return LeftOut{}, err
		}
	}
	tmpl, err := ParseTemplate(b.Body)
	if err != nil || !tmpl.Personal() {
		return out, nil // a stored body parsed when it was prepared
	}
	err = e.store.EachRecipient(ctx, b.Target(), func(c Contact) error {
		if _, lacks := tmpl.Render(c); len(lacks) > 0 {
			out.MissingTotal++
			if len(out.Missing) < limit {
				out.Missing = append(out.Missing, Missing{Contact: c, Fields: lacks})
			}
		}
		return nil
	})
	return out, err
}
