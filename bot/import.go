package bot

import (
	"context"
	"fmt"
	"os"
	"strings"

	"smsbot/broadcast"
	"smsbot/importer"
)

// importCmd imports contacts: /sms import <list> [file]. Without a file,
// on a platform with uploads, the user's next upload in the channel within
// five minutes is the file.
func (r *Router) importCmd(ctx context.Context, inv Invocation, args string, _ Conversation) (Message, error) {
	list, ref := cutArg(args)
	ref = listName(ref) // a quoted path ("my crew.csv") is read without its quotes
	if list == "" {
		return Message{}, usage("import <list> <file.csv>")
	}
	if looksLikeFile(list) {
		if w := words(ref); len(w) == 1 && !looksLikeFile(w[0]) && validListName(listName(w[0])) == nil {
			return Message{}, swapped("a file name", list, "import", listName(w[0]), quoteArg(list))
		}
		return Message{}, broadcast.Errorf(broadcast.EINVALID, "%s is a file name, not a list: write /sms import <list> %s", list, quoteArg(list))
	}
	if err := validListName(list); err != nil {
		return Message{}, err
	}
	if ref == "" {
		if !inv.Uploads {
			return Message{}, usage("import <list> <file.csv>")
		}
		r.uploads.expect(inv.User, inv.Channel, list, r.clock.Now().Add(uploadWindow))
		return reply(fmt.Sprintf("📎 Upload the CSV file to this channel within 5 minutes and it will be imported into %s.", list)), nil
	}
	if inv.Files == nil {
		return Message{}, broadcast.Errorf(broadcast.EINVALID, "files cannot be opened here; upload the CSV after /sms import %s", list)
	}
	_, m, err := r.Import(ctx, inv.User, list, ref, inv.Files)
	return m, err
}

// Upload handles a file shared in a channel: if its user asked to import
// into a list there within the last five minutes, the file is imported and
// the report posted. It reports whether the file was taken.
func (r *Router) Upload(ctx context.Context, up Upload, conv Conversation) bool {
	list, ok := r.uploads.take(up.User, up.Channel, r.clock.Now())
	if !ok {
		return false
	}
	_, m, err := r.Import(ctx, up.User, list, up.Ref, up.Files)
	if err != nil {
		m = r.errorMessage(r.log.With("user", up.User, "command", "import"), err)
	}
	if _, err := conv.Post(ctx, m); err != nil {
		r.log.Error("posting import report failed", "err", Redact(err))
	}
	return true
}

// Import imports the file ref into list for user and returns the report
// and its message. The file is read whole into a temporary file first, up
// to Config.MaxImportBytes (a larger one gets FileTooLarge), so the
// database is not held while it downloads. The per-row report is kept by
// files.
func (r *Router) Import(ctx context.Context, user, list, ref string, files Files) (importer.Report, Message, error) {
	if err := r.access.change(user); err != nil {
		return importer.Report{}, Message{}, err
	}
	name, in, err := files.Open(ctx, ref)
	if err != nil {
		return importer.Report{}, Message{}, err
	}
	defer in.Close()
	// The whole file is read before the import's transaction opens.
	file, err := spool(in, name, r.cfg.MaxImportBytes)
	if err != nil {
		return importer.Report{}, Message{}, err
	}
	defer os.Remove(file.Name())
	defer file.Close()
	tmp, err := os.CreateTemp("", "smsbot-import-*.csv")
	if err != nil {
		return importer.Report{}, Message{}, fmt.Errorf("import report: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	rep, err := importer.Import(ctx, r.dir, list, user, file, importer.Config{Region: r.cfg.Region, Report: tmp})
	if err != nil {
		return rep, Message{}, err
	}
	if err := tmp.Close(); err != nil {
		return rep, Message{}, fmt.Errorf("import report: %w", err)
	}
	where, err := files.SaveReport(ctx, name, tmp.Name())
	if err != nil {
		r.log.Error("keeping the import report failed", "err", Redact(err))
		where = "not kept: " + Redact(err).Error()
	}
	r.log.Info("contacts imported", "user", user, "list", list, "rows", rep.Rows, "imported", rep.Imported, "invalid", rep.Invalid)
	return rep, importMessage(rep, where), nil
}

// maxRawShown is the most of a bad cell an import's message quotes, in
// UTF-16 code units: the full report has the rest.
const maxRawShown = 40

// importMessage shows an import's report.
func importMessage(rep importer.Report, where string) Message {
	// Only for the person who imported: it may quote rows of the file.
	m := Message{Title: fmt.Sprintf("Imported %s into %s", plural(rep.Imported, "contact"), rep.List), Ephemeral: true}
	counts := []string{fmt.Sprintf("%d new", rep.New), fmt.Sprintf("%d already present", rep.Existing)}
	if rep.OnList > 0 {
		counts[1] += fmt.Sprintf(" (%d already on the list)", rep.OnList)
	}
	var skipped []string
	if rep.NoConsent > 0 {
		skipped = append(skipped, fmt.Sprintf("%d without consent", rep.NoConsent))
	}
	if rep.Duplicate > 0 {
		skipped = append(skipped, fmt.Sprintf("%d duplicate", rep.Duplicate))
	}
	if rep.Invalid > 0 {
		skipped = append(skipped, fmt.Sprintf("%d invalid", rep.Invalid))
	}
	m.Text = fmt.Sprintf("%s: %s.", plural(rep.Rows, "row"), strings.Join(counts, ", "))
	if len(skipped) > 0 {
		m.Text += " Skipped " + strings.Join(skipped, ", ") + "."
	}
	if rep.Encoding != "" {
		m.Text += " Read as " + rep.Encoding + "."
	}
	if rep.OptedOut > 0 {
		m.Text += fmt.Sprintf(" %s opted out before and will not be texted.", plural(rep.OptedOut, "contact"))
	}
	cols := []string{"phone: " + rep.PhoneColumn}
	if len(rep.NameColumns) > 0 {
		cols = append(cols, "name: "+strings.Join(rep.NameColumns, " + "))
	}
	if rep.ConsentColumn != "" {
		cols = append(cols, "consent: "+rep.ConsentColumn)
	}
	if len(rep.Fields) > 0 {
		cols = append(cols, "merge fields: "+strings.Join(rep.Fields, ", "))
	}
	m.Fields = append(m.Fields, Field{"Columns", strings.Join(cols, "; ")})
	if len(rep.Problems) > 0 {
		var lines []string
		for _, p := range rep.Problems {
			lines = append(lines, fmt.Sprintf("line %d: %q %s", p.Line, clip(p.Raw, maxRawShown), p.Reason))
		}
		label := "Invalid rows"
		if rep.Invalid > len(rep.Problems) {
			label = fmt.Sprintf("Invalid rows (first %d of %d)", len(rep.Problems), rep.Invalid)
		}
		m.Fields = append(m.Fields, Field{label, strings.Join(lines, "\n")})
	}
	m.Fields = append(m.Fields, Field{"Full report", where})
	return m
}
