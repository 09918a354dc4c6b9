package credit

import "github.com/oslira/oslira/core/apperr"

// Analysis costs in credits, by analysis type: a deeper analysis makes more and larger AI calls.
var analysisCosts = map[string]Amount{
	"light": MustAmount(1),
	"deep":  MustAmount(2),
	"xray":  MustAmount(3),
}

// AnalysisCost returns what an analysis of the given type costs.
func AnalysisCost(analysisType string) (Amount, error) {
	if c, ok := analysisCosts[analysisType]; ok {
		return c, nil
	}
	return Amount{}, apperr.Validation(CodeUnknownAnalysis, "unknown analysis type",
		apperr.FieldError{Field: "type", Message: "must be light, deep or xray"})
}
