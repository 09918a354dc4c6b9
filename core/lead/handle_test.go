package lead_test

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/lead"
)

func TestParseHandleAccepts(t *testing.T) {
	for in, want := range map[string]string{
		"natgeo":                                "natgeo",
		"a.z_09":                                "a.z_09", // every edge of the character set
		"_":                                     "_",
		"_a_":                                   "_a_",
		"a.b.c":                                 "a.b.c",
		"  @NatGeo \t":                          "natgeo",
		"@a":                                    "a",
		"NASA":                                  "nasa",
		"ZAZ_Z":                                 "zaz_z", // both edges of A–Z
		strings.Repeat("a", 30):                 strings.Repeat("a", 30),
		"instagram.com/nasa":                    "nasa",
		"instagram.com/NASA/":                   "nasa",
		"www.instagram.com/nasa":                "nasa",
		"m.instagram.com/nasa":                  "nasa",
		"WWW.Instagram.COM/Nasa":                "nasa",
		"http://instagram.com/nasa":             "nasa",
		"https://www.instagram.com/nat.geo_1/":  "nat.geo_1",
		"HTTPS://M.INSTAGRAM.COM/NASA":          "nasa",
		"https://instagram.com/nasa///":         "nasa",
		"https://instagram.com/nasa?igshid=abc": "nasa",
		"https://instagram.com/nasa/?hl=en#top": "nasa",
		"https://instagram.com/nasa#top":        "nasa",
		"http://instagram.com/nasa/reels/?hl=x": "nasa",
		"instagram.com/nasa/tagged/":            "nasa",
		" https://www.instagram.com/nasa/?utm=1/2 ": "nasa",
	} {
		h, err := lead.ParseHandle(in, "username")
		if err != nil || h.String() != want || h.IsZero() {
			t.Errorf("ParseHandle(%q) = %q, %v; want %q", in, h, err, want)
		}
	}
}

func TestParseHandleRefuses(t *testing.T) {
	const (
		empty     = "must not be empty"
		tooLong   = "must be at most 30 characters"
		charset   = "may contain only letters, digits, periods and underscores"
		edgeDot   = "must not start or end with a period"
		doubleDot = "must not contain two periods in a row"
		reserved  = "is an Instagram page, not a username"
		otherSite = "must be an Instagram username or an instagram.com profile link"
		noProfile = "the link names no profile"
	)
	for in, problem := range map[string]string{
		"":                                    empty,
		"   ":                                 empty,
		"@":                                   empty,
		"@@nasa":                              charset,
		strings.Repeat("a", 31):               tooLong,
		strings.Repeat("é", 16):               charset, // not "too long": the characters are the problem
		"nasa!":                               charset,
		"na sa":                               charset,
		"na-sa":                               charset,
		"ünï":                                 charset,
		"\u212Aelvin":                         charset, // the Kelvin sign is not a "k"
		"a`":                                  charset, // just below 'a'
		"a{":                                  charset, // just above 'z'
		"a:":                                  charset, // just above '9'
		"a%2e":                                charset,
		"nasa?x":                              charset,
		".nasa":                               edgeDot,
		"nasa.":                               edgeDot,
		".":                                   edgeDot,
		"na..sa":                              doubleDot,
		"p":                                   reserved,
		"explore":                             reserved,
		"instagram.com/p/Cx1y2z/":             reserved,
		"https://www.instagram.com/reel/abc/": reserved,
		"instagram.com/explore/":              reserved,
		"instagram.com/stories/nasa/1/":       reserved,
		"instagram.com":                       noProfile,
		"https://instagram.com/":              noProfile,
		"www.instagram.com?x=1":               noProfile,
		"instagram.com//nasa":                 noProfile,
		"https://instagram.com#nasa":          noProfile,
		"instagram.com/%zz":                   charset,
		"instagram.com/@nasa":                 charset,
		"instagram.com/.nasa":                 edgeDot,
		"https://instagram.com/" + strings.Repeat("a", 31): tooLong,
		"tiktok.com/@nasa":                    otherSite,
		"https://example.com/nasa":            otherSite,
		"https://instagram.com.evil.com/nasa": otherSite,
		"https://instagram.com@evil.com/nasa": otherSite,
		"instagram.com:8080/nasa":             otherSite,
		"//instagram.com/nasa":                otherSite,
		"ftp://instagram.com/nasa":            otherSite,
		"https://nasa":                        otherSite,
		"http://[::1]instagram.com/x":         otherSite,
		"nasa/":                               otherSite,
	} {
		h, err := lead.ParseHandle(in, "usernames[3]")
		e, ok := apperr.As(err)
		if !ok || !h.IsZero() || !errors.Is(err, lead.ErrInvalidUsername) || e.Kind != apperr.Invalid ||
			len(e.Fields) != 1 || e.Fields[0] != (apperr.FieldError{Field: "usernames[3]", Message: problem}) {
			t.Errorf("ParseHandle(%q) = %q, %#v; want field usernames[3]: %s", in, h, err, problem)
		}
	}
}

