package slack_test

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Slack's limits on a message, as its Web API enforces them
// (docs.slack.dev: chat.postMessage, Block Kit blocks and elements).
const (
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
		if utf8.RuneCountInString(text) > maxText {
			return "msg_too_long", nil
		}
		return "", nil
	}
	var bs []map[string]any
	if err := json.Unmarshal([]byte(blocks), &bs); err != nil {
		return "invalid_blocks_format", nil
	}
	if utf8.RuneCountInString(text) > maxText {
		return "msg_too_long", nil
	}
	if errs := checkBlocks(bs); len(errs) > 0 {
		return "invalid_blocks", errs
	}
	if len(bs) == 0 && text == "" {
		return "no_text", nil
	}
	return "", nil
}

func checkBlocks(bs []map[string]any) []string {
	var errs []string
	fail := func(msg, ptr string) { errs = append(errs, fmt.Sprintf("%s [json-pointer:%s]", msg, ptr)) }
	length := func(s string, n int, ptr string) {
		switch c := utf8.RuneCountInString(s); {
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
		if id, _ := b["block_id"].(string); utf8.RuneCountInString(id) > maxBlockID {
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
				length(s, maxSectionText, at+"/text/text")
			}
			for j, f := range fields {
				s, _ := f.(map[string]any)["text"].(string)
				length(s, maxFieldText, fmt.Sprintf("%s/fields/%d/text", at, j))
			}
		case "header":
			text, _ := b["text"].(map[string]any)
			s, _ := text["text"].(string)
			length(s, maxHeaderText, at+"/text/text")
		case "context":
			for j, e := range count(b["elements"], maxContext, at+"/elements") {
				if s, ok := e.(map[string]any)["text"].(string); ok {
					length(s, maxContextText, fmt.Sprintf("%s/elements/%d/text", at, j))
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
				length(s, maxButtonText, ptr+"/text/text")
				if id, _ := el["action_id"].(string); utf8.RuneCountInString(id) > maxActionID {
					fail(fmt.Sprintf("must be less than %d characters", maxActionID+1), ptr+"/action_id")
				}
				if v, _ := el["value"].(string); utf8.RuneCountInString(v) > maxButtonValue {
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
