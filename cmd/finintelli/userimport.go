package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/finintelli/auth/internal/auth"
)

// maxImportBytes bounds the size of an import file, which is read into memory whole.
const maxImportBytes = 256 << 20

// maxImportLine bounds one line of a JSON Lines file.
const maxImportLine = 1 << 20

// importColumns are the fields of an import row; the first three are required.
var importColumns = []string{"username", "email", "password_hash", "is_admin", "is_active"}

func userImport(ctx context.Context, args []string, env lookupFunc, s streams) int {
	c := command{name: "user import", args: "FILE", nargs: 1, about: `Imports accounts from
FILE ("-" for standard input): CSV with a header row, or JSON Lines (one object per line).
The fields are username, email, password_hash (bcrypt $2a$/$2b$/$2y$, or a legacy SHA-256
digest as 64 hexadecimal digits, replaced by bcrypt on the first login), and optionally
is_admin (default false) and is_active (default true).

Every row is checked and every problem reported with its line number. Nothing is written
unless every row can be imported; then all are, in one transaction. A row whose username
and e-mail address already belong to one account is skipped, so a second run of the same
file changes nothing.`}
	fs := c.flags()
	dryRun := fs.Bool("dry-run", false, "check the file and report, without writing")
	format := fs.String("format", "auto", "csv, jsonl, or auto (by file extension or content)")
	rest, code, ok := c.parse(fs, args, s)
	if !ok {
		return code
	}
	if !slices.Contains([]string{"auto", "csv", "jsonl"}, *format) {
		return c.usageError(fs, s, fmt.Sprintf("unknown --format %q", *format))
	}

	data, err := readImportFile(rest[0], s.in)
	if err != nil {
		return c.fail(s, err)
	}
	rows, problems := parseImport(data, importFormat(*format, rest[0], data))
	if len(rows) == 0 && len(problems) == 0 {
		return c.fail(s, errors.New("the file holds no accounts"))
	}

	op, code := openOperator(ctx, env, s)
	if op == nil {
		return code
	}
	defer op.Close()

	// With problems in the file itself, still check the good rows, so that one run
	// reports everything; but write nothing.
	rep, err := op.svc.ImportUsers(ctx, rows, *dryRun || len(problems) > 0)
	problems = append(problems, rep.Problems...)
	return reportImport(c, s, rep, problems, *dryRun, err)
}

// readImportFile reads the file at path, or all of in for "-".
func readImportFile(path string, in io.Reader) ([]byte, error) {
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		in = f
	}
	data, err := io.ReadAll(io.LimitReader(in, maxImportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxImportBytes {
		return nil, fmt.Errorf("%s is larger than %d MiB", path, maxImportBytes>>20)
	}
	return bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), nil
}

// importFormat decides between "csv" and "jsonl": as asked, else by the file's extension,
// else by its first character.
func importFormat(asked, path string, data []byte) string {
	if asked != "auto" {
		return asked
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return "csv"
	case ".jsonl", ".ndjson", ".json":
		return "jsonl"
	}
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		return "jsonl"
	}
	return "csv"
}

// parseImport reads the rows of data, reporting rows it cannot read.
func parseImport(data []byte, format string) ([]auth.ImportRow, []auth.ImportProblem) {
	if format == "jsonl" {
		return parseJSONLines(data)
	}
	return parseCSV(data)
}

func parseCSV(data []byte) ([]auth.ImportRow, []auth.ImportProblem) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true

	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil
	} else if err != nil {
		return nil, []auth.ImportProblem{csvProblem(err)}
	}
	index, problem := csvHeader(header)
	if problem != "" {
		return nil, []auth.ImportProblem{{Line: 1, Message: problem}}
	}

	var rows []auth.ImportRow
	var problems []auth.ImportProblem
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A broken quote leaves the rest of the file unreadable.
			return rows, append(problems, csvProblem(err))
		}
		line, _ := r.FieldPos(0)
		if len(rec) != len(header) {
			problems = append(problems, auth.ImportProblem{Line: line, Message: fmt.Sprintf(
				"got %d fields, want %d as in the header", len(rec), len(header))})
			continue
		}
		fields := map[string]string{}
		for name, i := range index {
			fields[name] = strings.TrimSpace(rec[i])
		}
		row, msg := importRow(line, fields)
		if msg != "" {
			problems = append(problems, auth.ImportProblem{Line: line, Message: msg})
			continue
		}
		rows = append(rows, row)
	}
	return rows, problems
}

