package billing

import (
	"math/bits"
	"slices"
	"strconv"

	"github.com/oslira/oslira/core/credit"
)

// Payment is what billing knows about one Stripe payment of a credit pack, so that its purchase
// and its refunds give the same result in whatever order Stripe delivers them (see "Payments
// and refunds" in the package documentation).
//
// Key identifies the payment in both kinds of events: the PaymentIntent (pi_…), which a
// checkout session and the charge it produced both name; else the charge (ch_…) or, for a
// checkout that names no PaymentIntent, the session (cs_…) — those never meet the other kind of
// event, and each is then processed on its own.
type Payment struct {
	Key       string
	AccountID string

	Credits        int64 // credits bought (metadata credits); 0 while unknown
	Amount         int64 // the charge's amount in the smallest currency unit; 0 while no charge event was seen
	AmountRefunded int64 // the highest cumulative amount_refunded seen

	Purchased bool  // the purchase (checkout) was processed
	Granted   int64 // credits the purchase added: Credits less what was already refunded then
	TakenBack int64 // credits taken from the balance for refunds (including settled debts)
	Owed      int64 // credits refunds should have taken but the balance could not cover, not yet settled

	Events []string // ids of the events applied to this payment, for per-event idempotency
}

// RefundedCredits is the part of the credits bought that the refunds seen so far cancel:
// floor(Credits·AmountRefunded/Amount), computed from the cumulative amount_refunded, so a series
// of partial refunds cancels exactly the credits of their total (rounding down: a refund of less
// than one credit's worth takes nothing, the customer's favour).
func (p Payment) RefundedCredits() int64 {
	return refundedCredits(p.Credits, p.Amount, p.AmountRefunded)
}

// voided is what the account's balance already accounts for as cancelled: not granted at the
// purchase, taken back since, or owed.
func (p Payment) voided() int64 {
	return p.Credits - p.Granted + p.TakenBack + p.Owed
}

// Net is the payment's net effect on the balance so far: granted less taken back.
func (p Payment) Net() int64 { return p.Granted - p.TakenBack }

func (p Payment) applied(eventID string) bool { return slices.Contains(p.Events, eventID) }

// CreditState is what ChangeCredits shows its decide function, read under the locks.
type CreditState struct {
	// Payment is the payment the change concerns, as stored; a new one has only Key and
	// AccountID set. Zero when the change concerns no payment.
	Payment Payment
	// Debts are the account's other payments with Owed > 0, oldest first.
	Debts []Payment
	// Balance is the account's balance.
	Balance int64
}

// CreditChange is what decide asks ChangeCredits to write. Entries are applied in order; when
// the first one already exists (same account, kind and reference) the whole change is a replay
// and nothing is written. Payments are stored (inserted or replaced by Key).
type CreditChange struct {
	Entries  []credit.EntryRequest
	Payments []Payment
	// Replay says decide found the change already made (nothing to write).
	Replay bool
	// Detail describes the change for the event's outcome.
	Detail string
}

// CreditResult is what ChangeCredits did.
type CreditResult struct {
	Change  CreditChange
	Results []credit.Result // one per entry written; for a replay, the existing first entry
	Replay  bool            // nothing was written: decide said so, or the first entry existed
}

// Delta sums the deltas of the entries written (or, for a replay, of the existing first entry).
func (r CreditResult) Delta() int64 {
	var d int64
	for _, e := range r.Results {
		d += e.Entry.Delta
	}
	return d
}

// purchase is the purchase of a payment delivered by event eventID: it grants the credits bought
// less those its refunds, seen before, already cancel; then settles the account's debts from
// what it granted. A payment already purchased is a replay.
func purchase(st CreditState, eventID, objectID string, credits int64) CreditChange {
	p := st.Payment
	if p.Purchased {
		return CreditChange{Replay: true, Detail: "the purchase was already processed"}
	}
	p.Credits, p.Purchased = credits, true
	p.Granted = credits - p.RefundedCredits()
	p.Events = append(p.Events, eventID)
	ch := CreditChange{Payments: []Payment{p}}
	detail := "credit pack of " + strconv.FormatInt(credits, 10)
	if p.Granted > 0 {
		ch.Entries = append(ch.Entries, credit.EntryRequest{
			AccountID:   p.AccountID,
			Kind:        credit.Purchase,
			Amount:      credit.MustAmount(p.Granted), // 0 < Granted ≤ credits ≤ MaxAmount
			Reference:   eventID,
			Description: "Credit pack of " + strconv.FormatInt(credits, 10) + " (Stripe checkout " + objectID + ")",
		})
	}
	if p.Granted < credits {
		detail += ", " + strconv.FormatInt(credits-p.Granted, 10) + " already refunded"
	}
	settled := settle(&ch, st.Debts, p.AccountID, eventID, p.Granted)
	ch.Detail = detail + settledDetail(settled)
	return ch
}

