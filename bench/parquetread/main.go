// Command parquetread compares two Go Parquet readers on the files bertbatch
// reads: arrow-go (io/parquetio, the reader the job uses) and parquet-go. It
// writes token-list files with pyarrow's default options (one id column and
// input_ids, attention_mask, token_type_ids as list<int32>), reads each in
// units of 8,192 rows with each reader, whole and as a resumed run that
// skips the first half of the units, and prints a table: wall and CPU
// seconds, rows per second and the reading process's peak resident memory,
// each the best of -repeat runs in a fresh process.
//
//	cd bench/parquetread && go run . -python ../../.venv/bin/python -rows 150000,1000000
//
// Both readers are also held to the row-range tests of io/parquetio
// (go test here).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/parquetio"
	"github.com/bertbatch/bertbatch/io/parquetio/rangetest"
)

// readers are the readers compared, by name.
var readers = map[string]rangetest.ReadFunc{
	"arrow-go":   readArrow,
	"parquet-go": readPGO,
}

// readArrow reads path with io/parquetio.
func readArrow(ctx context.Context, path string, columns []string, maxRows int64, skip chunk.Skip, emit chunk.Emit) error {
	r, err := parquetio.Open(path, nil)
	if err != nil {
		return err
	}
	defer r.Close()
	return r.Read(ctx, columns, maxRows, skip, emit)
}

// result is one measured read, printed by a child process as JSON.
type result struct {
	Rows     int64   `json:"rows"`
	Checksum int64   `json:"checksum"`
	Wall     float64 `json:"wall_s"`
	CPU      float64 `json:"cpu_s"`
	PeakMiB  float64 `json:"peak_rss_mib"`
}

const unitRows = 8192

func main() {
	var (
		python = flag.String("python", os.Getenv("BERTBATCH_PYTHON"), "Python with pyarrow, to write the files")
		rows   = flag.String("rows", "150000,1000000", "comma-separated row counts of the files")
		dir    = flag.String("dir", "", "folder for the files (default: a temporary folder, removed after)")
		repeat = flag.Int("repeat", 3, "runs of each read; the best is printed")
		one    = flag.String("one", "", "internal: reader,mode,path — read once and print the result as JSON")
	)
	flag.Parse()
	if *one != "" {
		if err := readOnce(*one); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if err := run(*python, *rows, *dir, *repeat); err != nil {
		fmt.Fprintln(os.Stderr, "parquetread:", err)
		os.Exit(1)
	}
}

func run(python, rowList, dir string, repeat int) error {
	if python == "" {
		return fmt.Errorf("no Python: pass -python or set BERTBATCH_PYTHON (a Python with pyarrow)")
	}
	if dir == "" {
		tmp, err := os.MkdirTemp("", "parquetread")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	fmt.Println("| file | reader | read | rows read | wall s | CPU s | rows/s (CPU) | peak RSS MiB | checksum |")
	fmt.Println("|------|--------|------|----------:|-------:|------:|-------------:|-------------:|---------:|")
	for _, s := range strings.Split(rowList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return fmt.Errorf("-rows: %q is not a positive row count", s)
		}
		c := rangetest.Case{Name: fmt.Sprintf("tokens_%d", n), Seed: 1, Rows: n, Dictionary: true,
			IDType: "int64", TokenType: "int32", MinLen: 4, MaxLen: 64, Vocab: 30522}
		path, err := rangetest.WriteFile(python, dir, c)
		if err != nil {
			return err
		}
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		name := fmt.Sprintf("%s rows, %.0f MiB", humanRows(n), float64(st.Size())/(1<<20))
		for _, mode := range []string{"whole", "resume"} {
			for _, reader := range []string{"arrow-go", "parquet-go"} {
				best, err := measure(reader, mode, path, repeat)
				if err != nil {
					return err
				}
				fmt.Printf("| %s | %s | %s | %d | %.2f | %.2f | %.0f | %.0f | %d |\n", name, reader, mode, best.Rows,
					best.Wall, best.CPU, float64(best.Rows)/best.CPU, best.PeakMiB, best.Checksum)
			}
		}
	}
	return nil
}

// measure runs one read repeat times, each in a fresh process, and returns
// the run with the least CPU time (peak memory is the largest seen).
func measure(reader, mode, path string, repeat int) (result, error) {
	var best result
	for i := range repeat {
		cmd := exec.Command(os.Args[0], "-one", reader+","+mode+","+path)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			return best, fmt.Errorf("%s %s %s: %w", reader, mode, path, err)
		}
		var r result
		if err := json.Unmarshal(out, &r); err != nil {
			return best, fmt.Errorf("%s %s: %w: %s", reader, mode, err, out)
		}
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		r.CPU = tv(ru.Utime) + tv(ru.Stime)
		r.PeakMiB = float64(ru.Maxrss) / 1024
		if i == 0 || r.CPU < best.CPU {
			peak := max(best.PeakMiB, r.PeakMiB)
			best = r
			best.PeakMiB = peak
		} else {
			best.PeakMiB = max(best.PeakMiB, r.PeakMiB)
		}
	}
	return best, nil
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

// readOnce reads one file with one reader and prints a result.
func readOnce(spec string) error {
	parts := strings.SplitN(spec, ",", 3)
	if len(parts) != 3 {
		return fmt.Errorf("-one %q: want reader,mode,path", spec)
	}
	read, ok := readers[parts[0]]
	if !ok {
		return fmt.Errorf("unknown reader %q", parts[0])
	}
	path := parts[2]
	var skip chunk.Skip
	switch parts[1] {
	case "whole":
	case "resume":
		r, err := parquetio.Open(path, nil)
		if err != nil {
			return err
		}
		half := len(r.Units(unitRows)) / 2
		r.Close()
		skip = func(u chunk.Unit) bool { return u.Index < half }
	default:
		return fmt.Errorf("unknown mode %q", parts[1])
	}
	var res result
	columns := []string{"id", "input_ids", "attention_mask", "token_type_ids"}
	start := time.Now()
	err := read(context.Background(), path, columns, unitRows, skip, func(c chunk.Chunk) error {
		defer c.Release()
		res.Rows += c.Unit.Rows
		res.Checksum += checksum(c)
		return nil
	})
	if err != nil {
		return err
	}
	res.Wall = time.Since(start).Seconds()
	return json.NewEncoder(os.Stdout).Encode(res)
}

// checksum sums the ids and token values of a chunk, weighted by position,
// so that both readers can be seen to return the same rows.
func checksum(c chunk.Chunk) int64 {
	var sum int64
	for i := range int(c.Record.NumCols()) {
		switch col := c.Record.Column(i).(type) {
		case *array.Int64:
			for r := range col.Len() {
				if col.IsValid(r) {
					sum += col.Value(r) * int64(r+1)
				}
			}
		case *array.List:
			vals := col.ListValues().(*array.Int32)
			start, _ := col.ValueOffsets(0)
			_, end := col.ValueOffsets(col.Len() - 1)
			for j := start; j < end; j++ {
				sum += int64(vals.Value(int(j))) * (j - start + 1)
			}
		}
	}
	return sum
}

func humanRows(n int) string {
	if n%1_000_000 == 0 {
		return fmt.Sprintf("%dM", n/1_000_000)
	}
	if n%1000 == 0 {
		return fmt.Sprintf("%dk", n/1000)
	}
	return strconv.Itoa(n)
}