// csvHeader maps each column name to its index, or says what is wrong with the header.
func csvHeader(header []string) (map[string]int, string) {
	index := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(importColumns, name) {
			return nil, fmt.Sprintf("unknown column %q; the columns are %s", h,
				strings.Join(importColumns, ", "))
		}
		if _, dup := index[name]; dup {
			return nil, fmt.Sprintf("column %q appears twice", name)
		}
		index[name] = i
	}
	for _, name := range importColumns[:3] {
		if _, ok := index[name]; !ok {
			return nil, fmt.Sprintf("the header lacks the %s column", name)
		}
	}
	return index, ""
}

func csvProblem(err error) auth.ImportProblem {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return auth.ImportProblem{Line: pe.Line, Message: pe.Err.Error()}
	}
	return auth.ImportProblem{Line: 1, Message: err.Error()}
}

// jsonRow is one line of a JSON Lines import.
type jsonRow struct {
	Username     *string `json:"username"`
	Email        *string `json:"email"`
	PasswordHash *string `json:"password_hash"`
	IsAdmin      *bool   `json:"is_admin"`
	IsActive     *bool   `json:"is_active"`
}

func parseJSONLines(data []byte) ([]auth.ImportRow, []auth.ImportProblem) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), maxImportLine)

	var rows []auth.ImportRow
	var problems []auth.ImportProblem
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		row, msg := jsonLine(line, text)
		if msg != "" {
			problems = append(problems, auth.ImportProblem{Line: line, Message: msg})
			continue
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		problems = append(problems, auth.ImportProblem{Line: line + 1, Message: err.Error()})
	}
	return rows, problems
}

// jsonLine decodes one line of a JSON Lines import.
func jsonLine(line int, text []byte) (auth.ImportRow, string) {
	var j jsonRow
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return auth.ImportRow{}, "not a JSON object of the import fields: " + err.Error()
	}
	if dec.More() {
		return auth.ImportRow{}, "more than one JSON value on the line"
	}

	fields := map[string]string{}
	for name, v := range map[string]*string{"username": j.Username, "email": j.Email,
		"password_hash": j.PasswordHash} {
		if v != nil {
			fields[name] = strings.TrimSpace(*v)
		}
	}
	for name, v := range map[string]*bool{"is_admin": j.IsAdmin, "is_active": j.IsActive} {
		if v != nil {
			fields[name] = fmt.Sprint(*v)
		}
	}
	return importRow(line, fields)
}

// importRow builds a row from its fields, or says what is missing or malformed. The
// service checks the values themselves.
func importRow(line int, f map[string]string) (auth.ImportRow, string) {
	for _, name := range importColumns[:3] {
		if f[name] == "" {
			return auth.ImportRow{}, name + " is missing"
		}
	}
	admin, ok := parseFlag(f["is_admin"], false)
	if !ok {
		return auth.ImportRow{}, fmt.Sprintf("is_admin %q is not true or false", f["is_admin"])
	}
	active, ok := parseFlag(f["is_active"], true)
	if !ok {
		return auth.ImportRow{}, fmt.Sprintf("is_active %q is not true or false",
			f["is_active"])
	}
	return auth.ImportRow{Line: line, Username: f["username"], Email: f["email"],
		PasswordHash: f["password_hash"], IsAdmin: admin, IsActive: active}, ""
}

// parseFlag reads true/false, 1/0 or yes/no in any case; empty gives def.
func parseFlag(v string, def bool) (bool, bool) {
	switch strings.ToLower(v) {
	case "":
		return def, true
	case "true", "1", "yes", "t", "y":
		return true, true
	case "false", "0", "no", "f", "n":
		return false, true
	}
	return false, false
}

// reportImport prints the outcome of an import and returns the exit code.
func reportImport(c command, s streams, rep auth.ImportReport, problems []auth.ImportProblem,
	dryRun bool, err error) int {
	slices.SortStableFunc(problems, func(a, b auth.ImportProblem) int { return a.Line - b.Line })
	for _, p := range problems {
		fmt.Fprintln(s.err, p)
	}
	for _, n := range rep.Notes {
		fmt.Fprintln(s.out, n)
	}
	if len(problems) > 0 {
		fmt.Fprintf(s.err, "finintelli %s: %s in the file; nothing was imported\n", c.name,
			plural(len(problems), "problem"))
		return 1
	}
	if err != nil {
		return c.fail(s, err)
	}

	if dryRun {
		fmt.Fprintf(s.out, "dry run: would create %s, skip %s already there\n",
			plural(rep.Created, "account"), plural(rep.Skipped, "account"))
		return 0
	}
	fmt.Fprintf(s.out, "created %s, skipped %s already there\n",
		plural(rep.Created, "account"), plural(rep.Skipped, "account"))
	return 0
}
