package httpapi

import (
	"context"
	"fmt"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/contracts"
)

// OpenAPI is the API contract (contracts/openapi.yaml), validated once and served as JSON at
// /openapi.json.
type OpenAPI struct {
	doc  *openapi3.T
	json []byte
}

// LoadOpenAPI parses an OpenAPI 3.0 YAML (or JSON) document with kin-openapi, validates it
// (references resolve, schemas are well-formed) and renders it as JSON. An invalid contract is a
// start-up error, not a broken endpoint.
func LoadOpenAPI(data []byte) (*OpenAPI, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("openapi: load: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi: validate: %w", err)
	}
	js, err := doc.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("openapi: render json: %w", err)
	}
	return &OpenAPI{doc: doc, json: js}, nil
}

// LoadContract loads the contract embedded in package contracts.
func LoadContract() (*OpenAPI, error) { return LoadOpenAPI(contracts.OpenAPIYAML) }

// Doc returns the parsed document (tests route and validate responses with it). Callers must not
// modify it.
func (o *OpenAPI) Doc() *openapi3.T { return o.doc }

// serve answers GET /openapi.json (public). The document changes only with a deployment, so
// clients and caches may keep it for a few minutes.
func (o *OpenAPI) serve(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "application/json; charset=utf-8", o.json)
}
