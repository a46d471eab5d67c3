package main

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// etcLocaltime is the file the machine's zone is read from (Go's own
// default for time.Local on Unix).
const etcLocaltime = "/etc/localtime"

// localZone returns this machine's time zone under a proper name, for an
// empty SMSBOT_TZ. time.Local is named "Local", which is what answers and
// notices would show; this finds the zone's real name instead, as Go
// finds the zone itself: $TZ (tz), else the zoneinfo file localtime
// links to (Europe/Berlin), else /etc/timezone beside it, else the zone's
// abbreviation (CET) with localtime's rules. Without a localtime file the
// machine is on UTC, as for Go.
func localZone(tz, localtime string) *time.Location {
	if tz = strings.TrimPrefix(tz, ":"); tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			return loc
		}
	}
	if target, err := filepath.EvalSymlinks(localtime); err == nil {
		if _, name, ok := strings.Cut(filepath.ToSlash(target), "zoneinfo/"); ok {
			if loc, err := time.LoadLocation(name); err == nil {
				return loc
			}
		}
	}
	data, err := os.ReadFile(localtime)
	if err != nil {
		return time.UTC
	}
	if b, err := os.ReadFile(filepath.Join(filepath.Dir(localtime), "timezone")); err == nil {
		if name := strings.TrimSpace(string(b)); name != "" {
			if loc, err := time.LoadLocationFromTZData(name, data); err == nil {
				return loc
			}
		}
	}
	loc, err := time.LoadLocationFromTZData("Local", data)
	if err != nil {
		return time.UTC
	}
	abbr, _ := time.Now().In(loc).Zone()
	if loc, err := time.LoadLocationFromTZData(abbr, data); err == nil && abbr != "" {
		return loc
	}
	return time.UTC
}
