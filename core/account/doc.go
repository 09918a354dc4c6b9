// Package account provisions and describes the account a user acts for. Everything a customer
// owns belongs to an account; a user reaches it through a membership. The first authenticated
// request of a new user creates user, account, owner membership and balance (with the signup
// bonus) in one transaction.
package account
