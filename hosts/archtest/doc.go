// Package archtest holds no code: its tests read the real import graph (`go list -json`) and fail
// the build when a layer reaches where it must not. See ARCHITECTURE.md, "Dependency rules".
package archtest
