package objstore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"
)

// memStore is a Store over an in-memory bucket, for the package's unit tests.
// The end-to-end tests run against a real S3-compatible server.
func memStore(t *testing.T, prefix string) *Store {
	t.Helper()
	var b *blob.Bucket = memblob.OpenBucket(nil)
	if prefix != "" {
		b = blob.PrefixedBucket(b, prefix+"/")
	}
	s := &Store{loc: Location{Scheme: S3, Bucket: "mem", Prefix: prefix}, bucket: b}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		prefix  string
		wantErr bool
	}{
		{in: "s3://bucket/a/b/", want: "s3://bucket/a/b", prefix: "a/b"},
		{in: "s3://bucket", want: "s3://bucket", prefix: ""},
		{in: "gs://b/x", want: "gs://b/x", prefix: "x"},
		{in: "azblob://c/x?y=1", want: "azblob://c/x", prefix: "x"},
		{in: "s3:///x", wantErr: true},
		{in: "ftp://b/x", wantErr: true},
		{in: "s3://b/../x", wantErr: true},
		{in: "s3://key:secret@b/x", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			loc, err := Parse(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Parse(%q) = %v, want an error", tt.in, loc)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if loc.String() != tt.want || loc.Prefix != tt.prefix {
				t.Errorf("Parse(%q) = %q prefix %q, want %q prefix %q", tt.in, loc, loc.Prefix, tt.want, tt.prefix)
			}
			if !IsRemote(tt.in) {
				t.Errorf("IsRemote(%q) = false", tt.in)
			}
		})
	}
	for _, p := range []string{"/data/x", "data", "file:///x", "s3:/x"} {
		if IsRemote(p) {
			t.Errorf("IsRemote(%q) = true", p)
		}
	}
}

func TestPathStyleFollowsTheEndpoint(t *testing.T) {
	loc, err := Parse("s3://b/p")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_ENDPOINT_URL_S3", "")
	if got := loc.bucketURL(); got != "s3://b" {
		t.Errorf("without an endpoint: %q", got)
	}
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:8333")
	if got := loc.bucketURL(); got != "s3://b?response_checksum_validation=when_required&use_path_style=true" {
		t.Errorf("with an endpoint: %q", got)
	}
	loc, err = Parse("s3://b/p?use_path_style=false")
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.bucketURL(); got != "s3://b?response_checksum_validation=when_required&use_path_style=false" {
		t.Errorf("with use_path_style=false: %q", got)
	}
}

func TestCreateNewRefusesAnExistingObject(t *testing.T) {
	ctx := context.Background()
	s := memStore(t, "out")
	if err := s.CreateNew(ctx, "_manifest/1", []byte("first")); err != nil {
		t.Fatal(err)
	}
	err := s.CreateNew(ctx, "_manifest/1", []byte("second"))
	if !errors.Is(err, ErrExists) {
		t.Fatalf("second CreateNew: %v, want ErrExists", err)
	}
	got, err := s.Read(ctx, "_manifest/1")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "first" {
		t.Errorf("object = %q, want the first writer's", got)
	}
}

func TestFileReadsRanges(t *testing.T) {
	ctx := context.Background()
	s := memStore(t, "in")
	data := make([]byte, 10000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	if err := s.Put(ctx, "x.bin", data); err != nil {
		t.Fatal(err)
	}
	f, err := s.OpenFile(ctx, "x.bin")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		off, n  int64
		wantN   int
		wantEOF bool
	}{
		{0, 10, 10, false},
		{9990, 10, 10, false},
		{9995, 10, 5, true},
		{10000, 1, 0, true},
		{4096, 4096, 4096, false},
	}
	for _, tt := range tests {
		p := make([]byte, tt.n)
		n, err := f.ReadAt(p, tt.off)
		if n != tt.wantN || (err == io.EOF) != tt.wantEOF || (err != nil && err != io.EOF) {
			t.Errorf("ReadAt(%d, %d) = %d, %v; want %d, EOF %v", tt.n, tt.off, n, err, tt.wantN, tt.wantEOF)
		}
		if !bytes.Equal(p[:n], data[tt.off:tt.off+int64(n)]) {
			t.Errorf("ReadAt(%d, %d): wrong bytes", tt.n, tt.off)
		}
	}
	if _, err := s.OpenFile(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("OpenFile of a missing object: %v, want ErrNotFound", err)
	}
}

func TestFileReadStreamsWithOneRequest(t *testing.T) {
	ctx := context.Background()
	s := memStore(t, "in")
	data := make([]byte, 100000)
	for i := range data {
		data[i] = byte(i * 13)
	}
	if err := s.Put(ctx, "x.bin", data); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		seek      int64
		wantReqs  int64
		wantBytes int
	}{
		{"from the start", 0, 1, 100000},
		{"from an offset", 60000, 1, 40000},
		{"at the end", 100000, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := s.OpenFile(ctx, "x.bin")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.Seek(tt.seek, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			buf := make([]byte, 1000) // many small reads
			for {
				n, err := f.Read(buf)
				got.Write(buf[:n])
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(got.Bytes(), data[tt.seek:]) {
				t.Errorf("read %d bytes, want the %d after offset %d", got.Len(), tt.wantBytes, tt.seek)
			}
			if f.Requests() != tt.wantReqs {
				t.Errorf("%d requests, want %d", f.Requests(), tt.wantReqs)
			}
		})
	}
}

func TestNoCredentialsNamesTheScheme(t *testing.T) {
	want := map[Scheme]string{S3: "AWS_ACCESS_KEY_ID", GCS: "GOOGLE_APPLICATION_CREDENTIALS", Azure: "AZURE_STORAGE_KEY"}
	for _, scheme := range Schemes {
		t.Run(string(scheme), func(t *testing.T) {
			e := &OpenError{Location: Location{Scheme: scheme, Bucket: "b"}, Problem: NoCredentials}
			if msg := e.Error(); !strings.Contains(msg, "no usable credentials") || want[scheme] == "" || !strings.Contains(msg, want[scheme]) {
				t.Errorf("%q: want the credentials of %s named (%q)", msg, scheme, want[scheme])
			}
		})
	}
}

func TestClassifyAzureAuthFailures(t *testing.T) {
	for _, code := range []string{"AuthorizationFailure", "AuthenticationFailed"} {
		t.Run(code, func(t *testing.T) {
			if got := classify(errors.New("RESPONSE 403: ERROR CODE: " + code)); got != NoCredentials {
				t.Errorf("classify = %v, want NoCredentials", got)
			}
		})
	}
}
