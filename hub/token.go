package hub

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// token is a Hub access token and where it came from. Its String and GoString never show the value,
// so a token that slips into a format string is still not printed.
type token struct {
	value  string
	source string // "the token option", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN" or the token file's path
}

func (t token) String() string   { return "<token from " + t.source + ">" }
func (t token) GoString() string { return t.String() }

// present reports whether a token was found.
func (t token) present() bool { return t.value != "" }

// findToken picks the token huggingface_hub would send: the explicit one, HF_TOKEN,
// HUGGING_FACE_HUB_TOKEN, then the token file ($HF_TOKEN_PATH, else $HF_HOME/token).
// HF_HUB_DISABLE_IMPLICIT_TOKEN turns off everything but the explicit token.
func findToken(explicit string) (token, error) {
	if t := cleanToken(explicit); t != "" {
		return token{value: t, source: "the token option"}, nil
	}
	if isTruthy(os.Getenv("HF_HUB_DISABLE_IMPLICIT_TOKEN")) {
		return token{}, nil
	}
	for _, name := range []string{"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"} {
		if t := cleanToken(os.Getenv(name)); t != "" {
			return token{value: t, source: name}, nil
		}
	}
	path, err := tokenPath()
	if err != nil {
		return token{}, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return token{}, nil
	}
	if err != nil {
		return token{}, fmt.Errorf("hub: reading the token file %s: %w", path, err)
	}
	if t := cleanToken(string(data)); t != "" {
		return token{value: t, source: path}, nil
	}
	return token{}, nil
}

// tokenPath is $HF_TOKEN_PATH, else $HF_HOME/token.
func tokenPath() (string, error) {
	if p := os.Getenv("HF_TOKEN_PATH"); p != "" {
		return expandPath(p)
	}
	home, err := hfHome()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, "token"), nil
}

// cleanToken drops line breaks and surrounding spaces, as huggingface_hub does.
func cleanToken(t string) string {
	t = strings.ReplaceAll(t, "\r", "")
	t = strings.ReplaceAll(t, "\n", "")
	return strings.TrimSpace(t)
}
