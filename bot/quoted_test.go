package bot_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"smsbot/bot"
)

// pathFiles opens files under dir by the ref a command names, as the
// console does, and records the refs.
type pathFiles struct {
	dir  string
	refs *[]string
}

func (f pathFiles) Open(_ context.Context, ref string) (string, io.ReadCloser, error) {
	*f.refs = append(*f.refs, ref)
	r, err := os.Open(filepath.Join(f.dir, ref))
	return ref, r, err
}

func (pathFiles) SaveReport(context.Context, string, string) (string, error) { return "kept", nil }

// TestQuotedArgumentsEverywhere: a quoted argument is one argument, read
// without its quotes, in every command. Before, import kept the quotes in
// a path ("there is no file \"my crew.csv\""), split a quoted list name
// (`list name "\"my" may only…`), and lists rename gave a bare usage error.
func TestQuotedArgumentsEverywhere(t *testing.T) {
	b := setup(t, "alice")
	b.do("alice", "numbers add +12065550101 100")
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "csv", "crew.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "my crew.csv"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	var refs []string
	files := pathFiles{dir, &refs}
	run := func(cmd string) []bot.Message {
		b.router.Command(context.Background(), bot.Invocation{User: "alice", Channel: "test", Text: cmd, Files: files}, b.conv)
		return b.conv.take()
	}
	for _, cmd := range []string{`import crew "my crew.csv"`, `import crew “my crew.csv”`, `import crew my crew.csv`} {
		got := run(cmd)
		if len(got) != 1 || !strings.HasPrefix(got[0].Title, "Imported 2 contacts into crew") {
			t.Fatalf("%s answered %+v (refs %q)", cmd, got, refs)
		}
	}
	if want := "my crew.csv my crew.csv my crew.csv"; strings.Join(refs, " ") != want {
		t.Fatalf("opened %q", refs)
	}
	oneError(t, run(`import "my crew" x.csv`), `list name "my crew" may only have letters, digits, - _ and .`)
	b.refused(t, "alice", `lists rename crew "my crew"`, `list name "my crew" may only have letters, digits, - _ and .`)
	b.refused(t, "alice", `add "my crew" +12065550105`, `list name "my crew" may only have letters`)
	b.refused(t, "alice", `send "my crew" hi`, `there is no list named "my crew"`, `\"`)
	b.refused(t, "alice", `list 'my crew'`, `there is no list named "my crew"`, `\"`)
	b.refused(t, "alice", `lists delete "my crew"`, `there is no list named "my crew"`, `\"`)
	b.refused(t, "alice", `import undo "my crew"`, `there is no list named "my crew"`, `\"`)
	oneError(t, run(`import "my crew.csv" crew`), `my crew.csv is a file name, not a list: did you mean /sms import crew "my crew.csv"?`)
	if got := b.do("alice", `send "crew" hi`); len(got) != 1 || strings.HasPrefix(got[0].Text, "⚠️") {
		t.Fatalf("quoted list on send: %+v", got)
	}
	if got := b.do("alice", `lists rename "crew" 'team'`); len(got) != 1 || got[0].Text != "Renamed list crew to team." {
		t.Fatalf("quoted rename: %+v", got)
	}
}
