// Package analysis is the analysis of an Instagram lead against a business profile: its type
// (light, deep, xray, each with its credit cost from core/credit), its lifecycle (Status, the
// terminal Outcome, and Transition, the only legal moves between statuses), and its score and
// tier. Later: the analysis workflow definition and the submit, bulk and anonymous use cases.
//
// Everything here is pure: values and rules, no I/O.
package analysis
