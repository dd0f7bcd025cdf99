package s3test_test

import (
	"context"
	"errors"
	"testing"

	"github.com/bertbatch/bertbatch/io/objstore"
	"github.com/bertbatch/bertbatch/io/objstore/s3test"
)

func TestStoreOnARealServer(t *testing.T) {
	srv := s3test.Require(t)
	if err := srv.CreateBucket("data"); err != nil {
		t.Fatal(err)
	}
	srv.Setenv(t)
	ctx := context.Background()

	loc, err := objstore.Parse("s3://data/some/prefix")
	if err != nil {
		t.Fatal(err)
	}
	s, err := objstore.Open(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	if err := s.CreateNew(ctx, "a/1", []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateNew(ctx, "a/1", []byte("two")); !errors.Is(err, objstore.ErrExists) {
		t.Fatalf("second conditional create: %v, want ErrExists", err)
	}
	got, err := s.Read(ctx, "a/1")
	if err != nil || string(got) != "one" {
		t.Fatalf("read back %q, %v", got, err)
	}
	objs, err := s.List(ctx, "a/")
	if err != nil || len(objs) != 1 || objs[0].Name != "a/1" || objs[0].Size != 3 {
		t.Fatalf("list = %+v, %v", objs, err)
	}

	t.Run("no bucket", func(t *testing.T) {
		loc, _ := objstore.Parse("s3://no-such-bucket/x")
		_, err := objstore.Open(ctx, loc)
		var oe *objstore.OpenError
		if !errors.As(err, &oe) || oe.Problem != objstore.NoBucket {
			t.Fatalf("open: %v, want NoBucket", err)
		}
	})
	t.Run("wrong credentials", func(t *testing.T) {
		t.Setenv("AWS_SECRET_ACCESS_KEY", "wrong")
		_, err := objstore.Open(ctx, loc)
		var oe *objstore.OpenError
		if !errors.As(err, &oe) || oe.Problem != objstore.NoCredentials {
			t.Fatalf("open: %v, want NoCredentials", err)
		}
	})
	t.Run("no credentials", func(t *testing.T) {
		t.Setenv("AWS_ACCESS_KEY_ID", "")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "")
		t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
		t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
		_, err := objstore.Open(ctx, loc)
		var oe *objstore.OpenError
		if !errors.As(err, &oe) || oe.Problem != objstore.NoCredentials {
			t.Fatalf("open: %v, want NoCredentials", err)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
		t.Setenv("AWS_MAX_ATTEMPTS", "1")
		_, err := objstore.Open(ctx, loc)
		var oe *objstore.OpenError
		if !errors.As(err, &oe) || oe.Problem != objstore.Unreachable {
			t.Fatalf("open: %v, want Unreachable", err)
		}
	})
}
