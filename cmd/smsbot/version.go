package main

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// versionText is what smsbot version prints: the module's version, or
// for a build from a work tree its commit, the commit's time and whether
// the tree had changes, then the Go version it was built with.
func versionText(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "smsbot (version unknown: built without module information)"
	}
	var b strings.Builder
	b.WriteString("smsbot ")
	b.WriteString(bi.Main.Version) // "(devel)" for go build in a work tree
	if bi.Main.Version == "" {
		b.WriteString("(devel)")
	}
	vcs := map[string]string{}
	for _, s := range bi.Settings {
		vcs[s.Key] = s.Value
	}
	if rev := vcs["vcs.revision"]; rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		b.WriteString(", commit " + rev)
		if t := vcs["vcs.time"]; t != "" {
			b.WriteString(" of " + t)
		}
		if vcs["vcs.modified"] == "true" {
			b.WriteString(", with uncommitted changes")
		}
	}
	fmt.Fprintf(&b, ", built with %s", bi.GoVersion)
	return b.String()
}
