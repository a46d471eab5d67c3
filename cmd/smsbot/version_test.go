package main

import (
	"bufio"
	"debug/buildinfo"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionText(t *testing.T) {
	tests := []struct {
		what string
		bi   *debug.BuildInfo
		want string
	}{
		{"a tagged module", &debug.BuildInfo{GoVersion: "go1.23.4", Main: debug.Module{Version: "v1.2.3"}},
			"smsbot v1.2.3, built with go1.23.4"},
		{"a work tree with changes", &debug.BuildInfo{GoVersion: "go1.23.4", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "7447ca8c0123456789abcdef0123456789abcdef"},
			{Key: "vcs.time", Value: "2026-12-01T13:15:28Z"}, {Key: "vcs.modified", Value: "true"}}},
			"smsbot (devel), commit 7447ca8c0123 of 2026-12-01T13:15:28Z, with uncommitted changes, built with go1.23.4"},
		{"a clean work tree", &debug.BuildInfo{GoVersion: "go1.23.4", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "7447ca8c0123456789abcdef0123456789abcdef"},
			{Key: "vcs.time", Value: "2026-12-01T13:15:28Z"}, {Key: "vcs.modified", Value: "false"}}},
			"smsbot (devel), commit 7447ca8c0123 of 2026-12-01T13:15:28Z, built with go1.23.4"},
	}
	for _, tt := range tests {
		if got := versionText(tt.bi, true); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.what, got, tt.want)
		}
	}
	if got := versionText(nil, false); !strings.Contains(got, "unknown") {
		t.Errorf("no build info: %s", got)
	}
}

// runBinary runs the built smsbot with args and a clean environment plus
// extra, and returns its streams and exit status.
func runBinary(t *testing.T, extra []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	out := &output{name: "smsbot " + strings.Join(args, " ")}
	cmd := exec.Command(smsbotBinary(t), args...)
	cmd.Env = childEnv(extra...)
	cmd.Stdout, cmd.Stderr = &out.stdout, &out.stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatalf("%s: %v", out.name, err)
		}
		code = exit.ExitCode()
	}
	return out.stdout.String(), out.stderr.String(), code
}

// smsbot version prints one line and exits 0, even with a setting that
// would refuse to start.
func TestVersionCommand(t *testing.T) {
	stdout, stderr, code := runBinary(t, []string{"SMSBOT_REGION=XX"}, "version")
	if code != 0 || stderr != "" {
		t.Fatalf("smsbot version: exit %d, stderr %q", code, stderr)
	}
	want := regexp.MustCompile(`^smsbot \S+(, commit [0-9a-f]{12} of \S+(, with uncommitted changes)?)?, built with ` +
		regexp.QuoteMeta(runtime.Version()) + "\n$")
	if !want.MatchString(stdout) {
		t.Fatalf("smsbot version printed %q, want %s", stdout, want)
	}
	bi, err := buildinfo.ReadFile(smsbotBinary(t)) // what go version -m shows
	if err != nil {
		t.Fatal(err)
	}
	if stdout != versionText(bi, true)+"\n" {
		t.Errorf("smsbot version printed %q, not its build information's %q", stdout, versionText(bi, true))
	}
}

// smsbot help prints what -h prints, on stdout, and exits 0; a wrong
// flag prints it on stderr and exits 2.
func TestHelpCommand(t *testing.T) {
	help, helpErr, code := runBinary(t, nil, "help")
	if code != 0 || helpErr != "" {
		t.Fatalf("smsbot help: exit %d, stderr %q", code, helpErr)
	}
	dashH, _, code := runBinary(t, nil, "-h")
	if code != 0 {
		t.Fatalf("smsbot -h: exit %d", code)
	}
	if help != dashH {
		t.Errorf("smsbot help and smsbot -h differ:\n%s\n---\n%s", help, dashH)
	}
	for _, s := range []string{"Commands:", "  version ", "  help ", "-twilio-auth-token", "-misfire-grace"} {
		if !strings.Contains(help, s) {
			t.Errorf("smsbot help has no %q:\n%s", s, help)
		}
	}
	_, wrong, code := runBinary(t, nil, "-no-such-flag")
	if code != 2 || !strings.Contains(wrong, "Commands:") {
		t.Errorf("smsbot -no-such-flag: exit %d, stderr %q", code, wrong)
	}
}

// -h describes each staff-channel setting as README's configuration
// table does.
func TestHelpStaffChannelsAsReadme(t *testing.T) {
	readme := readmeMeanings(t)
	help, _, _ := runBinary(t, nil, "-h")
	flat := strings.Join(strings.Fields(help), " ")
	for _, name := range []string{"SLACK_STAFF_CHANNEL", "DISCORD_STAFF_CHANNEL"} {
		meaning, ok := readme[name]
		if !ok {
			t.Fatalf("README's configuration table has no %s row", name)
		}
		if !strings.Contains(flat, meaning+" ["+name+"]") {
			t.Errorf("-h does not describe %s as README does (%q):\n%s", name, meaning, help)
		}
	}
}

// settingName is how an environment variable is named.
var settingName = regexp.MustCompile(`^[A-Z][A-Z0-9_]+$`)

// readmeMeanings reads README's configuration table: the meaning column
// of each variable's row.
func readmeMeanings(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// | `NAME` | `-flag` | default | meaning |
		cells := strings.Split(sc.Text(), "|")
		if len(cells) >= 6 && strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			name := strings.Trim(strings.TrimSpace(cells[1]), "`")
			if !settingName.MatchString(name) {
				continue // a row of another table, with | in its cells
			}
			rows[name] = strings.TrimSpace(strings.Join(cells[4:len(cells)-1], "|"))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// README's configuration table has a row for every setting -h lists, and
// no row for a setting that does not exist.
func TestReadmeListsEverySetting(t *testing.T) {
	readme := readmeMeanings(t)
	help, _, _ := runBinary(t, nil, "-h")
	settings := map[string]bool{}
	for _, m := range regexp.MustCompile(`\[([A-Z][A-Z0-9_]+)\]`).FindAllStringSubmatch(help, -1) {
		settings[m[1]] = true
	}
	if len(settings) < 30 {
		t.Fatalf("-h names only %d settings:\n%s", len(settings), help)
	}
	for name := range settings {
		if _, ok := readme[name]; !ok {
			t.Errorf("README's configuration table has no %s row", name)
		}
	}
	for name := range readme {
		if !settings[name] {
			t.Errorf("README's configuration table has a %s row, but -h knows no such setting", name)
		}
	}
}
