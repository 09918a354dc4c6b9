package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// meResponse is the body of GET /v1/me (contracts/openapi.yaml, schema Me).
type meResponse struct {
	User struct {
		ID         string `json:"id"`
		Email      string `json:"email"`
		FullName   string `json:"full_name"`
		IsOperator bool   `json:"is_operator"`
	} `json:"user"`
	Account struct {
		ID        string    `json:"id"`
		Name      string    `json:"name"`
		CreatedAt time.Time `json:"created_at"`
	} `json:"account"`
	Role                string `json:"role"`
	Balance             int64  `json:"balance"`
	Plan                string `json:"plan"`
	OnboardingCompleted bool   `json:"onboarding_completed"`
}

// me answers GET /v1/me: the caller, the account the request acts for, their role in it, the
// balance, the plan and whether onboarding is done. The first call of a new user is the one that
// provisions the account (in authenticate).
func (a *API) me(c *gin.Context) {
	p := principal(c)
	pr, err := a.accounts.Profile(c.Request.Context(), p)
	if err != nil {
		_ = c.Error(err)
		return
	}
	var out meResponse
	out.User.ID = pr.UserID
	out.User.Email = pr.Email
	out.User.FullName = pr.FullName
	out.User.IsOperator = p.IsOperator()
	out.Account.ID = pr.AccountID
	out.Account.Name = pr.AccountName
	out.Account.CreatedAt = pr.CreatedAt
	out.Role = string(pr.Role)
	out.Balance = pr.Balance.Int64()
	out.Plan = pr.Plan
	out.OnboardingCompleted = pr.OnboardingCompleted
	c.JSON(http.StatusOK, out)
}
