// Package cloudtest starts the local emulators of the object stores other
// than S3 on loopback for tests: Azurite for azblob:// and fake-gcs-server for
// gs://. `make clouds-tools` installs both, pinned, into the repository's
// .tools folder (Azurite with npm, fake-gcs-server built with go); S3 has its
// own package, s3test.
//
// A Server gives the environment a client needs (Env, Setenv) and creates
// buckets (containers, for Azure). Require skips the test when the
// emulator is not installed, unless BERTBATCH_TOOLS is set, where a missing
// emulator is a failure: `make test` and `make test-clouds` set it after
// installing the tools, and `make env` exports it once they are installed.
// Without it, the repository's .tools folder is looked in.
//
// What an emulator cannot show: real IAM and credential chains, real
// consistency and latency, quotas and throttling. Azurite checks the
// shared-key signature of every request; fake-gcs-server checks no
// credentials at all.
package cloudtest
