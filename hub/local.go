package hub

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// resolveLocal checks a local model folder holds config.json and readable weights, and lists the
// files a job needs from it. Nothing is written.
func resolveLocal(ctx context.Context, ref, dir string, logf func(string, ...any)) (*Snapshot, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	names, err := listFiles(dir)
	if err != nil {
		return nil, err
	}
	files, err := selectFiles(ctx, folderSource{dir: dir, files: names}, logf)
	if err != nil {
		var missing *missingError
		if errors.As(err, &missing) {
			return nil, fmt.Errorf("hub: model folder %s lacks %s; give the folder that holds the model's config.json "+
				"and weights", dir, strings.Join(missing.files, ", "))
		}
		return nil, fmt.Errorf("hub: model folder %s: %w", dir, err)
	}
	return &Snapshot{Ref: ref, Dir: dir, Files: files}, nil
}
