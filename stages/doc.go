// Package stages wires a job into a pipeline: it resolves and loads the model once, reads the
// input dataset unit by unit, tokenizes text when the job asks for it, batches rows by length
// under a token budget, runs the batches on a pool of MLX workers that share the model's
// weights, puts results back in input order and writes them to Parquet, committing each group
// of units atomically in the output folder's manifest.
//
// Flow (each arrow a bounded channel, all on one errgroup):
//
//	read (dataset units) → prepare (decode/tokenize, validate; up to two chunks ahead) → number
//	  → batch → workers (one locked OS thread + MLX stream each, keeping up to Options.InFlight
//	  batches handed to MLX: pipeline.Pipelined) → unbatch → reorder → write + commit
//
// The summary's timeline (Timeline) sums each stage's busy time with the monotonic clock.
//
// Every unit of input travels as its rows, the first of them carrying the unit (a unit whose rows
// were all rejected travels as one item without a row, so that it is still committed, in order).
// That first item opens a group of the batcher: batches never span two units and a unit is
// batched the same way in every run, so a resumed run computes each row bitwise as an
// uninterrupted run of the same job does. A unit is committed only when every row of
// it has been written; a run that stops for any reason leaves finished units committed and
// nothing else. The next run skips exactly the rows the manifest records as committed, even
// when it reads the input in other units (another rows_per_file): a read unit that is partly
// committed goes on as the pieces of it that are not.
package stages
