//go:build !unix

package main

// onResize does nothing where there is no SIGWINCH: the console picks up
// a new size at its next redraw.
func onResize(func()) (stop func()) { return func() {} }
