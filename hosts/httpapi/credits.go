package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/credit"
)

// balanceResponse is the body of GET /v1/credits/balance (schema Balance).
type balanceResponse struct {
	AccountID string    `json:"account_id"`
	Balance   int64     `json:"balance"`
	UpdatedAt time.Time `json:"updated_at"`
}

// entryJSON is one ledger entry on the wire (schema Entry). CreatedBy is the user whose action
// wrote it (the operator of a grant, the new user of a signup bonus), null for system entries.
type entryJSON struct {
	ID           string    `json:"id"`
	AccountID    string    `json:"account_id"`
	Kind         string    `json:"kind"`
	Delta        int64     `json:"delta"`
	BalanceAfter int64     `json:"balance_after"`
	Reference    string    `json:"reference"`
	Description  string    `json:"description"`
	CreatedBy    *string   `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

func toEntryJSON(e credit.Entry) entryJSON {
	out := entryJSON{
		ID:           e.ID,
		AccountID:    e.AccountID,
		Kind:         string(e.Kind),
		Delta:        e.Delta,
		BalanceAfter: e.BalanceAfter.Int64(),
		Reference:    e.Reference,
		Description:  e.Description,
		CreatedAt:    e.CreatedAt,
	}
	if e.CreatedBy != "" {
		by := e.CreatedBy
		out.CreatedBy = &by
	}
	return out
}

// entryPageResponse is the body of GET /v1/credits/transactions (schema EntryPage).
type entryPageResponse struct {
	Data       []entryJSON `json:"data"`
	NextCursor *string     `json:"next_cursor"`
}

// quoteResponse is the body of GET /v1/credits/pricing (schema Quote).
type quoteResponse struct {
	Credits         int64  `json:"credits"`
	DiscountPercent int64  `json:"discount_percent"`
	SubtotalCents   int64  `json:"subtotal_cents"`
	DiscountCents   int64  `json:"discount_cents"`
	TotalCents      int64  `json:"total_cents"`
	UnitPrice       string `json:"unit_price"`
	Currency        string `json:"currency"`
}

// balance answers GET /v1/credits/balance for the caller's account.
func (a *API) balance(c *gin.Context) {
	b, err := a.credits.Balance(c.Request.Context(), principal(c))
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, balanceResponse{AccountID: b.AccountID, Balance: b.Available.Int64(), UpdatedAt: b.UpdatedAt})
}

// transactions answers GET /v1/credits/transactions?kind=&cursor=&limit=: the caller's ledger,
// newest first. next_cursor is null on the last page.
func (a *API) transactions(c *gin.Context) {
	limit, err := pageSize(c)
	if err != nil {
		_ = c.Error(err)
		return
	}
	page, err := a.credits.Transactions(c.Request.Context(), principal(c), c.Query("kind"), c.Query("cursor"), limit)
	if err != nil {
		_ = c.Error(err)
		return
	}
	out := entryPageResponse{Data: make([]entryJSON, 0, len(page.Entries))}
	for _, e := range page.Entries {
		out.Data = append(out.Data, toEntryJSON(e))
	}
	if page.NextCursor != "" {
		out.NextCursor = &page.NextCursor
	}
	c.JSON(http.StatusOK, out)
}

// pageSize reads ?limit=. Absent means 0 (the use case's default page size). A present value must
// be a whole number from 1 to credit.MaxPageSize; 0 is refused here because the use case would
// read it as "default".
func pageSize(c *gin.Context) (int, error) {
	raw, ok := c.GetQuery("limit")
	if !ok {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, apperr.Validation(apperr.CodeInvalidRequest, "The query parameter limit is not a whole number.",
			apperr.FieldError{Field: "limit", Message: "must be a whole number from 1 to " + strconv.Itoa(credit.MaxPageSize)})
	}
	if n == 0 {
		return 0, apperr.Validation(credit.CodeInvalidPageSize, "page size out of range",
			apperr.FieldError{Field: "limit", Message: "must be between 1 and " + strconv.Itoa(credit.MaxPageSize)})
	}
	return n, nil
}

// pricing answers GET /v1/credits/pricing?credits=N (public): the price of a pack of N credits.
// The parameter is called credits, like checkout's body field and the quote's answer.
func (a *API) pricing(c *gin.Context) {
	raw, ok := c.GetQuery("credits")
	if !ok || raw == "" {
		_ = c.Error(apperr.Validation(apperr.CodeInvalidRequest, "The query parameter credits is required.",
			apperr.FieldError{Field: "credits", Message: "is required: the number of credits to price"}))
		return
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if errors.Is(err, strconv.ErrRange) {
		n = credit.MaxPack + 1 // a whole number far out of range: let the use case say so
	} else if err != nil {
		_ = c.Error(apperr.Validation(apperr.CodeInvalidRequest, "The query parameter credits is not a whole number.",
			apperr.FieldError{Field: "credits", Message: "must be a whole number of credits"}))
		return
	}
	q, err := a.credits.Quote(n)
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, quoteResponse{
		Credits:         q.Credits,
		DiscountPercent: q.DiscountPercent,
		SubtotalCents:   q.SubtotalCents,
		DiscountCents:   q.DiscountCents,
		TotalCents:      q.TotalCents,
		UnitPrice:       dollars4(q.UnitPriceMicros),
		Currency:        "usd",
	})
}

// dollars4 formats millionths of a dollar as dollars with 4 decimals, rounded half up:
// 921500 → "0.9215".
func dollars4(micros int64) string {
	d := (micros + 50) / 100 // ten-thousandths of a dollar
	frac := strconv.FormatInt(d%10_000, 10)
	for len(frac) < 4 {
		frac = "0" + frac
	}
	return strconv.FormatInt(d/10_000, 10) + "." + frac
}
