package jobs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Load reads and parses the job file at path, expanding variables from the process environment.
// An invalid job yields Problems; an unreadable file yields a wrapped I/O error.
func Load(path string) (*Job, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read job file: %w", err)
	}
	return Parse(path, data, os.LookupEnv)
}

// Parse parses and validates a job file's contents. name is the file's name: it appears in problems, and
// relative paths in the job are resolved against its folder. lookupEnv supplies ${VAR} values (os.LookupEnv
// for the process environment); nil means no variable is set. On any problem Parse returns nil and Problems
// listing all of them.
func Parse(name string, data []byte, lookupEnv func(string) (string, bool)) (*Job, error) {
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	base, err := filepath.Abs(filepath.Dir(name))
	if err != nil {
		return nil, fmt.Errorf("job file %s: find its folder: %w", name, err)
	}
	root, problem := parseDocument(name, data)
	if problem != nil {
		return nil, Problems{*problem}
	}
	job := &Job{File: name, Dir: base}
	v := reflect.ValueOf(job).Elem()
	applyDefaults(v)
	d := newDecoder(name, base, lookupEnv)
	d.decodeStruct(root, root, v, "")
	d.checkJob(job)
	if len(d.problems) > 0 {
		return nil, d.problems.sorted()
	}
	return job, nil
}

// parseDocument parses data as exactly one YAML document holding a mapping.
func parseDocument(name string, data []byte) (*yaml.Node, *Problem) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Problem{File: name, Message: "the job file is empty; it needs at least model, input and output"}
		}
		return nil, syntaxProblem(name, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, &Problem{File: name, Line: extra.Line, Col: extra.Column,
			Message: "a second YAML document starts here; a job file holds one (remove the --- line)"}
	case !errors.Is(err, io.EOF):
		return nil, syntaxProblem(name, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = resolveAlias(root.Content[0])
	}
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil, &Problem{File: name, Message: "the job file is empty; it needs at least model, input and output"}
	}
	if root.Kind != yaml.MappingNode {
		return nil, &Problem{File: name, Line: root.Line, Col: root.Column,
			Message: "want a mapping of fields (model, input, output, ...), got " + describe(root)}
	}
	return root, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxProblem turns a YAML parser error ("yaml: line N: message") into a Problem.
func syntaxProblem(name string, err error) *Problem {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Problem{File: name, Line: line, Message: "YAML syntax: " + m[2]}
	}
	return &Problem{File: name, Message: "YAML syntax: " + msg}
}
