package tenant_test

import (
	"testing"

	"github.com/oslira/oslira/core/tenant"
)

func TestParseUUID(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"0b7e6c1e-2d1f-4c7a-9c53-5a0d2f1b9e11": true,
		"0B7E6C1E-2D1F-4C7A-9C53-5A0D2F1B9E11": true,
		"0b7e6c1e2d1f4c7a9c535a0d2f1b9e11":     false,
		"0b7e6c1e-2d1f-4c7a-9c53-5a0d2f1b9e1":  false,
		"0b7e6c1e-2d1f-4c7a-9c53-5a0d2f1b9e1g": false,
		"0b7e6c1e_2d1f-4c7a-9c53-5a0d2f1b9e11": false,
		"":                                     false,
	}
	for in, ok := range cases {
		got, gotOK := tenant.ParseUUID(in)
		if gotOK != ok {
			t.Errorf("ParseUUID(%q) ok = %v, want %v", in, gotOK, ok)
		}
		if ok && got != "0b7e6c1e-2d1f-4c7a-9c53-5a0d2f1b9e11" {
			t.Errorf("ParseUUID(%q) = %q, want lower-case canonical form", in, got)
		}
	}
}

func TestPrincipalRoles(t *testing.T) {
	t.Parallel()
	op := tenant.Principal{UserID: "u", Roles: []tenant.Role{tenant.RoleUser, tenant.RoleOperator}}
	user := tenant.Principal{UserID: "u", Roles: []tenant.Role{tenant.RoleUser}}
	if !op.IsOperator() || user.IsOperator() {
		t.Errorf("IsOperator: op=%v user=%v", op.IsOperator(), user.IsOperator())
	}
	if !user.Has(tenant.RoleUser) || (tenant.Principal{}).Has(tenant.RoleUser) {
		t.Error("Has must reflect the role list")
	}
}
