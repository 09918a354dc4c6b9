package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Server timeouts: a slow or idle client cannot hold a connection forever.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 15 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 60 * time.Second
	maxHeaderBytes    = 64 << 10
)

// cutOffWait bounds how long Stop waits, after closing the connections of a drain that outlasted
// its deadline, for the cut-off handlers to return (and log themselves as cut off).
const cutOffWait = 2 * time.Second

// Server owns the listener and the *http.Server. Start opens the listener synchronously, so a bad
// or busy address fails start-up, then serves in the background; Stop drains in-flight requests.
type Server struct {
	cfg  Config
	log  *slog.Logger
	http *http.Server

	// base is the parent of every request context; Stop cancels it with ErrCutOffByShutdown when
	// the drain outlasts its deadline. inFlight counts the handlers running.
	base     context.Context
	cutOff   context.CancelCauseFunc
	inFlight sync.WaitGroup
	active   atomic.Int64

	mu   sync.Mutex
	addr net.Addr
	done chan struct{} // closed when Serve returns
}

// NewServer returns a server for handler. It does not listen until Start. Empty Config fields take
// their defaults.
func NewServer(cfg Config, handler http.Handler, log *slog.Logger) *Server {
	cfg = cfg.WithDefaults()
	s := &Server{cfg: cfg, log: log}
	s.base, s.cutOff = context.WithCancelCause(context.Background())
	s.http = &http.Server{
		Addr:              cfg.Addr,
		Handler:           s.track(handler),
		BaseContext:       func(net.Listener) context.Context { return s.base },
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return s
}

// track counts the handlers running, so Stop knows how many requests a late drain cuts off and
// can wait for them to log themselves.
func (s *Server) track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.inFlight.Add(1)
		s.active.Add(1)
		defer func() {
			s.active.Add(-1)
			s.inFlight.Done()
		}()
		next.ServeHTTP(w, r)
	})
}

// Start listens on the configured address and serves in a goroutine. ctx only bounds opening the
// listener; requests get their own contexts.
func (s *Server) Start(ctx context.Context) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	s.mu.Lock()
	s.addr = ln.Addr()
	s.done = make(chan struct{})
	done := s.done
	s.mu.Unlock()

	s.log.Info("http server listening", "addr", ln.Addr().String())
	go func() {
		defer close(done)
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http server stopped serving", "error", err.Error())
		}
	}()
	return nil
}

// Addr returns the address the server listens on (useful with port 0), or nil before Start.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Stop stops accepting connections and waits for in-flight requests to finish, at most
// Config.ShutdownTimeout (or until ctx ends). Then, if requests are still running, it cuts them
// off: their contexts are cancelled with ErrCutOffByShutdown (so each is logged as cut off, not
// as a client error), their connections closed, and Stop waits up to cutOffWait for their
// handlers to return before it returns an error wrapping ErrCutOffByShutdown. The process exits
// 1 then; a clean drain returns nil (exit 0).
func (s *Server) Stop(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ShutdownTimeout)
	defer cancel()
	s.log.Info("http server draining", "timeout", s.cfg.ShutdownTimeout.String())
	err := s.http.Shutdown(ctx)
	var cutOff int64
	if err != nil {
		cutOff = s.active.Load()
		s.log.Warn("http server drain incomplete; cutting off the requests still running",
			"cut_off", cutOff, "timeout", s.cfg.ShutdownTimeout.String(), "error", err.Error())
		s.cutOff(ErrCutOffByShutdown)
		_ = s.http.Close()
		s.waitHandlers(cutOffWait)
	}
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	if done != nil {
		<-done
	}
	if err != nil {
		return fmt.Errorf("drain http server: %d request(s) still running after %s: %w (%w)",
			cutOff, s.cfg.ShutdownTimeout, ErrCutOffByShutdown, err)
	}
	s.log.Info("http server stopped")
	return nil
}

// waitHandlers waits for the running handlers to return, at most limit.
func (s *Server) waitHandlers(limit time.Duration) {
	returned := make(chan struct{})
	go func() {
		s.inFlight.Wait()
		close(returned)
	}()
	select {
	case <-returned:
	case <-time.After(limit):
		s.log.Warn("http handlers still running after their connections were closed", "running", s.active.Load())
	}
}
