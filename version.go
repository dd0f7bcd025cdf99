// Package bertbatch holds the build's version; the tool lives in cmd/bertbatch and the libraries in
// the sub-packages (mlx, bert, hub, io, pipeline, stages, jobs).
package bertbatch

// Version is the bertbatch version, set at link time by `make build` (-X); "dev" otherwise.
var Version = "dev"
