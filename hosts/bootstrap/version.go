package bootstrap

import "runtime/debug"

// BuildVersion is stamped at link time (`make build` does it):
//
//	go build -ldflags "-X github.com/oslira/oslira/hosts/bootstrap.BuildVersion=v1.2.3"
//
// Nothing else writes it.
var BuildVersion string

// Version returns BuildVersion, else the module version or VCS revision recorded by the Go
// toolchain, else "dev". APP_VERSION overrides it in Config.
func Version() string {
	if BuildVersion != "" {
		return BuildVersion
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return "dev"
	}
	return rev + dirty
}
