package slack_test

import (
	"encoding/json"
	"fmt"
	"unicode/utf16"
)

// Slack's limits on a message, as its Web API enforces them
// (docs.slack.dev: chat.postMessage, Block Kit blocks and elements).
// Slack counts "characters" without saying which; the fake takes the
// strictest reading of each limit (length), so an adapter that counts code
// points where Slack may count UTF-16 units or bytes fails here first.
// Besides each text's limit, Slack refuses blocks whose texts are too long
// together (msg_blocks_too_long, an undocumented total observed near
// 13,000; the fake refuses over 12,000, the markdown block's documented
// total).
const (
	maxBlocksText   = 12000
	maxText         = 40000 // chat.postMessage text: msg_too_long above
	maxBlocks       = 50
	maxSectionText  = 3000
	maxFields       = 10
	maxFieldText    = 2000
	maxHeaderText   = 150
	maxActions      = 25
	maxContext      = 10
	maxButtonText   = 75
	maxActionID     = 255
	maxButtonValue  = 2000
	maxBlockID      = 255
	maxContextText  = 2000 // a context element's text (Slack: 2000 for text objects in context)
	minTextOfObject = 1
)

// checkMessage returns the error Slack would answer a message with: its
// error code and, for invalid_blocks, what is wrong where (as Slack words
// it, with a JSON pointer). "" when Slack would take it.
func checkMessage(text, blocks string) (string, []string) {
	if blocks == "" || blocks == "null" {
		if text == "" {
			return "no_text", nil
		}
		if length(text) > maxText {
			return "msg_too_long", nil
		}
		return "", nil
	}
	var bs []map[string]any
	if err := json.Unmarshal([]byte(blocks), &bs); err != nil {
		return "invalid_blocks_format", nil
	}
	if length(text) > maxText {
		return "msg_too_long", nil
	}
	if errs := checkBlocks(bs); len(errs) > 0 {
		return "invalid_blocks", errs
	}
	if blocksText(bs) > maxBlocksText {
		return "msg_blocks_too_long", nil
	}
	if len(bs) == 0 && text == "" {
		return "no_text", nil
	}
	return "", nil
}

func checkBlocks(bs []map[string]any) []string {
	var errs []string
	fail := func(msg, ptr string) { errs = append(errs, fmt.Sprintf("%s [json-pointer:%s]", msg, ptr)) }
	check := func(s string, n int, ptr string) {
		switch c := length(s); {
		case c > n:
			fail(fmt.Sprintf("must be less than %d characters", n+1), ptr)
		case c < minTextOfObject:
			fail("must be more than 0 characters", ptr)
		}
	}
	count := func(v any, n int, ptr string) []any {
		items, _ := v.([]any)
		if len(items) > n {
			fail(fmt.Sprintf("no more than %d items allowed", n), ptr)
		}
		return items
	}
	if len(bs) > maxBlocks {
		fail(fmt.Sprintf("no more than %d items allowed", maxBlocks), "/blocks")
	}
	for i, b := range bs {
		at := fmt.Sprintf("/blocks/%d", i)
		if id, _ := b["block_id"].(string); length(id) > maxBlockID {
			fail(fmt.Sprintf("must be less than %d characters", maxBlockID+1), at+"/block_id")
		}
		switch b["type"] {
		case "section":
			text, hasText := b["text"].(map[string]any)
			fields := count(b["fields"], maxFields, at+"/fields")
			if !hasText && len(fields) == 0 {
				fail("must provide either text or fields", at)
			}
			if hasText {
				s, _ := text["text"].(string)
				check(s, maxSectionText, at+"/text/text")
			}
			for j, f := range fields {
				s, _ := f.(map[string]any)["text"].(string)
				check(s, maxFieldText, fmt.Sprintf("%s/fields/%d/text", at, j))
			}
		case "header":
			text, _ := b["text"].(map[string]any)
			s, _ := text["text"].(string)
			check(s, maxHeaderText, at+"/text/text")
		case "context":
			for j, e := range count(b["elements"], maxContext, at+"/elements") {
				if s, ok := e.(map[string]any)["text"].(string); ok {
					check(s, maxContextText, fmt.Sprintf("%s/elements/%d/text", at, j))
				}
			}
		case "actions":
			for j, e := range count(b["elements"], maxActions, at+"/elements") {
				el, _ := e.(map[string]any)
				ptr := fmt.Sprintf("%s/elements/%d", at, j)
				if el["type"] != "button" {
					continue
				}
				text, _ := el["text"].(map[string]any)
				s, _ := text["text"].(string)
				check(s, maxButtonText, ptr+"/text/text")
				if id, _ := el["action_id"].(string); length(id) > maxActionID {
					fail(fmt.Sprintf("must be less than %d characters", maxActionID+1), ptr+"/action_id")
				}
				if v, _ := el["value"].(string); length(v) > maxButtonValue {
					fail(fmt.Sprintf("must be less than %d characters", maxButtonValue+1), ptr+"/value")
				}
			}
		case "divider", "image", "rich_text", "input", "file", "video", "markdown":
		default:
			fail(fmt.Sprintf("unsupported type %v", b["type"]), at+"/type")
		}
	}
	return errs
}

// length is the strictest count of s that Slack's "characters" may mean:
// UTF-8 bytes and UTF-16 code units, whichever is more (bytes, for every
// string: "é" is 2, "中" 3, "😀" 4).
func length(s string) int {
	return max(len(s), len(utf16.Encode([]rune(s))))
}

// blocksText is the length of all the texts in blocks together.
func blocksText(bs []map[string]any) int {
	n := 0
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				if s, ok := c.(string); ok && k == "text" {
					n += length(s)
				}
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	for _, b := range bs {
		walk(b)
	}
	return n
}
