// Package objstore opens the object-storage locations a job may name for its
// input, its output and its model: s3://bucket/prefix, gs://bucket/prefix and
// azblob://container/prefix. It stands on gocloud.dev/blob, so credentials
// come from each cloud's standard environment and files (for S3: the AWS
// environment variables, ~/.aws and instance roles; AWS_ENDPOINT_URL or
// AWS_ENDPOINT_URL_S3 for an S3-compatible server).
//
// A Store is one prefix of one bucket. Its names are slash-separated and
// relative to the prefix. Objects written through Create become visible only
// when the writer is closed complete; CreateNew fails with ErrExists when the
// object is already there (a conditional create, If-None-Match: *), which is
// how two writers of the same name are kept from both winning.
package objstore
