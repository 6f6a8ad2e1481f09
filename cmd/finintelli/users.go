package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/finintelli/auth/internal/auth"
)

const userUsage = `usage: finintelli user <command> [flags] [arguments]

commands:
  create --username U --email E [--admin]   create an account
  import [--dry-run] FILE                   import accounts from CSV or JSON Lines
  set-admin [--remove] USER                 make USER an administrator, or with --remove not
  activate USER                             let USER log in again
  deactivate USER                           stop USER from logging in; ends all sessions

USER is a username or an e-mail address. Run "finintelli user <command> --help" for more.
`

// userCmd runs "finintelli user ...".
func userCmd(ctx context.Context, args []string, env lookupFunc, s streams) int {
	if len(args) == 0 {
		fmt.Fprint(s.err, userUsage)
		return 2
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "create":
		return userCreate(ctx, args, env, s)
	case "import":
		return userImport(ctx, args, env, s)
	case "set-admin":
		return userSetAdmin(ctx, args, env, s)
	case "activate", "deactivate":
		return userSetActive(ctx, sub, args, env, s)
	case "help", "--help", "-help", "-h":
		fmt.Fprint(s.out, userUsage)
		return 0
	}
	fmt.Fprintf(s.err, "finintelli user: unknown command %q\n\n%s", sub, userUsage)
	return 2
}

func userCreate(ctx context.Context, args []string, env lookupFunc, s streams) int {
	c := command{name: "user create", about: "Creates an active account under the " +
		"registration policy. The password is asked twice without echo when standard input " +
		"is a terminal, and otherwise read as the first line of standard input; it is never " +
		"taken from the command line."}
	fs := c.flags()
	username := fs.String("username", "", "the account's username (required)")
	email := fs.String("email", "", "the account's e-mail address (required)")
	admin := fs.Bool("admin", false, "make the account an administrator")
	if _, code, ok := c.parse(fs, args, s); !ok {
		return code
	}
	if *username == "" || *email == "" {
		return c.usageError(fs, s, "--username and --email are required")
	}

	pass, err := readPassword(s)
	if err != nil {
		return c.fail(s, err)
	}
	op, code := openOperator(ctx, env, s)
	if op == nil {
		return code
	}
	defer op.Close()

	u, err := op.svc.CreateUser(ctx, auth.NewUser{Username: *username, Email: *email,
		Password: pass, IsAdmin: *admin})
	if err != nil {
		return c.fail(s, err)
	}
	role := "user"
	if u.IsAdmin {
		role = "administrator"
	}
	fmt.Fprintf(s.out, "created %s %s (id %d)\n", role, u.Username, u.ID)
	return 0
}

// readPassword reads a new password: from a terminal without echo, asked twice, or else as
// one line of s.in.
func readPassword(s streams) (string, error) {
	if f, ok := s.in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return promptPassword(int(f.Fd()), s.err)
	}

	const limit = auth.PasswordMaxBytes + 2 // the password, "\r\n"
	line, err := bufio.NewReader(io.LimitReader(s.in, limit+1)).ReadString('\n')
	switch {
	case len(line) > limit:
		return "", errors.New("the password on standard input is too long")
	case err != nil && !errors.Is(err, io.EOF):
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", errors.New("no password given: type it at the prompt, or pipe it as " +
			"one line to standard input")
	}
	return line, nil
}

// promptPassword asks for the password twice on the terminal fd, without echo.
func promptPassword(fd int, prompt io.Writer) (string, error) {
	ask := func(label string) (string, error) {
		fmt.Fprint(prompt, label)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return string(b), nil
	}
	first, err := ask("Password: ")
	if err != nil {
		return "", err
	}
	again, err := ask("Repeat password: ")
	if err != nil {
		return "", err
	}
	if first != again {
		return "", errors.New("the passwords do not match")
	}
	if first == "" {
		return "", errors.New("no password given")
	}
	return first, nil
}

func userSetAdmin(ctx context.Context, args []string, env lookupFunc, s streams) int {
	c := command{name: "user set-admin", args: "USER", nargs: 1, about: "Makes USER " +
		"(a username or e-mail address) an administrator, or with --remove a plain user. " +
		"Unlike the web API, this may remove the last administrator."}
	fs := c.flags()
	remove := fs.Bool("remove", false, "remove the administrator flag instead")
	rest, code, ok := c.parse(fs, args, s)
	if !ok {
		return code
	}

	admin := !*remove
	u, code := updateUser(ctx, c, env, s, rest[0], auth.UserPatch{IsAdmin: &admin})
	if code != 0 {
		return code
	}
	if u.IsAdmin {
		fmt.Fprintf(s.out, "%s is an administrator\n", u.Username)
	} else {
		fmt.Fprintf(s.out, "%s is not an administrator\n", u.Username)
	}
	return 0
}

func userSetActive(ctx context.Context, sub string, args []string, env lookupFunc,
	s streams) int {
	about := "Lets USER (a username or e-mail address) log in again."
	if sub == "deactivate" {
		about = "Stops USER (a username or e-mail address) from logging in and ends all " +
			"of its sessions at once."
	}
	c := command{name: "user " + sub, args: "USER", nargs: 1, about: about}
	fs := c.flags()
	rest, code, ok := c.parse(fs, args, s)
	if !ok {
		return code
	}

	active := sub == "activate"
	u, code := updateUser(ctx, c, env, s, rest[0], auth.UserPatch{IsActive: &active})
	if code != 0 {
		return code
	}
	if active {
		fmt.Fprintf(s.out, "%s is active\n", u.Username)
	} else {
		fmt.Fprintf(s.out, "%s is deactivated and signed out everywhere\n", u.Username)
	}
	return 0
}

// updateUser applies p to the account named login.
func updateUser(ctx context.Context, c command, env lookupFunc, s streams, login string,
	p auth.UserPatch) (auth.User, int) {
	op, code := openOperator(ctx, env, s)
	if op == nil {
		return auth.User{}, code
	}
	defer op.Close()

	u, err := op.svc.UpdateUserByLogin(ctx, login, p)
	if err != nil {
		if auth.IsCode(err, auth.ENOTFOUND) {
			err = fmt.Errorf("no user %q", login)
		}
		return auth.User{}, c.fail(s, err)
	}
	return u, 0
}
