// Package jsonschema implements ai.SchemaValidator on github.com/santhosh-tekuri/jsonschema/v6
// (JSON Schema draft 2020-12, Go regular expressions for "pattern"): the check that every
// language-model answer satisfies its schema in contracts/ai before anyone uses it.
package jsonschema