func TestNormalizeUsernameDelegates(t *testing.T) {
	if u, err := lead.NormalizeUsername(" @NASA "); err != nil || u != "nasa" {
		t.Fatalf("NormalizeUsername = %q, %v", u, err)
	}
	u, err := lead.NormalizeUsername("instagram.com/p/x")
	if e, ok := apperr.As(err); u != "" || !ok || !errors.Is(err, lead.ErrInvalidUsername) || e.Fields[0].Field != "username" {
		t.Fatalf("NormalizeUsername of a post link = %q, %v", u, err)
	}
}

func TestHandleText(t *testing.T) {
	var v struct {
		H lead.Handle `json:"h"`
	}
	if err := json.Unmarshal([]byte(`{"h":"@Nat.Geo"}`), &v); err != nil || v.H.String() != "nat.geo" {
		t.Fatalf("unmarshal: %q, %v", v.H, err)
	}
	b, err := json.Marshal(v)
	if err != nil || string(b) != `{"h":"nat.geo"}` {
		t.Fatalf("marshal: %s, %v", b, err)
	}
	before := v.H
	if err := json.Unmarshal([]byte(`{"h":"na..sa"}`), &v); !errors.Is(err, lead.ErrInvalidUsername) || v.H != before {
		t.Fatalf("an invalid handle decoded: %q, %v", v.H, err)
	}
	var zero lead.Handle
	if !zero.IsZero() || zero.String() != "" {
		t.Fatal("zero handle")
	}
}

var canonical = regexp.MustCompile(`^[a-z0-9_](?:[a-z0-9_]|\.[a-z0-9_])*$`)

// FuzzParseHandle: any input is a valid handle that re-parses to itself, in each accepted
// spelling, or an Invalid error naming the caller's field; never a panic. An input that already
// is a canonical username is accepted unchanged unless it is a reserved path or an Instagram host
// name ("m.instagram.com" is a link without a profile).
func FuzzParseHandle(f *testing.F) {
	for _, s := range []string{"natgeo", "@NatGeo", "https://www.instagram.com/nat.geo_1/?hl=en#x", "instagram.com/p/x",
		"na..sa", ".a", "a.", "", "\u212A", strings.Repeat("a", 31), "m.instagram.com", "tiktok.com/@a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		h, err := lead.ParseHandle(raw, "f")
		if err != nil {
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.Invalid || e.Code != lead.CodeInvalidUsername || len(e.Fields) != 1 ||
				e.Fields[0].Field != "f" || e.Fields[0].Message == "" || !h.IsZero() {
				t.Fatalf("ParseHandle(%q): bad refusal %#v, handle %q", raw, err, h)
			}
			if trimmed := strings.TrimSpace(raw); canonical.MatchString(trimmed) && len(trimmed) <= 30 &&
				e.Fields[0].Message != "is an Instagram page, not a username" && e.Fields[0].Message != "the link names no profile" {
				t.Fatalf("ParseHandle(%q) refused a canonical username: %v", raw, e.Fields)
			}
			return
		}
		s := h.String()
		if !canonical.MatchString(s) || len(s) > 30 || h.IsZero() {
			t.Fatalf("ParseHandle(%q) = %q: not a valid handle", raw, s)
		}
		for _, spelling := range []string{s, "@" + s, " " + strings.ToUpper(s) + " ", "instagram.com/" + s, "https://www.instagram.com/" + s + "/?x#y"} {
			if again, err := lead.ParseHandle(spelling, "f"); err != nil || again != h {
				t.Fatalf("ParseHandle(%q) = %q; %q re-parses to %q, %v", raw, s, spelling, again, err)
			}
		}
	})
}
