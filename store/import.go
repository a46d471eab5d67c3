package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"smsbot/importer"
)

var _ importer.Store = (*Store)(nil)

// ImportContacts runs an import in one transaction: the named list is
// created if needed, and fn's rows become contacts on it. If fn fails,
// nothing of the import remains.
func (s *Store) ImportContacts(ctx context.Context, list, actor string, fn func(importer.Writer) error) error {
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		now := s.nowUTC()
		l, _, err := ensureList(ctx, tx, list, now)
		if err != nil {
			return err
		}
		w := &importWriter{tx: tx, sql: s.sql, listID: l.ID, now: now}
		if err := fn(w); err != nil {
			return err
		}
		if err := recordImportBatch(ctx, tx, s.sql, l.ID, actor, now, w.added, w.createdIDs); err != nil {
			return err
		}
		return audit(ctx, tx, now, actor, "list.import", l.Name, fmt.Sprintf("rows=%d new=%d", w.rows, w.created))
	})
	if err != nil {
		return fmt.Errorf("import contacts: %w", err)
	}
	return nil
}

// importWriter writes batches of imported rows inside the import's
// transaction, a few statements per batch.
type importWriter struct {
	tx      bun.Tx
	sql     dialectSQL
	listID  int64
	now     time.Time
	rows    int
	created int
	// added are the contacts the import put on the list, createdIDs
	// those it created: the import's batch (importbatch.go).
	added      []int64
	createdIDs map[int64]bool
}

type known struct {
	ID       int64  `bun:"id"`
	Phone    string `bun:"phone"`
	Name     string `bun:"name"`
	OptedOut bool   `bun:"opted_out"`
	OnList   bool   `bun:"on_list"`
}

func (w *importWriter) Write(ctx context.Context, rows []importer.Row) ([]importer.Result, error) {
	w.rows += len(rows)
	phones := make([]string, len(rows))
	for i, r := range rows {
		phones[i] = r.Phone
	}
	pj, _ := json.Marshal(phones)
	var existing []known
	err := w.tx.NewRaw(`SELECT c.id, c.phone, c.name, c.opted_out_at IS NOT NULL AS opted_out,
			EXISTS (SELECT 1 FROM memberships mb WHERE mb.list_id = ? AND mb.contact_id = c.id) AS on_list
		FROM contacts c WHERE c.phone IN (`+w.sql.jsonTexts+`)`, w.listID, string(pj)).Scan(ctx, &existing)
	if err != nil {
		return nil, fmt.Errorf("look up contacts: %w", err)
	}
	byPhone := make(map[string]known, len(existing))
	for _, k := range existing {
		byPhone[k.Phone] = k
	}
	var fresh, names, fields [][]any
	for _, r := range rows {
		fj := "{}"
		if len(r.Fields) > 0 {
			b, _ := json.Marshal(r.Fields)
			fj = string(b)
		}
		k, ok := byPhone[r.Phone]
		switch {
		case !ok:
			fresh = append(fresh, []any{r.Phone, r.Name, fj})
		default:
			if k.Name == "" && r.Name != "" {
				names = append(names, []any{r.Name, k.ID})
			}
			if fj != "{}" {
				fields = append(fields, []any{fj, k.ID})
			}
		}
	}
	if len(fresh) > 0 {
		fjs, _ := json.Marshal(fresh)
		var created []known
		err := w.tx.NewRaw(`INSERT INTO contacts (phone, name, fields, created_at)
			SELECT j.value->>0, j.value->>1, j.value->>2, ? FROM `+w.sql.jsonRows+` WHERE true
			RETURNING id, phone`, w.now, string(fjs)).Scan(ctx, &created)
		if err != nil {
			return nil, fmt.Errorf("add contacts: %w", err)
		}
		for _, c := range created {
			byPhone[c.Phone] = known{ID: c.ID, Phone: c.Phone}
			if w.createdIDs == nil {
				w.createdIDs = map[int64]bool{}
			}
			w.createdIDs[c.ID] = true
		}
		w.created += len(created)
	}
	// An existing contact's name is set only if it was empty; its fields
	// keep their values and gain the file's new columns.
	if err := w.each(ctx, `UPDATE contacts SET name = ? WHERE id = ? AND name = ''`, names); err != nil {
		return nil, fmt.Errorf("name contacts: %w", err)
	}
	if err := w.each(ctx, `UPDATE contacts SET fields = `+w.sql.jsonPatch+` WHERE id = ?`, fields); err != nil {
		return nil, fmt.Errorf("update contact fields: %w", err)
	}
	existed := make(map[string]bool, len(existing))
	for _, k := range existing {
		existed[k.Phone] = true
	}
	ids := make([]int64, len(rows))
	out := make([]importer.Result, len(rows))
	for i, r := range rows {
		k := byPhone[r.Phone]
		ids[i] = k.ID
		out[i] = importer.Result{New: !existed[r.Phone], OnList: k.OnList, OptedOut: k.OptedOut}
	}
	ij, _ := json.Marshal(ids)
	var added []int64
	if err := w.tx.NewRaw(`INSERT INTO memberships (list_id, contact_id, added_at)
		SELECT ?, v.value, ? FROM (`+w.sql.jsonInts+`) AS v WHERE true ON CONFLICT DO NOTHING RETURNING contact_id`, w.listID, w.now, string(ij)).Scan(ctx, &added); err != nil {
		return nil, fmt.Errorf("add to list: %w", err)
	}
	w.added = append(w.added, added...)
	return out, nil
}

// each runs one prepared statement per argument list.
func (w *importWriter) each(ctx context.Context, query string, args [][]any) error {
	if len(args) == 0 {
		return nil
	}
	st, err := w.tx.Tx.PrepareContext(ctx, w.sql.rebind(query))
	if err != nil {
		return err
	}
	defer st.Close()
	for _, a := range args {
		if _, err := st.ExecContext(ctx, a...); err != nil {
			return err
		}
	}
	return nil
}
