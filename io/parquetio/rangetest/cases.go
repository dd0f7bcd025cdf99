package rangetest

// Cases are the files the row-range tests read: pages of many sizes against
// units of many sizes, each encoding, token lists and text.
var Cases = []struct {
	Case     Case
	UnitRows []int64 // unit sizes to read the file in
}{
	{Case: Case{Name: "report_64k_pages", Seed: 1, Rows: 6000, RowGroupRows: 6000, DataPageSize: 65536, Dictionary: true,
		IDType: "int64", TokenType: "int32", MinLen: 5, MaxLen: 60, Vocab: 30522}, UnitRows: []int64{500, 1000}},
	{Case: Case{Name: "tiny_pages_dictionary", Seed: 2, Rows: 3000, RowGroupRows: 3000, DataPageSize: 1024, Dictionary: true,
		IDType: "int64", IDNullFraction: 0.1, TokenType: "int32", MinLen: 1, MaxLen: 40, Vocab: 200}, UnitRows: []int64{500, 128}},
	{Case: Case{Name: "tiny_pages_plain", Seed: 3, Rows: 3000, RowGroupRows: 3000, DataPageSize: 1024,
		IDType: "string", IDNullFraction: 0.1, TokenType: "int32", MinLen: 1, MaxLen: 40, Vocab: 30522}, UnitRows: []int64{500, 97}},
	{Case: Case{Name: "text_plain", Seed: 4, Rows: 4000, RowGroupRows: 4000, DataPageSize: 1024,
		IDType: "string", IDNullFraction: 0.2, Text: true, MinLen: 1, MaxLen: 30}, UnitRows: []int64{500, 333}},
	{Case: Case{Name: "text_dictionary_64k", Seed: 5, Rows: 6000, DataPageSize: 65536, Dictionary: true,
		IDType: "int64", IDNullFraction: 0.05, Text: true, MinLen: 1, MaxLen: 60}, UnitRows: []int64{500}},
	{Case: Case{Name: "int64_tokens_v2_pages_row_groups", Seed: 6, Rows: 5000, RowGroupRows: 1200, DataPageSize: 4096,
		DataPageVersion: "2.0", Dictionary: true, IDType: "int64", IDNullFraction: 0.1, TokenType: "int64",
		MinLen: 2, MaxLen: 50, Vocab: 30522}, UnitRows: []int64{500, 1200, 250}},
	{Case: Case{Name: "page_index", Seed: 7, Rows: 4000, RowGroupRows: 2500, DataPageSize: 2048, PageIndex: true,
		IDType: "string", IDNullFraction: 0.1, TokenType: "int32", MinLen: 1, MaxLen: 40, Vocab: 30522}, UnitRows: []int64{500, 300}},
	{Case: Case{Name: "delta_uncompressed", Seed: 8, Rows: 3000, RowGroupRows: 3000, DataPageSize: 2048, Delta: true,
		Compression: "none", IDType: "int64", IDNullFraction: 0.1, TokenType: "int32", MinLen: 1, MaxLen: 40, Vocab: 30522},
		UnitRows: []int64{500}},
	{Case: Case{Name: "default_options_150k", Seed: 9, Rows: 150_000, Dictionary: true,
		IDType: "int64", TokenType: "int32", MinLen: 2, MaxLen: 12, Vocab: 30522}, UnitRows: []int64{8192}},
}