// refund applies a charge.refunded event to its payment: the cumulative amount refunded grows
// to the event's figure (never shrinks: an older event delivered late changes nothing). Before
// the purchase, that is all (the purchase will grant only what is left). After it, the newly
// cancelled credits are taken from the balance; what the balance cannot cover is owed.
func refund(st CreditState, ev Event) CreditChange {
	p := st.Payment
	if p.applied(ev.ID) {
		return CreditChange{Replay: true, Detail: "the refund was already processed"}
	}
	if p.Credits == 0 {
		p.Credits = ev.Credits
	}
	p.Amount = ev.Amount
	p.AmountRefunded = max(p.AmountRefunded, ev.AmountRefunded)
	p.Events = append(p.Events, ev.ID)
	var ch CreditChange
	switch want := p.RefundedCredits() - p.voided(); {
	case !p.Purchased:
		ch.Detail = "refund recorded before its purchase: " + strconv.FormatInt(p.RefundedCredits(), 10) +
			" credits will not be granted"
	case want <= 0:
		ch.Detail = "nothing more to take back (the refund is worth less than one more credit, or was already taken)"
	default:
		take := min(want, st.Balance)
		p.TakenBack += take
		p.Owed += want - take
		if take > 0 {
			ch.Entries = []credit.EntryRequest{{
				AccountID:   p.AccountID,
				Kind:        credit.Chargeback,
				Amount:      credit.MustAmount(take), // 0 < take ≤ want ≤ Credits ≤ MaxAmount
				Reference:   ev.ID,
				Description: "Refund of Stripe charge " + ev.ObjectID + ": " + strconv.FormatInt(take, 10) + " credits",
			}}
		}
		ch.Detail = "refund takes back " + strconv.FormatInt(take, 10)
		if want > take {
			ch.Detail += ", " + strconv.FormatInt(want-take, 10) + " owed (the balance could not cover them)"
		}
	}
	ch.Payments = []Payment{p}
	return ch
}

// settle takes the account's debts, oldest first, from a grant of granted credits just added
// (the grant is entry 0 of ch): each settled debt is a chargeback entry with reference
// <grant reference>:settles:<payment key>, so a replay of the grant replays its settlements.
// It returns the credits settled.
func settle(ch *CreditChange, debts []Payment, accountID, grantRef string, granted int64) int64 {
	var settled int64
	for _, d := range debts {
		s := min(d.Owed, granted-settled)
		if s <= 0 { // the grant is used up (debts all owe something): this one stays owed
			continue
		}
		d.Owed -= s
		d.TakenBack += s
		settled += s
		ch.Payments = append(ch.Payments, d)
		ch.Entries = append(ch.Entries, credit.EntryRequest{
			AccountID:   accountID,
			Kind:        credit.Chargeback,
			Amount:      credit.MustAmount(s),
			Reference:   grantRef + ":settles:" + d.Key,
			Description: "Owed since the refund of Stripe payment " + d.Key + ": " + strconv.FormatInt(s, 10) + " credits",
		})
	}
	return settled
}

func settledDetail(settled int64) string {
	if settled == 0 {
		return ""
	}
	return ", " + strconv.FormatInt(settled, 10) + " settled an earlier refund's debt"
}

// grantSettling is a subscription grant (or any grant of the processor that concerns no
// payment) followed by the settlement of the account's debts from it.
func grantSettling(st CreditState, req credit.EntryRequest) CreditChange {
	ch := CreditChange{Entries: []credit.EntryRequest{req}}
	settled := settle(&ch, st.Debts, req.AccountID, req.Reference, req.Amount.Int64())
	ch.Detail = settledDetail(settled)
	return ch
}

// refundedCredits is floor(credits·refunded/amount), with refunded clamped to [0, amount]. It
// computes in big-enough steps to avoid overflow: credits ≤ credit.MaxAmount (1e9), and the
// quotient/remainder split keeps every product below credits·amount.
func refundedCredits(credits, amount, refunded int64) int64 {
	if amount <= 0 || refunded <= 0 || credits <= 0 {
		return 0
	}
	refunded = min(refunded, amount)
	q, r := refunded/amount, refunded%amount // q is 0 or 1
	return credits*q + mulDiv(credits, r, amount)
}

// mulDiv returns floor(a·b/c) for 0 ≤ a, 0 ≤ b < c, without overflowing int64.
func mulDiv(a, b, c int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	quo, _ := bits.Div64(hi, lo, uint64(c))
	return int64(quo)
}
