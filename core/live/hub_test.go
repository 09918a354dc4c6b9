package live_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/oslira/oslira/core/live"
)

const (
	accA, accB  = "acc-a", "acc-b"
	an1, an2    = "an-1", "an-2"
	an3, batch1 = "an-3", "batch-1"
)

func TestHubDeliversEachFilterItsEventsInIDOrder(t *testing.T) {
	src, n := newSource(), newNotifier()
	h := live.NewHub(src, n, nil)
	wake, _ := running(t, h, n)

	subs := map[string]*live.Subscription{
		"account A":          h.Subscribe(live.Filter{AccountID: accA}),
		"analysis 1":         h.Subscribe(live.Filter{AccountID: accA, AnalysisID: an1}),
		"batch 1":            h.Subscribe(live.Filter{AccountID: accA, BatchID: batch1}),
		"analysis 2, batch1": h.Subscribe(live.Filter{AccountID: accA, AnalysisID: an2, BatchID: batch1}),
		"account B":          h.Subscribe(live.Filter{AccountID: accB}),
		// B's filter naming A's analysis: only B's own events may reach it.
		"B claiming analysis 1": h.Subscribe(live.Filter{AccountID: accB, AnalysisID: an1}),
		"no account":            h.Subscribe(live.Filter{AnalysisID: an1}),
	}
	src.add(
		ev(1, accA, an1, ""),
		ev(2, accA, an2, batch1),
		ev(3, accA, an3, batch1),
		ev(4, accB, "an-b", ""),
		// Another account's event carrying A's analysis and batch ids: never A's.
		ev(5, accB, an1, batch1),
		ev(6, accA, an1, ""),
		ev(7, accA, an2, batch1),
		ev(8, accA, an3, batch1),
		ev(9, accB, "an-b", ""),
	)
	wake()
	waitPosition(t, h, 9)

	want := map[string][]int64{
		"account A":             {1, 2, 3, 6, 7, 8},
		"analysis 1":            {1, 6},
		"batch 1":               {2, 3, 7, 8},
		"analysis 2, batch1":    {2, 7},
		"account B":             {4, 5, 9},
		"B claiming analysis 1": {5},
		"no account":            nil,
	}
	for name, s := range subs {
		if got := pending(s); !slices.Equal(got, want[name]) {
			t.Errorf("%s received %v, want %v", name, got, want[name])
		}
	}
}

func TestHubDeliversTheStoredEventUnchanged(t *testing.T) {
	src, n := newSource(), newNotifier()
	h := live.NewHub(src, n, nil)
	wake, _ := running(t, h, n)
	s := h.Subscribe(live.Filter{AccountID: accA})
	e := ev(1, accA, an1, batch1)
	e.Message, e.CreatedAt = "Scraping the profile", time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	src.add(e)
	wake()
	select {
	case got := <-s.C():
		if got != e {
			t.Fatalf("received %+v, want %+v", got, e)
		}
	case <-time.After(wait):
		t.Fatal("nothing delivered")
	}
}

func TestSubscriptionDeliversExactlyTheEventsAfterFrom(t *testing.T) {
	src, n := newSource(ev(1, accA, an1, ""), ev(2, accA, an1, ""), ev(3, accA, an1, "")), newNotifier()
	h := live.NewHub(src, n, nil)
	wake, _ := running(t, h, n)

	first := h.Subscribe(live.Filter{AccountID: accA})
	if first.From() != 3 || h.Position() != 3 {
		t.Fatalf("From %d, Position %d: a hub starts at the latest stored event (3)", first.From(), h.Position())
	}
	src.add(ev(4, accA, an1, ""))
	wake()
	waitPosition(t, h, 4)
	second := h.Subscribe(live.Filter{AccountID: accA})
	if second.From() != 4 {
		t.Fatalf("From %d, want 4", second.From())
	}
	src.add(ev(5, accA, an1, ""), ev(6, accB, an1, ""))
	wake()
	waitPosition(t, h, 6)

	if got := pending(first); !slices.Equal(got, []int64{4, 5}) {
		t.Errorf("first received %v, want [4 5]", got)
	}
	if got := pending(second); !slices.Equal(got, []int64{5}) {
		t.Errorf("second received %v, want [5]", got)
	}
}

