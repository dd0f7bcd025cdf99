package dataset

import (
	"slices"
	"testing"
)

// TestHivePartitions reads the Hive-partitioned fixture folder: junk files
// are skipped, files come in sorted order, and partition keys pass through
// as strings.
func TestHivePartitions(t *testing.T) {
	d, err := openPaths(t, tokenSpec("lang", "id", "split"), 4, testdata+"/hive")
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range d.Files() {
		paths = append(paths, f.Path)
	}
	want := []string{
		testdata + "/hive/lang=en/split=test/part-0.parquet",
		testdata + "/hive/lang=en/split=train/part-0.parquet",
		testdata + "/hive/lang=fr/split=test/part-0.parquet",
		testdata + "/hive/lang=fr/split=train/part-0.parquet",
	}
	if !slices.Equal(paths, want) {
		t.Fatalf("files = %q, want %q", paths, want)
	}
	if got := d.PassthroughSchema().String(); got != "schema:\n  fields: 3\n    - lang: type=utf8, nullable\n    - id: type=int64, nullable\n    - split: type=utf8, nullable" {
		t.Fatalf("passthrough schema:\n%s", got)
	}
	var id float64
	for _, c := range readAll(t, d, nil) {
		pt, err := d.Passthrough(c)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < int(pt.NumRows()); i++ {
			lang, gotID, split := value(pt.Column(0), i), value(pt.Column(1), i), value(pt.Column(2), i)
			wantLang := map[bool]string{true: "en", false: "fr"}[id < 12]
			wantSplit := map[bool]string{true: "test", false: "train"}[int(id)%12 < 6]
			if lang != wantLang || split != wantSplit || gotID != id {
				t.Fatalf("row of %s: lang=%v split=%v id=%v, want %s %s %v", c.Unit, lang, split, gotID, wantLang, wantSplit, id)
			}
			id++
		}
		pt.Release()
	}
	if id != 24 {
		t.Fatalf("read %v rows, want 24", id)
	}
}

func TestPartitions(t *testing.T) {
	tests := []struct {
		rel  string
		want []Partition
	}{
		{rel: "a.parquet"},
		{rel: "year=2024/month=01/a.parquet", want: []Partition{{Key: "year", Value: "2024"}, {Key: "month", Value: "01"}}},
		{rel: "plain/k=v/a.parquet", want: []Partition{{Key: "k", Value: "v"}}},
		{rel: "k=a%2Fb%3Dc/a.parquet", want: []Partition{{Key: "k", Value: "a/b=c"}}},
		{rel: "k=__HIVE_DEFAULT_PARTITION__/a.parquet", want: []Partition{{Key: "k", Value: "__HIVE_DEFAULT_PARTITION__", Null: true}}},
		{rel: "=v/k=/a.parquet", want: []Partition{{Key: "k", Value: ""}}},
		{rel: "k=v.parquet"},
	}
	for _, tc := range tests {
		t.Run(tc.rel, func(t *testing.T) {
			if got := partitions(tc.rel); !slices.Equal(got, tc.want) {
				t.Fatalf("partitions(%q) = %+v, want %+v", tc.rel, got, tc.want)
			}
		})
	}
}
