package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
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

// Server owns the listener and the *http.Server. Start opens the listener synchronously, so a bad
// or busy address fails start-up, then serves in the background; Stop drains in-flight requests.
type Server struct {
	cfg  Config
	log  *slog.Logger
	http *http.Server

	mu   sync.Mutex
	addr net.Addr
	done chan struct{} // closed when Serve returns
}

// NewServer returns a server for handler. It does not listen until Start. Empty Config fields take
// their defaults.
func NewServer(cfg Config, handler http.Handler, log *slog.Logger) *Server {
	cfg = cfg.WithDefaults()
	return &Server{
		cfg: cfg,
		log: log,
		http: &http.Server{
			Addr:              cfg.Addr,
			Handler:           handler,
			ReadHeaderTimeout: readHeaderTimeout,
			ReadTimeout:       readTimeout,
			WriteTimeout:      writeTimeout,
			IdleTimeout:       idleTimeout,
			MaxHeaderBytes:    maxHeaderBytes,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
	}
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
// Config.ShutdownTimeout (or until ctx ends); then it closes the remaining connections.
func (s *Server) Stop(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ShutdownTimeout)
	defer cancel()
	s.log.Info("http server draining", "timeout", s.cfg.ShutdownTimeout.String())
	err := s.http.Shutdown(ctx)
	if err != nil {
		s.log.Warn("http server drain incomplete; closing connections", "error", err.Error())
		_ = s.http.Close()
	}
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	if done != nil {
		<-done
	}
	if err != nil {
		return fmt.Errorf("drain http server: %w", err)
	}
	s.log.Info("http server stopped")
	return nil
}
