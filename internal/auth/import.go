package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/finintelli/auth/internal/password"
)

// ImportRow is one account of an import file, with the line it came from.
type ImportRow struct {
	Line         int
	Username     string
	Email        string
	PasswordHash string // bcrypt ($2a$, $2b$, $2y$) or a legacy 64-hex SHA-256 digest
	IsAdmin      bool
	IsActive     bool
}

// ImportProblem is something to report about one line of an import file.
type ImportProblem struct {
	Line    int
	Message string
}

// String returns the problem as "line N: message".
func (p ImportProblem) String() string {
	return fmt.Sprintf("line %d: %s", p.Line, p.Message)
}

// ImportReport says what an import did, or would do.
type ImportReport struct {
	Created  int             // accounts created (or, in a dry run, that would be)
	Skipped  int             // rows whose account already exists
	Problems []ImportProblem // rows that cannot be imported; nothing is written if any
	Notes    []ImportProblem // skipped rows that differ from their existing account
}

// ErrImportRejected is returned by ImportUsers when a row cannot be imported; the report
// lists every such row, and nothing was written.
var ErrImportRejected = &Error{Code: EINVALID, Message: "Import rejected; nothing was written"}

// ImportUsers creates the accounts of rows in one transaction: all of them, or none when
// any row is invalid or clashes with an existing account. A row whose username and e-mail
// address already belong to one account is skipped, so that running the same import again
// changes nothing. With dryRun nothing is written either way. Imported legacy SHA-256 hashes
// are replaced by bcrypt on the account's first login.
func (s *Service) ImportUsers(ctx context.Context, rows []ImportRow, dryRun bool) (
	ImportReport, error) {
	var rep ImportReport
	valid := checkImportRows(rows, &rep)
	c := s.clientOf(operatorClient())

	errRollback := errors.New("import: roll back")
	err := s.Store.InTx(ctx, func(tx Tx) error {
		fresh, err := planImport(ctx, tx, valid, &rep)
		if err != nil {
			return err
		}
		if len(rep.Problems) > 0 {
			return errRollback
		}
		if dryRun {
			rep.Created = len(fresh)
			return errRollback
		}
		return s.createImported(ctx, tx, fresh, c, &rep)
	})
	if err != nil && !errors.Is(err, errRollback) {
		rep.Created = 0
		return rep, err
	}
	if len(rep.Problems) > 0 {
		return rep, ErrImportRejected
	}

	if !dryRun {
		s.Logger.Info("users imported", "created", rep.Created, "skipped", rep.Skipped,
			"via", "cli")
	}
	return rep, nil
}

// checkImportRows validates each row on its own and against the rows before it, reports
// the problems, and returns the rows that passed.
func checkImportRows(rows []ImportRow, rep *ImportReport) []ImportRow {
	seenName := map[string]int{}
	seenEmail := map[string]int{}
	var valid []ImportRow
	for _, r := range rows {
		r.Username = strings.TrimSpace(r.Username)
		r.Email = strings.TrimSpace(r.Email)
		r.PasswordHash = strings.TrimSpace(r.PasswordHash)
		if msg := checkImportRow(r); msg != "" {
			rep.Problems = append(rep.Problems, ImportProblem{r.Line, msg})
			continue
		}

		uk, ek := UsernameKey(r.Username), EmailKey(r.Email)
		if first, ok := seenName[uk]; ok {
			rep.Problems = append(rep.Problems, ImportProblem{r.Line,
				fmt.Sprintf("username %q repeats line %d", r.Username, first)})
			continue
		}
		if first, ok := seenEmail[ek]; ok {
			rep.Problems = append(rep.Problems, ImportProblem{r.Line,
				fmt.Sprintf("e-mail address %q repeats line %d", r.Email, first)})
			continue
		}
		seenName[uk], seenEmail[ek] = r.Line, r.Line
		valid = append(valid, r)
	}
	return valid
}

// checkImportRow returns what is wrong with one row, or "".
func checkImportRow(r ImportRow) string {
	if err := ValidateUsername(r.Username); err != nil {
		return fmt.Sprintf("username %q: %s", r.Username, ErrorMessage(err))
	}
	if err := ValidateEmail(r.Email); err != nil {
		return fmt.Sprintf("e-mail %q: %s", r.Email, ErrorMessage(err))
	}
	if !ImportableHash(r.PasswordHash) {
		return "password_hash must be a bcrypt hash ($2a$, $2b$ or $2y$) " +
			"or 64 hexadecimal digits (legacy SHA-256)"
	}
	return ""
}

