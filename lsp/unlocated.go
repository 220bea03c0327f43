package lsp

import "github.com/pyreload/pyreload/reload"

// unlocatedPrefix starts the message of a finding the engine could not locate.
const unlocatedPrefix = "(location unknown) "

// placeUnlocated puts a finding without a location (no file or no line)
// somewhere the editor shows it: a failed reload on the file whose save
// triggered it, anything else on home (the package's own file) at line 1,
// named as unlocated with its holder. Data and fixes are kept, so quick
// fixes still work. file is "" when there is nowhere to put it.
func placeUnlocated(it reload.Item, home, trigger string) (file string, out reload.Item) {
	if it.Code == reload.CodeReloadFailed && trigger != "" {
		return trigger, it
	}
	if home == "" {
		home = trigger
	}
	if it.Code != reload.CodeReloadFailed {
		prefix := unlocatedPrefix
		if it.Data.Holder != "" {
			prefix += "held by `" + it.Data.Holder + "`: "
		}
		it.Message = prefix + it.Message
	}
	it.Line, it.Column, it.EndLine, it.EndColumn = 1, 1, 0, 0
	return home, it
}
