package localws

import "math/rand/v2"

// displayName makes a friendly job display name like the service's
// ("careful_bulb_plwyqfx0"): adjective, noun and 8 random characters.
func displayName() string {
	adjectives := []string{"amber", "brave", "calm", "careful", "clever", "eager", "gentle", "happy", "keen", "lively",
		"lucid", "mellow", "nimble", "quiet", "rapid", "sharp", "steady", "sunny", "tidy", "witty"}
	nouns := []string{"bulb", "cloud", "comet", "garden", "harbor", "kettle", "lamp", "lemon", "maple", "meadow",
		"orbit", "pebble", "river", "sail", "spoon", "store", "tiger", "tulip", "yacht", "zebra"}
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	suffix := make([]byte, 8)
	for i := range suffix {
		suffix[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return adjectives[rand.IntN(len(adjectives))] + "_" + nouns[rand.IntN(len(nouns))] + "_" + string(suffix)
}
