package main

import (
	"flag"
	"slices"
)

// secretFlags are the settings that are secrets: tokens and signing
// secrets. Their flags have no default, so that -h and a usage error never
// print them (in a container, stderr goes to the logs); the environment
// variable fills one after parsing when its flag was not given.
type secretFlags struct {
	fs   *flag.FlagSet
	vars []secretVar
}

type secretVar struct {
	to        *string
	flag, env string
}

// add defines flag name, whose value goes to p, read from variable env
// when the flag is not given.
func (s *secretFlags) add(p *string, name, env, usage string) {
	s.fs.StringVar(p, name, "", usage)
	s.vars = append(s.vars, secretVar{to: p, flag: name, env: env})
}

// fill sets every secret whose flag was not given from its variable. Call
// it after the flag set is parsed.
func (s *secretFlags) fill(getenv func(string) string) {
	var given []string
	s.fs.Visit(func(f *flag.Flag) { given = append(given, f.Name) })
	for _, v := range s.vars {
		if !slices.Contains(given, v.flag) {
			*v.to = getenv(v.env)
		}
	}
}
