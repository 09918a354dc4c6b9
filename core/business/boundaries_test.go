package business_test

import (
	"context"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/adapters/mock/businessmock"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/lead"
)

// TestListAcceptsAPageOfOne: the smallest page size, 1, is a valid limit passed to the store as is.
func TestListAcceptsAPageOfOne(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := businessmock.NewMockStore(gomock.NewController(t))
	store.EXPECT().List(ctx, caller, business.ListFilter{Limit: 1}).Return(business.Page{NextCursor: "n"}, nil)
	if page, err := business.NewService(store, nil).List(ctx, caller, "", 1); err != nil || page.NextCursor != "n" {
		t.Fatalf("List(1) = %+v, %v", page, err)
	}
}

// TestWriteContextSummarySentences: a summary of fewer than four sentences is kept whole even when
// its last one ends the text with a full stop, "!" or "?"; a longer one keeps its first four.
func TestWriteContextSummarySentences(t *testing.T) {
	t.Parallel()
	for summary, want := range map[string]string{
		"We coach founders.":                     "We coach founders.",
		"We coach founders. Online and offline!": "We coach founders. Online and offline!",
		"Who do we coach? Founders?":             "Who do we coach? Founders?",
		"One. Two. Three. Four. Five.":           "One. Two. Three. Four.",
		"One! Two? Three. Four! Five? Six.":      "One! Two? Three. Four!",
	} {
		w, err := business.WriteContext(business.Text{Text: "x"}, business.Text{Text: summary})
		if err != nil || w.Summary != want {
			t.Errorf("summary %q: %q, %v; want %q", summary, w.Summary, err, want)
		}
	}
}

// TestMatchICPThreeLetterWordsKeepTheirS: only words longer than three letters lose a trailing
// "s", so a three-letter word is compared whole: "CSS" in a bio does not find the niche "CS".
func TestMatchICPThreeLetterWordsKeepTheirS(t *testing.T) {
	t.Parallel()
	p := lead.ProfileSnapshot{Username: "dev.kim", FollowersCount: 10, Biography: "Frontend tips: CSS, HTML and design systems."}
	for niche, want := range map[string]business.Verdict{
		"CS":            business.Unmet,
		"css":           business.Met,
		"design system": business.Met, // a longer word still loses its "s"
	} {
		m := business.MatchICP(business.ICP{Niches: []string{niche}}, p, nil)
		if r := reason(t, m, business.CriterionTopics); r.Verdict != want {
			t.Errorf("niche %q: %s (%s), want %s", niche, r.Verdict, r.Detail, want)
		}
	}
}
