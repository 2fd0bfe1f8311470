// Package names makes the friendly random names Azure ML gives jobs that
// are created without one ("careful_bulb_plwyqfx0").
package names

import "math/rand/v2"

var (
	adjectives = []string{"amber", "brave", "calm", "careful", "clever", "eager", "gentle", "happy", "keen", "lively",
		"lucid", "mellow", "nimble", "quiet", "rapid", "sharp", "steady", "sunny", "tidy", "witty"}
	nouns = []string{"bulb", "cloud", "comet", "garden", "harbor", "kettle", "lamp", "lemon", "maple", "meadow",
		"orbit", "pebble", "river", "sail", "spoon", "store", "tiger", "tulip", "yacht", "zebra"}
)

const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// Friendly returns an adjective, a noun and n random lowercase letters or
// digits, joined by underscores: a valid job name and display name.
func Friendly(n int) string {
	suffix := make([]byte, n)
	for i := range suffix {
		suffix[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return adjectives[rand.IntN(len(adjectives))] + "_" + nouns[rand.IntN(len(nouns))] + "_" + string(suffix)
}
