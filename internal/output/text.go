package output

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jmespath-community/go-jmespath/pkg/parsing"
)

// keyOrder remembers the key order of each multiselect hash in a --query
// ({name: name, state: status}); az keeps that order in table and tsv
// output, where plain objects are printed with sorted keys.
type keyOrder [][]string

func hashKeyOrder(node parsing.ASTNode) keyOrder {
	var out keyOrder
	var walk func(n parsing.ASTNode)
	walk = func(n parsing.ASTNode) {
		if n.NodeType == parsing.ASTMultiSelectHash {
			var keys []string
			for _, c := range n.Children {
				if k, ok := c.Value.(string); ok {
					keys = append(keys, k)
				}
			}
			out = append(out, keys)
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(node)
	return out
}

// keys returns m's keys in query order when m was built by a multiselect
// hash of the query, else sorted.
func (o keyOrder) keys(m map[string]any) []string {
	for _, ks := range o {
		if len(ks) != len(m) {
			continue
		}
		match := true
		for _, k := range ks {
			if _, ok := m[k]; !ok {
				match = false
				break
			}
		}
		if match {
			return ks
		}
	}
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// pyStr renders a scalar the way Python's str() does, which is what az's
// tsv and table writers print.
func pyStr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case float64:
		return formatNumber(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// formatNumber prints whole numbers without a fraction (JSON integers come
// back from decoding as float64).
func formatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// writeTSV follows az's tsv writer: one line per item of a list (or the one
// object); objects print their values tab-separated, nested lists as their
// length and nested objects as an empty field; a bare boolean is lower-case.
func writeTSV(w io.Writer, v any, order keyOrder) error {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	var b strings.Builder
	for _, item := range items {
		switch x := item.(type) {
		case map[string]any:
			for i, k := range order.keys(x) {
				if i > 0 {
					b.WriteByte('\t')
				}
				b.WriteString(tsvField(x[k]))
			}
		case []any:
			for i, e := range x {
				if i > 0 {
					b.WriteByte('\t')
				}
				b.WriteString(tsvField(e))
			}
		case bool:
			b.WriteString(strings.ToLower(pyStr(x)))
		default:
			b.WriteString(tsvField(x))
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func tsvField(v any) string {
	switch x := v.(type) {
	case []any:
		return strconv.Itoa(len(x))
	case map[string]any:
		return ""
	}
	return pyStr(v)
}

// tableSkipKeys are left out of automatic tables, as az does.
var tableSkipKeys = map[string]bool{"id": true, "type": true, "etag": true}

type cell struct {
	text    string
	numeric bool
}

// writeTable follows az's automatic table: scalar, non-null fields of each
// item (id/type/etag skipped), headers with a capitalised first letter, in
// the "simple" layout (two-space gaps, a dashed rule under the headers,
// numbers right-aligned).
func writeTable(w io.Writer, v any, order keyOrder, queryActive bool) error {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	var headers []string
	seen := map[string]bool{}
	rows := make([]map[string]cell, 0, len(items))
	for _, item := range items {
		row := map[string]cell{}
		add := func(h string, c cell) {
			if !seen[h] {
				seen[h] = true
				headers = append(headers, h)
			}
			row[h] = c
		}
		switch x := item.(type) {
		case map[string]any:
			keys := order.keys(x)
			if !queryActive {
				keys = keyOrder(nil).keys(x)
			}
			for _, k := range keys {
				if tableSkipKeys[k] {
					continue
				}
				switch val := x[k].(type) {
				case nil, []any, map[string]any:
					continue
				case float64:
					add(capitalize(k), cell{text: formatNumber(val), numeric: true})
				default:
					add(capitalize(k), cell{text: pyStr(val)})
				}
			}
		case []any:
			for i, e := range x {
				_, num := e.(float64)
				add(fmt.Sprintf("Column%d", i+1), cell{text: pyStr(e), numeric: num})
			}
		default:
			_, num := x.(float64)
			add("Result", cell{text: pyStr(x), numeric: num})
		}
		rows = append(rows, row)
	}
	if len(headers) == 0 {
		return fmt.Errorf("table output unavailable: the result has no scalar fields; use --query to pick fields, or another --output format")
	}
	widths := make([]int, len(headers))
	numeric := make([]bool, len(headers))
	for i, h := range headers {
		// tabulate gives headers a minimum padding of two.
		widths[i] = utf8.RuneCountInString(h) + 2
		numeric[i] = true
		for _, r := range rows {
			c, ok := r[h]
			if !ok {
				continue
			}
			if n := utf8.RuneCountInString(c.text); n > widths[i] {
				widths[i] = n
			}
			numeric[i] = numeric[i] && c.numeric
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		var l strings.Builder
		for i, c := range cells {
			if i > 0 {
				l.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if numeric[i] {
				l.WriteString(pad + c)
			} else {
				l.WriteString(c + pad)
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " "))
		b.WriteString("\n")
	}
	line(headers)
	rule := make([]string, len(headers))
	for i := range headers {
		rule[i] = strings.Repeat("-", widths[i])
	}
	line(rule)
	for _, r := range rows {
		cells := make([]string, len(headers))
		for i, h := range headers {
			cells[i] = r[h].text
		}
		line(cells)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}
