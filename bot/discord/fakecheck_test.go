package discord_test

import (
	"fmt"
	"strconv"
	"unicode/utf16"
)

// Discord's limits on a message (discord.com/developers/docs: Message
// resource, Embed limits, Components), as its REST API enforces them. The
// fake counts lengths in UTF-16 code units (an emoji is 2), the stricter
// of the counts in use: Discord's API counts code points
// (discord-api-docs#1315), so whatever the fake takes, Discord takes.
const (
	limitContent     = 2000
	limitEmbeds      = 10
	limitTitle       = 256
	limitDescription = 4096
	limitFields      = 25
	limitFieldName   = 256
	limitFieldValue  = 1024
	limitFooter      = 2048
	limitAuthor      = 256
	limitEmbedsTotal = 6000 // all text of all embeds of a message
	limitRows        = 5
	limitButtons     = 5 // per row
	limitLabel       = 80
	limitCustomID    = 100
	limitThreadName  = 100
	limitChoices     = 25
	limitChoiceName  = 100      // and value
	limitUpload      = 10 << 20 // bytes per file, without boosts (since January 2025)
)

// length is a string's length as the fake counts it: UTF-16 units.
func length(s string) int { return len(utf16.Encode([]rune(s))) }

// checkMessage returns the errors of a 50035 Invalid Form Body for
// payload, keyed by field path as Discord nests them, or nil. empty
// reports a message with nothing to show (50006).
func checkMessage(payload map[string]any, files int) (errs map[string]any, empty bool) {
	errs = map[string]any{}
	put := func(code, msg string, path ...string) {
		m := errs
		for _, p := range path {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		list, _ := m["_errors"].([]any)
		m["_errors"] = append(list, map[string]any{"code": code, "message": msg})
	}
	maxLen := func(v any, n int, path ...string) int {
		s, _ := v.(string)
		c := length(s)
		if c > n {
			put("BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", n), path...)
		}
		return c
	}
	content, _ := payload["content"].(string)
	maxLen(content, limitContent, "content")
	embeds, _ := payload["embeds"].([]any)
	if len(embeds) > limitEmbeds {
		put("BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", limitEmbeds), "embeds")
	}
	total := 0
	for i, e := range embeds {
		e, _ := e.(map[string]any)
		at := strconv.Itoa(i)
		total += maxLen(e["title"], limitTitle, "embeds", at, "title")
		total += maxLen(e["description"], limitDescription, "embeds", at, "description")
		if footer, ok := e["footer"].(map[string]any); ok {
			total += maxLen(footer["text"], limitFooter, "embeds", at, "footer", "text")
		}
		if author, ok := e["author"].(map[string]any); ok {
			total += maxLen(author["name"], limitAuthor, "embeds", at, "author", "name")
		}
		fields, _ := e["fields"].([]any)
		if len(fields) > limitFields {
			put("BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", limitFields), "embeds", at, "fields")
		}
		for j, fl := range fields {
			fl, _ := fl.(map[string]any)
			jt := strconv.Itoa(j)
			for _, k := range []string{"name", "value"} {
				if s, _ := fl[k].(string); s == "" {
					put("BASE_TYPE_REQUIRED", "This field is required", "embeds", at, "fields", jt, k)
				}
			}
			total += maxLen(fl["name"], limitFieldName, "embeds", at, "fields", jt, "name")
			total += maxLen(fl["value"], limitFieldValue, "embeds", at, "fields", jt, "value")
		}
	}
	if total > limitEmbedsTotal {
		put("MAX_EMBED_SIZE_EXCEEDED", fmt.Sprintf("Embed size exceeds maximum size of %d", limitEmbedsTotal), "embeds")
	}
	rows, _ := payload["components"].([]any)
	if len(rows) > limitRows {
		put("BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", limitRows), "components")
	}
	buttons := 0
	for i, row := range rows {
		row, _ := row.(map[string]any)
		comps, _ := row["components"].([]any)
		at := strconv.Itoa(i)
		if len(comps) > limitButtons {
			put("BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", limitButtons), "components", at, "components")
		}
		for j, c := range comps {
			c, _ := c.(map[string]any)
			jt := strconv.Itoa(j)
			buttons++
			maxLen(c["label"], limitLabel, "components", at, "components", jt, "label")
			if id, _ := c["custom_id"].(string); id == "" && c["style"] != float64(5) { // link buttons have a URL instead
				put("BASE_TYPE_REQUIRED", "This field is required", "components", at, "components", jt, "custom_id")
			}
			maxLen(c["custom_id"], limitCustomID, "components", at, "components", jt, "custom_id")
		}
	}
	if len(errs) > 0 {
		return errs, false
	}
	return nil, content == "" && len(embeds) == 0 && files == 0 && buttons == 0
}

// checkCallback returns the errors of a 50035 for an interaction
// callback's body, or nil: autocomplete choices over Discord's limits.
func checkCallback(body map[string]any) map[string]any {
	data, _ := body["data"].(map[string]any)
	choices, _ := data["choices"].([]any)
	errs := map[string]any{}
	if len(choices) > limitChoices {
		errs["choices"] = map[string]any{"_errors": []any{map[string]any{"code": "BASE_TYPE_MAX_LENGTH", "message": fmt.Sprintf("Must be %d or fewer in length.", limitChoices)}}}
	}
	for i, c := range choices {
		c, _ := c.(map[string]any)
		for _, k := range []string{"name", "value"} {
			if s, ok := c[k].(string); ok && (length(s) > limitChoiceName || s == "") {
				errs["choices."+strconv.Itoa(i)+"."+k] = map[string]any{"_errors": []any{map[string]any{"code": "BASE_TYPE_BAD_LENGTH",
					"message": fmt.Sprintf("Must be between 1 and %d in length.", limitChoiceName)}}}
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}