func TestDuplicatesAndOldEventsAreIgnored(t *testing.T) {
	src, n := newSource(ev(1, accA, an1, ""), ev(2, accA, an1, ""), ev(3, accA, an1, "")), newNotifier()
	h := live.NewHub(src, n, nil)
	wake, _ := running(t, h, n)
	s := h.Subscribe(live.Filter{AccountID: accA})

	// A source answering with events at or below the position (a re-read, a duplicate).
	src.mu.Lock()
	src.replay = []live.Event{ev(2, accA, an1, ""), ev(3, accA, an1, ""), ev(4, accA, an1, ""),
		ev(4, accA, an1, ""), ev(3, accA, an1, ""), ev(5, accA, an1, "")}
	src.mu.Unlock()
	wake()
	waitPosition(t, h, 5)
	if got := pending(s); !slices.Equal(got, []int64{4, 5}) {
		t.Fatalf("received %v, want [4 5]", got)
	}
}

func TestSubscriptionMadeBeforeTheStartIsEndedWhenItWouldMissEvents(t *testing.T) {
	src, n := newSource(ev(1, accA, an1, ""), ev(2, accA, an1, "")), newNotifier()
	h := live.NewHub(src, n, nil)
	early := h.Subscribe(live.Filter{AccountID: accA})
	if early.From() != 0 {
		t.Fatalf("From %d before the start, want 0", early.From())
	}
	running(t, h, n)
	ended(t, early)
	if !errors.Is(early.Err(), live.ErrSlow) {
		t.Fatalf("Err %v, want ErrSlow: it was promised events 1 and 2, which the hub skips", early.Err())
	}
}

func TestSubscriptionMadeBeforeTheStartOfAnEmptySourceIsKept(t *testing.T) {
	src, n := newSource(), newNotifier()
	h := live.NewHub(src, n, nil)
	early := h.Subscribe(live.Filter{AccountID: accA})
	wake, _ := running(t, h, n)
	src.add(ev(1, accA, an1, ""))
	wake()
	waitPosition(t, h, 1)
	if got := pending(early); !slices.Equal(got, []int64{1}) || early.Err() != nil {
		t.Fatalf("received %v (Err %v), want [1]: nothing was skipped", got, early.Err())
	}
}

func TestSlowSubscriberIsDroppedAndOthersStillReceive(t *testing.T) {
	src, n := newSource(), newNotifier()
	h := live.NewHub(src, n, nil)
	wake, _ := running(t, h, n)
	live.SetBuffer(h, 2)
	slow := h.Subscribe(live.Filter{AccountID: accA})
	live.SetBuffer(h, 64)
	other := h.Subscribe(live.Filter{AccountID: accA})
	if h.Subscribers() != 2 {
		t.Fatalf("Subscribers %d, want 2", h.Subscribers())
	}

	src.add(ev(1, accA, an1, ""), ev(2, accA, an1, ""), ev(3, accA, an1, ""), ev(4, accA, an1, ""))
	wake()
	waitPosition(t, h, 4)
	ended(t, slow)
	if !errors.Is(slow.Err(), live.ErrSlow) {
		t.Fatalf("slow Err %v, want ErrSlow", slow.Err())
	}
	if got := pending(slow); !slices.Equal(got, []int64{1, 2}) {
		t.Errorf("slow holds %v, want its full buffer [1 2] and nothing after the drop", got)
	}
	if got := pending(other); !slices.Equal(got, []int64{1, 2, 3, 4}) {
		t.Errorf("other received %v, want [1 2 3 4]", got)
	}
	if h.Subscribers() != 1 {
		t.Errorf("Subscribers %d, want 1 after the drop", h.Subscribers())
	}
	slow.Close()
	if !errors.Is(slow.Err(), live.ErrSlow) {
		t.Errorf("Close after the drop changed Err to %v", slow.Err())
	}
}

func TestCloseIsIdempotentAndStopsDelivery(t *testing.T) {
	src, n := newSource(), newNotifier()
	h := live.NewHub(src, n, nil)
	wake, _ := running(t, h, n)
	closed := h.Subscribe(live.Filter{AccountID: accA})
	open := h.Subscribe(live.Filter{AccountID: accA})
	closed.Close()
	closed.Close()
	ended(t, closed)
	if closed.Err() != nil || h.Subscribers() != 1 {
		t.Fatalf("after Close: Err %v, Subscribers %d; want nil, 1", closed.Err(), h.Subscribers())
	}
	src.add(ev(1, accA, an1, ""))
	wake()
	waitPosition(t, h, 1)
	if got := pending(closed); got != nil {
		t.Errorf("a closed subscription received %v", got)
	}
	if got := pending(open); !slices.Equal(got, []int64{1}) {
		t.Errorf("the open one received %v, want [1]", got)
	}
}

