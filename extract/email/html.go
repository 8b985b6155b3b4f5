package email

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// blockTags end a line of text when they open or close.
var blockTags = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true,
	"br": true, "dd": true, "div": true, "dl": true, "dt": true,
	"fieldset": true, "figcaption": true, "figure": true, "footer": true,
	"form": true, "h1": true, "h2": true, "h3": true, "h4": true,
	"h5": true, "h6": true, "header": true, "hr": true, "li": true,
	"main": true, "nav": true, "ol": true, "p": true, "pre": true,
	"section": true, "table": true, "tr": true, "ul": true, "title": true,
	"body": true, "html": true, "head": true,
}

// htmlText turns HTML into plain text with the x/net/html tokenizer:
// text nodes with their spaces collapsed, a line break at block
// elements, a space between table cells, the contents of script and
// style skipped, entities decoded.
func htmlText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0
	space := false // a space is owed before the next word
	newline := func() {
		t := b.String()
		if len(t) > 0 && !strings.HasSuffix(t, "\n") {
			b.WriteByte('\n')
		}
		space = false
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if tag == "script" || tag == "style" {
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
				continue
			}
			if blockTags[tag] {
				newline()
			} else if tag == "td" || tag == "th" {
				space = true
			}
		case html.TextToken:
			if skip > 0 {
				continue
			}
			t := string(z.Text())
			if r, _ := utf8.DecodeRuneInString(t); unicode.IsSpace(r) {
				space = true
			}
			words := strings.Fields(t)
			for _, w := range words {
				if space && b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
					b.WriteByte(' ')
				}
				b.WriteString(w)
				space = true
			}
			if r, _ := utf8.DecodeLastRuneInString(t); len(words) > 0 && !unicode.IsSpace(r) {
				space = false
			}
		}
	}
}
