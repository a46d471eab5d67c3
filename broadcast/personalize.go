package broadcast

import (
	"context"
	"slices"
)

// personalize renders a template for every recipient of a list, to count
// segments exactly and to find texts that would be too long or lack a
// field. A field no recipient has is an EINVALID error (see
// knownFields.check). It writes nothing.
func (e *Engine) personalize(ctx context.Context, t Target, tmpl Template, p *Preview) error {
	p.Personal, p.TotalSegments = true, 0
	var longest string
	longestSegs, tooLong := 0, 0
	nonGSM := map[rune]bool{}
	var nonGSMOrder []rune
	missing := map[string]bool{}
	known := knownFields{}
	err := e.store.EachRecipient(ctx, t, func(c Contact) error {
		known.add(c)
		text, lacks := tmpl.Render(c)
		if p.Example == "" {
			p.Example = text
		}
		if len(lacks) > 0 {
			p.Missing++
			if len(p.MissingSample) < PreviewNamed {
				p.MissingSample = append(p.MissingSample, Missing{Contact: c, Fields: lacks})
			}
			for _, f := range lacks {
				missing[f] = true
			}
		}
		info := CountSegments(text)
		if info.Units > MaxBodyChars {
			tooLong++
		}
		p.TotalSegments += info.Segments
		if info.Segments > longestSegs || longest == "" {
			longest, longestSegs = text, info.Segments
		}
		if p.MinSegments == 0 || info.Segments < p.MinSegments {
			p.MinSegments = info.Segments
		}
		for _, r := range info.NonGSM {
			if !nonGSM[r] {
				nonGSM[r] = true
				nonGSMOrder = append(nonGSMOrder, r)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := known.check(tmpl); err != nil {
		return err
	}
	if tooLong > 0 {
		return Errorf(EINVALID, "with its merge fields, the text would be over %d characters for %d recipients; shorten it", MaxBodyChars, tooLong)
	}
	p.Segments = CountSegments(longest)
	if len(nonGSMOrder) > 0 {
		p.Segments.Encoding, p.Segments.NonGSM = UCS2, nonGSMOrder
	}
	for f := range missing {
		p.MissingFields = append(p.MissingFields, f)
	}
	slices.Sort(p.MissingFields)
	return nil
}
