package contracts_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/oslira/oslira/contracts"
)

// TestEveryErrorCodeIsDocumented parses the Go sources for string constants named Code… and
// requires each value to appear as a row of errors.md, so a new code cannot ship undocumented.
func TestEveryErrorCodeIsDocumented(t *testing.T) {
	t.Parallel()
	codes := map[string]string{}
	for _, root := range []string{"../core", "../adapters", "../hosts"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			file, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				return err
			}
			for _, decl := range file.Decls {
				gen, ok := decl.(*ast.GenDecl)
				if !ok || gen.Tok != token.CONST {
					continue
				}
				for _, spec := range gen.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, name := range vs.Names {
						if !strings.HasPrefix(name.Name, "Code") || i >= len(vs.Values) {
							continue
						}
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							v, _ := strconv.Unquote(lit.Value)
							codes[v] = path + ": " + name.Name
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("walk %s: %v", root, err)
		}
	}
	if len(codes) < 10 {
		t.Fatalf("found only %d codes; is the walk looking in the right place?", len(codes))
	}
	for code, where := range codes {
		if !strings.Contains(contracts.ErrorsMarkdown, "| `"+code+"` |") {
			t.Errorf("error code %q (%s) is not listed in contracts/errors.md", code, where)
		}
	}
}
