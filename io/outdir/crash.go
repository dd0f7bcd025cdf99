package outdir

// crashPoint is called at the steps of a commit where a crash leaves a state
// Open must repair. It does nothing; the crash tests replace it with one that
// kills the process at a chosen step.
var crashPoint = func(step string) {}
