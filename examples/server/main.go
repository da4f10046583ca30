// Command server is a demo of jwtrevoke: a JSON API with login, refresh,
// logout and a protected route, whose tokens can be revoked before they
// expire and stay revoked across restarts.
//
// It keeps its tokens and its signing key in one bbolt file by default:
//
//	go run ./examples/server -db tokens.db -addr 127.0.0.1:8080
//
// -store takes a store URL instead (memory://, bolt://PATH,
// redis://HOST:PORT or memcache://HOST:PORT). The signing key is kept in
// the same store, so anyone who can read the store can sign tokens. A
// store that loses the key, as memory:// does on restart and memcached
// may on eviction or restart, makes every token issued before invalid.
// memcached cannot list keys, so GET /tokens returns 501 on it.
//
// The demo users are test/test and guest/guest. The server logs to
// standard error with log/slog and prints the address it listens on to
// standard output, so that -addr 127.0.0.1:0 picks a free port.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/anykv/anykv/jwtrevoke"
)

// shutdownTimeout bounds how long a stopping server waits for requests
// in flight before it closes their connections.
const shutdownTimeout = 10 * time.Second

// config holds the values of the command-line flags.
type config struct {
	db     string
	store  string
	addr   string
	checks string
}

func main() {
	var cfg config
	flag.StringVar(&cfg.db, "db", "tokens.db", "path of the bbolt `file` that keeps tokens and the signing key; created if missing")
	flag.StringVar(&cfg.store, "store", "", "store `URL` (memory://, bolt://PATH, redis://HOST:PORT, memcache://HOST:PORT); overrides -db")
	flag.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "TCP `address` to listen on; port 0 picks a free port")
	flag.StringVar(&cfg.checks, "checks", "all", "which tokens are checked against the store: all, or refresh (access tokens then stay valid until they expire)")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := run(ctx, cfg, logger); err != nil {
		logger.Error("server failed", "error", err)
		os.Exit(1)
	}
}

// run serves until ctx is cancelled, then shuts the server down and
// closes the store.
func run(ctx context.Context, cfg config, logger *slog.Logger) error {
	scope, err := parseChecks(cfg.checks)
	if err != nil {
		return err
	}

	store, kind, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}

	defer func() {
		if err := store.Close(); err != nil {
			logger.Error("close store failed", "store", kind, "error", err)
		}
	}()

	secret, err := loadSigningKey(ctx, store, logger)
	if err != nil {
		return err
	}

	tracker, err := jwtrevoke.New(store, jwtrevoke.Options{
		Algorithms: []string{"HS256"},
		SigningKey: secret,
		Scope:      scope,
		Logger:     logger,
	})
	if err != nil {
		return err
	}

	listener, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}

	server := &http.Server{
		Handler:           newAPI(tracker, logger).routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	fmt.Printf("listening on http://%s\n", listener.Addr())
	logger.Info("server started", "addr", listener.Addr().String(), "store", kind, "checks", scope.String())

	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}

	logger.Info("server stopping", "timeout", shutdownTimeout)

	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()

	if err := server.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}

	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}

	logger.Info("server stopped")

	return nil
}

// parseChecks maps the -checks flag to a jwtrevoke.Scope.
func parseChecks(checks string) (jwtrevoke.Scope, error) {
	switch checks {
	case "all":
		return jwtrevoke.AllTokens, nil
	case "refresh":
		return jwtrevoke.RefreshOnly, nil
	default:
		return 0, fmt.Errorf("invalid -checks %q: want all or refresh", checks)
	}
}