// ImportableHash reports whether h is a password hash that login can verify: a well-formed
// bcrypt hash or a legacy unsalted SHA-256 digest in hexadecimal.
func ImportableHash(h string) bool {
	if len(h) == 64 {
		return strings.Trim(strings.ToLower(h), "0123456789abcdef") == ""
	}
	if len(h) != 60 {
		return false
	}
	switch h[:4] {
	case "$2a$", "$2b$", "$2y$":
	default:
		return false
	}
	const alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	if h[6] != '$' || strings.Trim(h[7:], alphabet) != "" {
		return false
	}
	cost, err := bcrypt.Cost([]byte(h))
	return err == nil && cost <= password.MaxStoredCost
}

// planImport compares the valid rows with the accounts that exist, reporting clashes and
// counting rows to skip, and returns the rows to create.
func planImport(ctx context.Context, tx Tx, rows []ImportRow, rep *ImportReport) (
	[]ImportRow, error) {
	var fresh []ImportRow
	for _, r := range rows {
		byName, err := lookupOptional(ctx, tx, UsernameKey(r.Username))
		if err != nil {
			return nil, err
		}
		byEmail, err := lookupOptional(ctx, tx, EmailKey(r.Email))
		if err != nil {
			return nil, err
		}

		switch {
		case byName == nil && byEmail == nil:
			fresh = append(fresh, r)
		case byName != nil && byEmail != nil && byName.ID == byEmail.ID &&
			byName.UsernameKey == UsernameKey(r.Username):
			rep.Skipped++
			if note := importDiff(*byName, r); note != "" {
				rep.Notes = append(rep.Notes, ImportProblem{r.Line, note})
			}
		case byName != nil && byName.UsernameKey == UsernameKey(r.Username):
			rep.Problems = append(rep.Problems, ImportProblem{r.Line, fmt.Sprintf(
				"username %q is taken by an account with another e-mail address", r.Username)})
		default:
			rep.Problems = append(rep.Problems, ImportProblem{r.Line, fmt.Sprintf(
				"e-mail address %q is registered to another account", r.Email)})
		}
	}
	return fresh, nil
}

// lookupOptional returns the user whose username or e-mail key is key, or nil.
func lookupOptional(ctx context.Context, tx Tx, key string) (*User, error) {
	u, err := tx.UserByLogin(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return &u, nil
}

// importDiff describes how a skipped row differs from its existing account, or "".
func importDiff(u User, r ImportRow) string {
	var diffs []string
	if u.HashedPassword != r.PasswordHash {
		diffs = append(diffs, "password hash")
	}
	if u.IsAdmin != r.IsAdmin {
		diffs = append(diffs, "is_admin")
	}
	if u.IsActive != r.IsActive {
		diffs = append(diffs, "is_active")
	}
	if len(diffs) == 0 {
		return ""
	}
	return fmt.Sprintf("%q exists and was left unchanged (differs in %s)", r.Username,
		strings.Join(diffs, ", "))
}

// createImported creates the accounts of rows inside tx.
func (s *Service) createImported(ctx context.Context, tx Tx, rows []ImportRow, c Client,
	rep *ImportReport) error {
	now := s.now()
	for _, r := range rows {
		u := User{Username: r.Username, Email: r.Email, UsernameKey: UsernameKey(r.Username),
			EmailKey: EmailKey(r.Email), HashedPassword: r.PasswordHash,
			IsActive: r.IsActive, IsAdmin: r.IsAdmin, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateUser(ctx, &u); err != nil {
			if IsCode(err, ECONFLICT) {
				rep.Problems = append(rep.Problems, ImportProblem{r.Line, ErrorMessage(err)})
			}
			return fmt.Errorf("import line %d: %w", r.Line, err)
		}
		a := adminActivity(EventUserImported, operator(), u, c, now)
		if err := tx.AddActivity(ctx, &a); err != nil {
			return err
		}
		rep.Created++
	}
	return nil
}

// ErrorMessage returns the message of err meant for people, or err's text when it is not
// an *Error.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return err.Error()
}
