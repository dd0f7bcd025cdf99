package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerify runs a job through the command, changes its output folder, and checks what
// `bertbatch verify` says and its exit code.
func TestVerify(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, out string)
		code   int
		stdout []string
	}{
		{"finished run", func(*testing.T, string) {}, exitOK, []string{": sound and complete: 4 units, 80 rows, 6 files checked"}},
		{"user's hidden file", func(t *testing.T, out string) { writeFile(t, out, ".mydata.tmp-123", "mine") }, exitOK,
			[]string{"sound and complete"}},
		{"part changed in place", func(t *testing.T, out string) {
			path := filepath.Join(out, partNames(t, out)[1])
			data, _ := os.ReadFile(path)
			data[len(data)/2] ^= 1
			os.WriteFile(path, data, 0o644)
		}, exitFailed, []string{"(changed in place)", "1 problem(s) found"}},
		{"part removed", func(t *testing.T, out string) { os.Remove(filepath.Join(out, partNames(t, out)[0])) }, exitFailed,
			[]string{"is missing", "1 problem(s) found"}},
		{"stray file", func(t *testing.T, out string) { writeFile(t, out, "notes.csv", "a\n") }, exitFailed,
			[]string{"notes.csv is not named by the manifest"}},
		{"marker removed", func(t *testing.T, out string) { os.Remove(filepath.Join(out, "_SUCCESS")) }, exitFailed,
			[]string{"_SUCCESS is missing", "1 problem(s) found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTexts(t, dir, 2, 40)
			if code := dispatch(context.Background(), []string{"run", "--quiet", runJobFile(t, dir, "job.yaml", "")}, &bytes.Buffer{}, &bytes.Buffer{}); code != exitOK {
				t.Fatalf("run: exit %d", code)
			}
			out := filepath.Join(dir, "out")
			tt.change(t, out)
			var stdout, stderr bytes.Buffer
			code := dispatch(context.Background(), []string{"verify", out}, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout.String(), stderr.String())
			}
			for _, w := range tt.stdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout %q does not say %q", stdout.String(), w)
				}
			}
		})
	}
	t.Run("usage", func(t *testing.T) {
		if code := dispatch(context.Background(), []string{"verify"}, &bytes.Buffer{}, &bytes.Buffer{}); code != exitUsage {
			t.Errorf("no folder: exit %d, want %d", code, exitUsage)
		}
	})
}

// TestResumeChecks: a resume stops with exit 1 on a part changed in place and on an input cut
// inside finished rows; a user's hidden file named like a temporary file survives resume and
// --overwrite.
func TestResumeChecks(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, dir, out string)
		stderr string
	}{
		{"part changed in place", func(t *testing.T, dir, out string) {
			path := filepath.Join(out, partNames(t, out)[0])
			data, _ := os.ReadFile(path)
			data[100] ^= 0x10
			os.WriteFile(path, data, 0o644)
		}, "has SHA-256"},
		{"input cut inside finished rows", func(t *testing.T, dir, out string) {
			path := filepath.Join(dir, "in", "f1.jsonl")
			data, _ := os.ReadFile(path)
			lines := strings.SplitAfter(string(data), "\n")
			os.WriteFile(path, []byte(strings.Join(lines[:30], "")), 0o644)
		}, "f1.jsonl rows 25 to 40: the file now holds 30 rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTexts(t, dir, 2, 40)
			job := runJobFile(t, dir, "job.yaml", "")
			if code := dispatch(context.Background(), []string{"run", "--quiet", job}, &bytes.Buffer{}, &bytes.Buffer{}); code != exitOK {
				t.Fatalf("run: exit %d", code)
			}
			out := filepath.Join(dir, "out")
			writeFile(t, out, ".mydata.tmp-123", "mine")
			tt.change(t, dir, out)
			var stderr bytes.Buffer
			if code := dispatch(context.Background(), []string{"run", "--quiet", job}, &bytes.Buffer{}, &stderr); code != exitFailed ||
				!strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("resume: exit %d, stderr %q; want exit 1 saying %q", code, stderr.String(), tt.stderr)
			}
			if code := dispatch(context.Background(), []string{"run", "--quiet", "--overwrite", job}, &bytes.Buffer{}, &stderr); code != exitOK {
				t.Errorf("--overwrite: exit %d, stderr %q", code, stderr.String())
			}
			if got, err := os.ReadFile(filepath.Join(out, ".mydata.tmp-123")); err != nil || string(got) != "mine" {
				t.Errorf("the user's .mydata.tmp-123 after resume and --overwrite: %q, %v", got, err)
			}
		})
	}
}

// partNames lists the output's part files.
func partNames(t *testing.T, out string) []string {
	t.Helper()
	var parts []string
	for _, name := range entries(t, out) {
		if strings.HasPrefix(name, "part-") {
			parts = append(parts, name)
		}
	}
	if len(parts) == 0 {
		t.Fatalf("no part files in %s", out)
	}
	return parts
}
