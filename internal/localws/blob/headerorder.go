package blob

// Azure Storage sorts the x-ms-* headers of a Shared Key string-to-sign with
// a culture-aware comparison, not byte order, and azblob reproduces it:
// dashes and apostrophes are ignored at first, punctuation sorts before
// digits, digits before letters, letters without regard to case; only when
// two names tie that way do the positions of their dashes and apostrophes
// decide. Header names differ in byte order and in this order only in rare
// cases (a "_" next to a digit, dashes in metadata names), so the verifier
// tries both.

// primaryRank orders the characters that can appear in a header name at the
// first level of the comparison. Zero means the character is ignored there.
func primaryRank(c byte) int {
	const punctuation = "!#$%&*.^_`|~+"
	switch {
	case c == '-' || c == '\'':
		return 0
	case c >= '0' && c <= '9':
		return 100 + int(c-'0')
	case c >= 'a' && c <= 'z':
		return 200 + int(c-'a')
	case c >= 'A' && c <= 'Z':
		return 200 + int(c-'A')
	}
	for i := 0; i < len(punctuation); i++ {
		if punctuation[i] == c {
			return 1 + i
		}
	}
	// Characters outside HTTP's token set never reach here in practice;
	// give them a stable place after letters.
	return 300 + int(c)
}

// secondaryRank is the tie-break class of a character: ordinary
// characters rank 0, apostrophes 1, dashes 2.
func secondaryRank(c byte) int {
	switch c {
	case '\'':
		return 1
	case '-':
		return 2
	}
	return 0
}

// compareHeaderNames orders two lowercase header names the way the service
// does; it returns a negative number when a sorts first.
func compareHeaderNames(a, b string) int {
	// Level one: the names with ignorable characters dropped, compared
	// rank by rank; a name that runs out first sorts first.
	i, j := 0, 0
	for {
		for i < len(a) && primaryRank(a[i]) == 0 {
			i++
		}
		for j < len(b) && primaryRank(b[j]) == 0 {
			j++
		}
		if i == len(a) || j == len(b) {
			if i == len(a) && j == len(b) {
				break
			}
			if i == len(a) {
				return -1
			}
			return 1
		}
		if ra, rb := primaryRank(a[i]), primaryRank(b[j]); ra != rb {
			return ra - rb
		}
		i++
		j++
	}
	// Level two: walk both names position by position. At the first
	// position where their classes differ, an ordinary character sorts
	// before a dash, an apostrophe or the end of the name; otherwise the end
	// sorts before an apostrophe, which sorts before a dash.
	for k := 0; ; k++ {
		ca, cb := classAt(a, k), classAt(b, k)
		if ca == classEnd && cb == classEnd {
			return 0
		}
		if ca == cb {
			continue
		}
		switch {
		case ca == 0:
			return -1
		case cb == 0:
			return 1
		}
		return ca - cb
	}
}

// classEnd marks the position after the last character in classAt; it
// sorts between ordinary characters and apostrophes.
const classEnd = -1

func classAt(s string, k int) int {
	if k >= len(s) {
		return classEnd
	}
	return secondaryRank(s[k])
}
