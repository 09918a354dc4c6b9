package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/credit"
)

// unitPriceFormat is the wire format of a quote's unit_price: dollars with 4 decimals.
var unitPriceFormat = regexp.MustCompile(`^[0-9]+\.[0-9]{4}$`)

// FuzzPricingQuery: GET /v1/credits/pricing?credits=<any string> is a 200 quote or a 400
// problem with one field error on credits, never anything else. The quote is for exactly the
// number sent (which must be a base-10 integer from credit.MinPack to credit.MaxPack), and its
// figures hold subtotal − discount = total with 0 ≤ discount ≤ subtotal. A refusal is
// request.invalid when the value is empty or not a whole number, credits.pack-out-of-range
// when it is a whole number out of range (however many digits it has).
// Seeds: testdata/fuzz/FuzzPricingQuery.
func FuzzPricingQuery(f *testing.F) {
	cfg := Config{CORSAllowedOrigins: []string{allowedOrigin}, Version: "fuzz"}.WithDefaults()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := NewHandler(cfg, log, NewHealth(nil, cfg.Version), NewAPI(nil, nil, &credit.Service{}, Billing{}), mustContract(f), nil)
	f.Fuzz(func(t *testing.T, raw string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/credits/pricing?"+url.Values{"credits": {raw}}.Encode(), nil))
		n, parseErr := strconv.ParseInt(raw, 10, 64)
		switch rec.Code {
		case http.StatusOK:
			if parseErr != nil || n < credit.MinPack || n > credit.MaxPack {
				t.Fatalf("credits=%q priced: %s", raw, rec.Body)
			}
			var q quoteResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &q); err != nil {
				t.Fatalf("credits=%q: quote is not JSON: %v", raw, err)
			}
			if q.Credits != n || q.Currency != "usd" || !unitPriceFormat.MatchString(q.UnitPrice) {
				t.Fatalf("credits=%q: quote %+v", raw, q)
			}
			if q.SubtotalCents-q.DiscountCents != q.TotalCents || q.DiscountCents < 0 || q.DiscountCents > q.SubtotalCents {
				t.Fatalf("credits=%q: quote %+v breaks subtotal − discount = total, 0 ≤ discount ≤ subtotal", raw, q)
			}
		case http.StatusBadRequest:
			p := problem(t, rec)
			want := credit.CodePackOutOfRange
			if raw == "" || (parseErr != nil && !errors.Is(parseErr, strconv.ErrRange)) {
				want = apperr.CodeInvalidRequest
			}
			if parseErr == nil && n >= credit.MinPack && n <= credit.MaxPack {
				t.Fatalf("credits=%q (in range) refused: %+v", raw, p)
			}
			if p.Code != want || p.Status != http.StatusBadRequest || len(p.Errors) != 1 || p.Errors[0].Field != "credits" {
				t.Fatalf("credits=%q: problem %+v, want %s with one field error on credits", raw, p, want)
			}
		default:
			t.Fatalf("credits=%q: status %d %s", raw, rec.Code, rec.Body)
		}
	})
}
