package pyhost

import (
	"errors"
	"fmt"
)

// PyError is a Python exception that crossed into Go.
type PyError struct {
	Type      string // qualified exception type, e.g. "ValueError", "shop.errors.Bad"
	Message   string // str(exception)
	Traceback string // the formatted traceback, as Python prints it
	File      string // where it was raised (for SyntaxError, the bad file)
	Line      int
	Column    int
}

func (e *PyError) Error() string {
	if e.Message == "" {
		return e.Type
	}
	return e.Type + ": " + e.Message
}

// Format prints the Python traceback as well with %+v.
func (e *PyError) Format(s fmt.State, verb rune) {
	fmt.Fprint(s, e.Error())
	if verb == 'v' && s.Flag('+') && e.Traceback != "" {
		fmt.Fprintf(s, "\n%s", e.Traceback)
	}
}

// ErrDeadline reports a call interrupted because its deadline passed.
var ErrDeadline = errors.New("python call interrupted: deadline exceeded")

// ErrNotStarted is returned by calls made before Start.
var ErrNotStarted = errors.New("python interpreter not started")
