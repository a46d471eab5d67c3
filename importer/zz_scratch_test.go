package importer_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"smsbot/broadcast"
	"smsbot/importer"
	"smsbot/store"
)

func TestZZScratch(t *testing.T) {
	for _, in := range []string{"555-0114", "123-456-7890", "+999 123", "12345", "call me", "+49 1512 3456789", "+91 98765 43210", "+61 412 345 678", "206.555.0101 x12", "1-206-555-0102", "+1 206 555 01", "06 12 34 56 78", "04 72 00 00 00", "01 23", "+1 206-555-0100", "x", "+", "00", "1", "12065550100"} {
		e, r := broadcast.CheckPhone(in, "US")
		e2, r2 := broadcast.CheckPhone(in, "FR")
		fmt.Printf("%-20q US=%q %q  FR=%q %q\n", in, e, r, e2, r2)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "db")})
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	in := "name,phone,email\nAlice Moreau,(206) 555-0130,alice@example.com\n\"Bob \"\"The Builder\"\" Stone,(206) 555-0131,bob@example.com\nCarol Reyes,(206) 555-0132,carol@example.com\nDan Wu\nErin,Sales,(206) 555-0134,e@x\nFinn,(206) 555-0135,f@x\n"
	rep, err := importer.Import(ctx, st, "l", "t", strings.NewReader(in), importer.Config{Report: &sb})
	fmt.Printf("%+v %v\n%s", rep, err, sb.String())
}
