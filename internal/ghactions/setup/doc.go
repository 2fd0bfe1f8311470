// Package setup holds install.sh, the script the setup action (action.yml
// at the repository root) runs to install ml from a release, and the tests
// that run it against a fake release on 127.0.0.1. It has no Go code: the
// script must run on runners before ml exists.
package setup
