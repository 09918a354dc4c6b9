package business

// Change is one member of a merge patch (RFC 7396, JSON Merge Patch): the zero value (the member
// was absent) keeps the stored value, Clear (the member was null) removes it, To (any other
// value) replaces it.
type Change[T any] struct {
	set   bool
	value *T
}

// Clear returns the change that removes a value: text becomes "", a list empty, a follower
// minimum 0, a maximum or an engagement minimum unset, the whole ICP the zero ICP. Clearing
// business_name is refused by Normalize (it is required).
func Clear[T any]() Change[T] { return Change[T]{set: true} }

// To returns the change that replaces a value with v.
func To[T any](v T) Change[T] { return Change[T]{set: true, value: &v} }

// apply returns cur changed by c; cleared is what Clear leaves.
func (c Change[T]) apply(cur, cleared T) T {
	switch {
	case !c.set:
		return cur
	case c.value == nil:
		return cleared
	default:
		return *c.value
	}
}

// applyPtr is apply for a value that may be unset (nil).
func (c Change[T]) applyPtr(cur *T) *T {
	if !c.set {
		return cur
	}
	return c.value
}

// Patch is an edit of a profile's Context with merge-patch semantics: absent members keep, null
// members clear, values replace. ICP is merged member by member the same way (an ICP member of
// null clears the whole ICP). Lists are replaced whole, as RFC 7396 says of arrays.
type Patch struct {
	BusinessName   Change[string]
	OneLiner       Change[string]
	Summary        Change[string]
	TargetAudience Change[string]
	Tone           Change[Tone]
	SellingPoints  Change[[]string]
	OutreachGoals  Change[[]string]
	ICP            Change[ICPPatch]
}

// ICPPatch is the ICP part of a Patch.
type ICPPatch struct {
	MinFollowers      Change[int64]
	MaxFollowers      Change[int64]
	MinEngagementRate Change[float64]
	ContentThemes     Change[[]string]
	Niches            Change[[]string]
	Geography         Change[[]string]
	CompanySizes      Change[[]CompanySize]
}

// Apply returns c with the patch applied. The result is not validated: pass it to Normalize.
func (p Patch) Apply(c Context) Context {
	out := Context{
		BusinessName:   p.BusinessName.apply(c.BusinessName, ""),
		OneLiner:       p.OneLiner.apply(c.OneLiner, ""),
		Summary:        p.Summary.apply(c.Summary, ""),
		TargetAudience: p.TargetAudience.apply(c.TargetAudience, ""),
		Tone:           p.Tone.apply(c.Tone, ""),
		SellingPoints:  p.SellingPoints.apply(c.SellingPoints, nil),
		OutreachGoals:  p.OutreachGoals.apply(c.OutreachGoals, nil),
		ICP:            c.ICP,
	}
	switch {
	case !p.ICP.set:
	case p.ICP.value == nil:
		out.ICP = ICP{}
	default:
		out.ICP = p.ICP.value.apply(c.ICP)
	}
	return out
}

// apply merges the ICP part into i.
func (p ICPPatch) apply(i ICP) ICP {
	return ICP{
		MinFollowers:      p.MinFollowers.apply(i.MinFollowers, 0),
		MaxFollowers:      p.MaxFollowers.applyPtr(i.MaxFollowers),
		MinEngagementRate: p.MinEngagementRate.applyPtr(i.MinEngagementRate),
		ContentThemes:     p.ContentThemes.apply(i.ContentThemes, nil),
		Niches:            p.Niches.apply(i.Niches, nil),
		Geography:         p.Geography.apply(i.Geography, nil),
		CompanySizes:      p.CompanySizes.apply(i.CompanySizes, nil),
	}
}
