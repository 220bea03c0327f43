package reload

import (
	"fmt"
	"sort"
)

// ProcessError says that one interpreter failed to answer.
type ProcessError struct {
	Process Process `json:"process"`
	Message string  `json:"message"`
}

// Merge combines the reports of several interpreters (errs[n] is the error
// of reports[n]). It fails only when every interpreter failed.
func Merge(reports []Report, errs []error, procs []Process) (Report, error) {
	var out Report
	var answered []int
	for n := range reports {
		if errs[n] != nil {
			out.Errors = append(out.Errors, ProcessError{Process: procs[n], Message: errs[n].Error()})
			continue
		}
		answered = append(answered, n)
	}
	if len(answered) == 0 {
		return out, fmt.Errorf("%s", joinErrors(out.Errors))
	}
	first := reports[answered[0]]
	out.Action, out.Package, out.Modules, out.OK = first.Action, first.Package, first.Modules, true
	out.Mode, out.Unchanged, out.Updated = first.Mode, first.Unchanged, first.Updated
	out.Kept, out.Reset, out.Added, out.Deleted, out.Rebound = first.Kept, first.Reset, first.Added, first.Deleted, first.Rebound
	type seen struct {
		stale Stale
		procs []Process
	}
	byKey := map[string]*seen{}
	var order []string
	for _, n := range answered {
		r := reports[n]
		out.OK = out.OK && r.OK
		out.RolledBack = out.RolledBack || r.RolledBack
		if out.Error == nil && r.Error != nil {
			out.Error = r.Error
		}
		if r.DurationMS > out.DurationMS {
			out.DurationMS = r.DurationMS
		}
		out.Fixes = append(out.Fixes, r.Fixes...)
		for _, s := range r.Stale {
			k := staleKey(s)
			if byKey[k] == nil {
				byKey[k] = &seen{stale: s}
				order = append(order, k)
			} else if s.Code == CodeStaleInstance {
				byKey[k].stale.Count += s.Count
			}
			byKey[k].procs = append(byKey[k].procs, procs[n])
		}
	}
	if !out.OK && anyOK(reports, answered) {
		for _, n := range answered {
			if r := reports[n]; !r.OK && r.Error != nil {
				out.RolledBackIn = append(out.RolledBackIn, ProcessError{Process: procs[n],
					Message: r.Error.Type + ": " + r.Error.Message})
			}
		}
	}
	if len(answered) == 1 && len(reports) == 1 {
		out.Process = reports[answered[0]].Process
	}
	for _, k := range order {
		s := byKey[k]
		if len(answered) > 1 && len(s.procs) < len(answered) {
			s.stale.Processes = s.procs // they disagree: name who saw it
		}
		out.Stale = append(out.Stale, s.stale)
	}
	sort.SliceStable(out.Stale, func(i, j int) bool { return staleLess(out.Stale[i], out.Stale[j]) })
	return out, nil
}

func anyOK(reports []Report, answered []int) bool {
	for _, n := range answered {
		if reports[n].OK {
			return true
		}
	}
	return false
}

func staleKey(s Stale) string {
	return fmt.Sprintf("%s|%s|%d|%d|%s|%s|%s", s.Code, s.File, s.Line, s.Column, s.Holder, s.Name, s.Target)
}

func staleLess(a, b Stale) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	if a.Column != b.Column {
		return a.Column < b.Column
	}
	return a.Code < b.Code
}

func joinErrors(errs []ProcessError) string {
	s := ""
	for n, e := range errs {
		if n > 0 {
			s += "; "
		}
		s += fmt.Sprintf("%s %d: %s", e.Process.Kind, e.Process.PID, e.Message)
	}
	return s
}
