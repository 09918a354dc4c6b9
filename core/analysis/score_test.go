package analysis_test

import (
	"errors"
	"testing"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/credit"
)

func TestScoreTierBounds(t *testing.T) {
	for n, want := range map[int]analysis.Tier{
		0: analysis.Cold, 39: analysis.Cold, 40: analysis.Cool, 59: analysis.Cool, 60: analysis.Warm,
		79: analysis.Warm, 80: analysis.Hot, 100: analysis.Hot,
	} {
		s, err := analysis.NewScore(n)
		if err != nil || s.Int() != n || s.Tier() != want {
			t.Errorf("NewScore(%d) = %d (%s), %v; want tier %s", n, s.Int(), s.Tier(), err, want)
		}
	}
	var zero analysis.Score
	if zero.Int() != 0 || zero.Tier() != analysis.Cold {
		t.Error("the zero score is 0, cold")
	}
	if len(analysis.Tiers()) != 4 || analysis.Tiers()[0] != analysis.Hot || analysis.Tiers()[3] != analysis.Cold {
		t.Errorf("tiers %v", analysis.Tiers())
	}
}

func TestScoreRange(t *testing.T) {
	for _, n := range []int{-1, 101, -1 << 31, 1 << 31} {
		s, err := analysis.NewScore(n)
		e, ok := apperr.As(err)
		if !ok || !errors.Is(err, analysis.ErrInvalidScore) || e.Kind != apperr.Invalid || len(e.Fields) != 1 ||
			e.Fields[0].Field != "score" || s != (analysis.Score{}) {
			t.Errorf("NewScore(%d) = %v, %#v; want ErrInvalidScore on field score", n, s, err)
		}
	}
}

func TestTypes(t *testing.T) {
	want := map[analysis.Type]struct {
		cost    int64
		metrics bool
	}{analysis.Light: {1, false}, analysis.Deep: {2, true}, analysis.XRay: {3, true}}
	if len(analysis.Types()) != len(want) {
		t.Fatalf("Types() = %v", analysis.Types())
	}
	for _, typ := range analysis.Types() {
		parsed, err := analysis.ParseType(string(typ))
		cost, cerr := typ.Cost()
		priced, _ := credit.AnalysisCost(string(typ))
		if err != nil || parsed != typ || cerr != nil || cost != priced || cost.Int64() != want[typ].cost ||
			typ.NeedsMetrics() != want[typ].metrics {
			t.Errorf("%s: parsed %q %v, cost %v %v, metrics %v", typ, parsed, err, cost, cerr, typ.NeedsMetrics())
		}
	}
	for _, s := range []string{"", "Light", "ultra", "light "} {
		typ, err := analysis.ParseType(s)
		e, ok := apperr.As(err)
		if typ != "" || !ok || e.Code != credit.CodeUnknownAnalysis || e.Kind != apperr.Invalid || e.Fields[0].Field != "type" {
			t.Errorf("ParseType(%q) = %q, %v", s, typ, err)
		}
		if _, err := analysis.Type(s).Cost(); apperr.CodeOf(err) != credit.CodeUnknownAnalysis {
			t.Errorf("Type(%q).Cost() = %v", s, err)
		}
		if analysis.Type(s).NeedsMetrics() {
			t.Errorf("%q needs metrics", s)
		}
	}
}