func TestRunEndsEverySubscriptionWhenItsContextEnds(t *testing.T) {
	src, n := newSource(), newNotifier()
	h := live.NewHub(src, n, nil)
	_, stop := running(t, h, n)
	a := h.Subscribe(live.Filter{AccountID: accA})
	b := h.Subscribe(live.Filter{AccountID: accB})
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v, want context.Canceled", err)
	}
	for _, s := range []*live.Subscription{a, b} {
		ended(t, s)
		if !errors.Is(s.Err(), context.Canceled) {
			t.Errorf("Err %v, want context.Canceled", s.Err())
		}
	}
	late := h.Subscribe(live.Filter{AccountID: accA})
	ended(t, late)
	if !errors.Is(late.Err(), context.Canceled) || h.Subscribers() != 0 {
		t.Fatalf("a subscription to a stopped hub: Err %v, Subscribers %d", late.Err(), h.Subscribers())
	}
}

func TestRunRetriesTheStartingPosition(t *testing.T) {
	src, n := newSource(ev(7, accA, an1, "")), newNotifier()
	src.latest = 3
	log, warns := capture()
	h := live.NewHub(src, n, log)
	live.SetRetry(h, time.Millisecond)
	running(t, h, n)
	if h.Position() != 7 || warns() != 3 {
		t.Fatalf("Position %d after 3 failed reads (%d warnings), want 7 and 3", h.Position(), warns())
	}
}

func TestRunEndsWhileTheSourceIsDown(t *testing.T) {
	src, n := newSource(), newNotifier()
	src.latest = 1 << 30
	h := live.NewHub(src, n, nil)
	live.SetRetry(h, time.Millisecond)
	s := h.Subscribe(live.Filter{AccountID: accA})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run returned %v, want context.Canceled", err)
		}
	case <-time.After(wait):
		t.Fatal("Run did not return")
	}
	ended(t, s)
	if !errors.Is(s.Err(), context.Canceled) {
		t.Fatalf("Err %v, want context.Canceled", s.Err())
	}
}

func TestDrainReadsInBatchesUntilAShortBatch(t *testing.T) {
	for _, tc := range []struct {
		events int64
		reads  []int64
	}{
		{events: 5, reads: []int64{0, 2, 4}},    // [1 2] [3 4] [5]: short
		{events: 4, reads: []int64{0, 2, 4}},    // [1 2] [3 4] []: short
		{events: 1, reads: []int64{0}},          // [1]
		{events: 6, reads: []int64{0, 2, 4, 6}}, // three full batches, then the empty one
	} {
		src, n := newSource(), newNotifier()
		h := live.NewHub(src, n, nil)
		live.SetBatch(h, 2)
		live.SetPoll(h, time.Hour)
		s := h.Subscribe(live.Filter{AccountID: accA})
		wake, stop := running(t, h, n)
		for id := int64(1); id <= tc.events; id++ {
			src.add(ev(id, accA, an1, ""))
		}
		wake()
		waitPosition(t, h, tc.events)
		if err := stop(); !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
		if got := src.readLog(); !slices.Equal(got, tc.reads) {
			t.Errorf("%d events: reads after %v, want %v", tc.events, got, tc.reads)
		}
		if got := pending(s); len(got) != int(tc.events) {
			t.Errorf("%d events: received %v", tc.events, got)
		}
	}
}

func TestSourceErrorIsRetriedAtTheNextWakeUp(t *testing.T) {
	src, n := newSource(), newNotifier()
	log, warns := capture()
	h := live.NewHub(src, n, log)
	live.SetPoll(h, time.Hour)
	wake, _ := running(t, h, n)
	s := h.Subscribe(live.Filter{AccountID: accA})
	src.add(ev(1, accA, an1, ""))
	src.mu.Lock()
	src.fail = 1
	src.mu.Unlock()

	wake()
	if after := src.nextRead(t); after != 0 {
		t.Fatalf("read after %d, want 0", after)
	}
	wake()
	waitPosition(t, h, 1)
	if got := pending(s); !slices.Equal(got, []int64{1}) {
		t.Fatalf("received %v, want [1]", got)
	}
	if got := src.readLog(); !slices.Equal(got, []int64{0, 0}) {
		t.Errorf("reads after %v, want [0 0]: the failed read left the position unchanged", got)
	}
	if warns() != 1 {
		t.Errorf("%d warnings, want 1 for the failed read", warns())
	}
}

func TestPollRereadsWithoutANotification(t *testing.T) {
	src, n := newSource(), newNotifier()
	h := live.NewHub(src, n, nil)
	live.SetPoll(h, time.Millisecond)
	running(t, h, n) // the notifier never wakes the hub
	s := h.Subscribe(live.Filter{AccountID: accA})
	src.add(ev(1, accA, an1, ""))
	select {
	case e := <-s.C():
		if e.ID != 1 {
			t.Fatalf("received %d, want 1", e.ID)
		}
	case <-time.After(wait):
		t.Fatal("the poll never read the new event")
	}
}
