package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.yaml", "model: {ref: org/m}\ninput: {paths: [d]}\noutput: {dir: o}\n")
	bad := write("bad.yaml", "model:\n  ref: org/m\n  dtype: fp8\ninput: {paths: [d]}\noutput:\n  dir: o\n  polling: cls\n")
	tests := []struct {
		name string
		args []string
		code int
		out  []string // lines expected on stdout, in order
	}{
		{"valid", []string{good}, exitOK, []string{good + ": ok"}},
		{"invalid", []string{bad}, exitUsage, []string{
			bad + `:3:10: model.dtype: unknown value "fp8" (want one of float32, float16, bfloat16)`,
			bad + `:7:3: output.polling: unknown field "polling" (did you mean "pooling"?)`,
		}},
		{"valid and invalid", []string{good, bad}, exitUsage, []string{good + ": ok",
			bad + `:3:10: model.dtype: unknown value "fp8" (want one of float32, float16, bfloat16)`,
			bad + `:7:3: output.polling: unknown field "polling" (did you mean "pooling"?)`,
		}},
		{"missing file", []string{filepath.Join(dir, "none.yaml")}, exitUsage, []string{
			filepath.Join(dir, "none.yaml") + ": read job file: open " + filepath.Join(dir, "none.yaml") + ": no such file or directory",
		}},
		{"no file", nil, exitUsage, nil},
		{"unknown flag", []string{"-x", good}, exitUsage, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := dispatch(context.Background(), append([]string{"validate"}, tt.args...), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			var got []string
			if s := strings.TrimSuffix(stdout.String(), "\n"); s != "" {
				got = strings.Split(s, "\n")
			}
			if strings.Join(got, "\n") != strings.Join(tt.out, "\n") {
				t.Errorf("stdout:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.out, "\n"))
			}
		})
	}
}

func TestValidateShowAndSchema(t *testing.T) {
	t.Setenv("BERTBATCH_MODEL_DIR", "/opt/models/minilm")
	var stdout, stderr bytes.Buffer
	if code := dispatch(context.Background(), []string{"validate", "-show", "../../jobs/embed.yaml"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d:\n%s%s", code, stdout.String(), stderr.String())
	}
	for _, want := range []string{"../../jobs/embed.yaml: ok", "(job hash ", "ref: /opt/models/minilm", "pooling: model"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("-show output lacks %q:\n%s", want, stdout.String())
		}
	}
	stdout.Reset()
	if code := dispatch(context.Background(), []string{"validate", "-schema"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("-schema: exit %d", code)
	}
	var schema map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &schema); err != nil || schema["$schema"] == nil {
		t.Errorf("-schema did not print a JSON Schema: %v", err)
	}
}
