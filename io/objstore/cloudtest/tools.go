package cloudtest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// ToolsEnv names the folder holding the emulators (`make clouds-tools`
// installs them into the repository's .tools and `make env` exports it).
const ToolsEnv = "BERTBATCH_TOOLS"

// Where the Makefile installs the emulators under the tools folder (their
// pinned versions are the Makefile's).
const (
	azuriteRelPath  = "azurite/node_modules/.bin/azurite-blob"
	fakeGCSRelPath  = "bin/fake-gcs-server"
	installCommand  = "make clouds-tools"
	toolsFolderName = ".tools"
)

// toolsDir is $BERTBATCH_TOOLS, else the .tools folder of the repository
// holding the working directory, else "".
func toolsDir() string {
	if d := os.Getenv(ToolsEnv); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, toolsFolderName)
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// tool finds the executable rel under the tools folder.
func tool(rel, name string) (string, error) {
	dir := toolsDir()
	if dir == "" {
		return "", fmt.Errorf("no %s: no tools folder (set %s, or run `%s`)", name, ToolsEnv, installCommand)
	}
	p := filepath.Join(dir, rel)
	if _, err := os.Stat(p); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("no %s at %s (run `%s`)", name, p, installCommand)
		}
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}

// skipOrFail skips t for a missing emulator, or fails it when
// BERTBATCH_TOOLS is set: the tools were meant to be installed there.
func skipOrFail(t testing.TB, err error) {
	t.Helper()
	if os.Getenv(ToolsEnv) != "" {
		t.Fatalf("%v (%s is set, so the emulators should be installed)", err, ToolsEnv)
	}
	t.Skip(err)
}
