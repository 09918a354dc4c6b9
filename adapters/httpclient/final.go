package httpclient

import (
	"bytes"
	"io"
	"net/http"
)

// maxFinalPeek is how much of a response body Config.Final may read.
const maxFinalPeek = 64 << 10

// retryableResponse is retryableStatus refined by the provider's Final hook: a response whose
// status is retryable but whose body says "this will not change" (OpenAI's 429
// insufficient_quota) is neither retried nor a breaker failure.
func (c *Client) retryableResponse(resp *http.Response) bool {
	if !c.retryableStatus(resp.StatusCode) {
		return false
	}
	if c.cfg.Final == nil {
		return true
	}
	return !c.cfg.Final(resp.StatusCode, resp.Header, peekBody(resp))
}

// peekBody reads up to maxFinalPeek bytes of resp's body and puts them back in front of the
// rest, so the caller still reads the whole body.
func peekBody(resp *http.Response) []byte {
	if resp.Body == nil || resp.Body == http.NoBody {
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxFinalPeek))
	resp.Body = peekedBody{Reader: io.MultiReader(bytes.NewReader(b), errReader{err}, resp.Body), Closer: resp.Body}
	return b
}

// peekedBody is a body whose first bytes were read and put back.
type peekedBody struct {
	io.Reader
	io.Closer
}

// errReader replays the error that ended a peek (nil: reading goes on to the rest of the body).
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return 0, io.EOF
}
