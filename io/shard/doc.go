// Package shard splits one job's input over N independent workers.
//
// A job's input is cut into blocks: consecutive rows of one input file,
// block k holding rows [k·B, (k+1)·B) for a block size B fixed by the job.
// A block's identity is its input file's path relative to the input root
// (the folder or glob root it was found under; a file named directly is its
// base name) and its row range, written "rel\x00start\x00end". The block
// belongs to shard
//
//	FNV-1a-64(identity) mod N
//
// so the assignment depends on no list position: adding input files later
// leaves every existing block where it was. A worker runs with its shard
// (index I of count N) and reads only its own blocks.
package shard
