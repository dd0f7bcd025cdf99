package jobs

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// hashVersion starts the hashed text; change it whenever the canonical form below changes.
const hashVersion = "bertbatch-job v2"

// Hash returns a stable hex SHA-256 of everything in the job that changes the contents of output rows: the
// model (ref, revision, dtype, device, head), the columns read and written, pooling, normalisation, truncation,
// output dtype, max_length, too_long and bad_rows. Fields tagged hash:"-" in types.go are left out because
// output rows are the same whatever their value: workers, batching sizes and sort window, input paths and
// format, output folder, compression, rows per file, cache folder, offline, mode and resume. The resolved commit of a
// Hub model is recorded separately in the output manifest.
//
// The hashed text is hashVersion followed by one "path=value" line per hashed field in declaration order, with
// strings quoted as Go literals, lists as [a,b] of quoted strings, numbers and booleans as written, and an
// optional field the file leaves out as null.
func (j *Job) Hash() string {
	sum := sha256.Sum256([]byte(j.Canonical()))
	return hex.EncodeToString(sum[:])
}

// Canonical returns the text Hash hashes: hashVersion, then one "path=value" line per hashed field. The
// output manifest keeps it so that a rerun of a changed job can name the fields that changed.
func (j *Job) Canonical() string {
	var b strings.Builder
	b.WriteString(hashVersion + "\n")
	writeHashed(&b, reflect.ValueOf(j).Elem(), "")
	return b.String()
}

func writeHashed(b *strings.Builder, v reflect.Value, prefix string) {
	for _, s := range fieldsOf(v.Type()) {
		if !s.hashed {
			continue
		}
		f, path := v.Field(s.index), joinPath(prefix, s.name)
		if f.Kind() == reflect.Struct {
			writeHashed(b, f, path)
			continue
		}
		fmt.Fprintf(b, "%s=%s\n", path, hashValue(f))
	}
}

func hashValue(f reflect.Value) string {
	switch f.Kind() {
	case reflect.Pointer:
		if f.IsNil() {
			return "null"
		}
		return hashValue(f.Elem())
	case reflect.String:
		return strconv.Quote(f.String())
	case reflect.Int:
		return strconv.FormatInt(f.Int(), 10)
	case reflect.Bool:
		return strconv.FormatBool(f.Bool())
	case reflect.Slice:
		items := make([]string, f.Len())
		for i := range items {
			items[i] = strconv.Quote(f.Index(i).String())
		}
		return "[" + strings.Join(items, ",") + "]"
	}
	panic("jobs: cannot hash a " + f.Kind().String())
}
