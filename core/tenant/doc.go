// Package tenant holds identity and ownership: who is calling (Principal) and which account owns a
// piece of data. Every store method that touches tenant data takes the account explicitly.
package tenant
