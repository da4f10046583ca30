package main

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/anykv/anykv/jwtrevoke"
)

// api serves the demo's routes.
type api struct {
	tracker *jwtrevoke.Tracker
	logger  *slog.Logger
}

func newAPI(tracker *jwtrevoke.Tracker, logger *slog.Logger) *api {
	return &api{tracker: tracker, logger: logger}
}

// routes returns the handler of every route. Routes that need a token
// sit behind the Tracker's middleware, which rejects a missing, invalid,
// expired or revoked token before the handler runs.
func (a *api) routes() http.Handler {
	access := a.tracker.Middleware(&jwtrevoke.MiddlewareOptions{ErrorWriter: a.writeError})
	refresh := a.tracker.Middleware(&jwtrevoke.MiddlewareOptions{
		Types:       []jwtrevoke.TokenType{jwtrevoke.Refresh},
		ErrorWriter: a.writeError,
	})

	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", a.login)
	mux.HandleFunc("POST /refresh", a.refresh)
	mux.Handle("GET /protected", access(http.HandlerFunc(a.protected)))
	mux.Handle("DELETE /logout", access(http.HandlerFunc(a.logout)))
	mux.Handle("DELETE /logout/refresh", refresh(http.HandlerFunc(a.logout)))
	mux.Handle("GET /tokens", access(http.HandlerFunc(a.listTokens)))
	mux.Handle("PUT /tokens/{jti}/revoke", access(http.HandlerFunc(a.revokeToken)))
	mux.Handle("PUT /tokens/{jti}/unrevoke", access(http.HandlerFunc(a.unrevokeToken)))

	return mux
}

// tokenPair is the body of a login or refresh response.
type tokenPair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

// login issues an access and a refresh token for a demo user's name and
// password.
func (a *api) login(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if !decodeBody(w, r, &body) {
		return
	}

	if !authenticate(body.Username, body.Password) {
		writeJSON(w, http.StatusUnauthorized, message{"Bad username or password"})
		return
	}

	pair, err := a.tracker.IssuePair(r.Context(), body.Username, nil)
	if err != nil {
		a.writeError(w, r, err)
		return
	}

	writeJSON(w, http.StatusOK, tokenPair{pair.Access, pair.Refresh})
}

// refresh exchanges the refresh token presented for a new access and
// refresh token. The old refresh token is used up: presenting it again
// revokes every token rotated from the same login, because only a thief
// or a broken client would.
func (a *api) refresh(w http.ResponseWriter, r *http.Request) {
	token, err := jwtrevoke.BearerToken(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}

	pair, err := a.tracker.Rotate(r.Context(), token)
	if errors.Is(err, jwtrevoke.ErrReuseDetected) {
		a.logger.Warn("refresh token used twice; revoked its token family", "error", err)
	}

	if err != nil {
		a.writeError(w, r, err)
		return
	}

	writeJSON(w, http.StatusOK, tokenPair{pair.Access, pair.Refresh})
}

// protected is the route that needs an access token.
func (a *api) protected(w http.ResponseWriter, r *http.Request) {
	claims, _ := jwtrevoke.ClaimsFromContext(r.Context())

	writeJSON(w, http.StatusOK, struct {
		LoggedInAs string `json:"logged_in_as"`
	}{claims.Subject})
}

// logout revokes the token presented: the access token on DELETE /logout,
// the refresh token on DELETE /logout/refresh.
func (a *api) logout(w http.ResponseWriter, r *http.Request) {
	claims, _ := jwtrevoke.ClaimsFromContext(r.Context())

	if !a.revoke(w, r, claims.ID, claims.Subject) {
		return
	}

	if claims.Type == jwtrevoke.Refresh {
		writeJSON(w, http.StatusOK, message{"Refresh token revoked"})
	} else {
		writeJSON(w, http.StatusOK, message{"Access token revoked"})
	}
}

// tokenView is one token in the GET /tokens list.
type tokenView struct {
	JTI       string    `json:"jti"`
	Type      string    `json:"type"`
	ExpiresAt time.Time `json:"expires_at"`
	Revoked   bool      `json:"revoked"`
	Used      bool      `json:"used"`
}

// listTokens lists the unexpired tokens of the caller, revoked and used
// ones included.
func (a *api) listTokens(w http.ResponseWriter, r *http.Request) {
	claims, _ := jwtrevoke.ClaimsFromContext(r.Context())

	infos, err := a.tracker.ListSubject(r.Context(), claims.Subject)
	if err != nil {
		a.writeError(w, r, err)
		return
	}

	views := make([]tokenView, 0, len(infos))
	for _, info := range infos {
		views = append(views, tokenView{
			JTI:       info.ID,
			Type:      info.Type.String(),
			ExpiresAt: info.Expires.UTC(),
			Revoked:   info.Revoked,
			Used:      info.Used,
		})
	}

	writeJSON(w, http.StatusOK, struct {
		Tokens []tokenView `json:"tokens"`
	}{views})
}

// revokeToken revokes one of the caller's tokens by its jti.
func (a *api) revokeToken(w http.ResponseWriter, r *http.Request) {
	jti, ok := a.ownedJTI(w, r)
	if !ok {
		return
	}

	claims, _ := jwtrevoke.ClaimsFromContext(r.Context())
	if !a.revoke(w, r, jti, claims.Subject) {
		return
	}

	writeJSON(w, http.StatusOK, message{"Token revoked"})
}

// unrevokeToken undoes the revocation of one of the caller's tokens by
// its jti.
func (a *api) unrevokeToken(w http.ResponseWriter, r *http.Request) {
	jti, ok := a.ownedJTI(w, r)
	if !ok {
		return
	}

	if err := a.tracker.Unrevoke(r.Context(), jti); err != nil {
		a.writeError(w, r, err)
		return
	}

	claims, _ := jwtrevoke.ClaimsFromContext(r.Context())
	a.logger.Info("token unrevoked", "jti", jti, "sub", claims.Subject)

	writeJSON(w, http.StatusOK, message{"Token unrevoked"})
}

// ownedJTI returns the {jti} of the request path when it names a token of
// the caller. Otherwise it writes 404, the same for a jti that does not
// exist and for one of another user, so that callers cannot probe for
// other users' tokens.
func (a *api) ownedJTI(w http.ResponseWriter, r *http.Request) (string, bool) {
	jti := r.PathValue("jti")
	claims, _ := jwtrevoke.ClaimsFromContext(r.Context())

	info, err := a.tracker.Lookup(r.Context(), jti)
	if errors.Is(err, jwtrevoke.ErrUnknownToken) || (err == nil && info.Subject != claims.Subject) {
		writeJSON(w, http.StatusNotFound, message{"Token not found"})
		return "", false
	}

	if err != nil {
		a.writeError(w, r, err)
		return "", false
	}

	return jti, true
}

// revoke revokes the token jti of subject and logs it, or writes the
// error response and returns false.
func (a *api) revoke(w http.ResponseWriter, r *http.Request, jti, subject string) bool {
	err := a.tracker.Revoke(r.Context(), jti)
	if errors.Is(err, jwtrevoke.ErrTokenType) {
		// With -checks refresh, access tokens skip the store, so revoking
		// one would have no effect.
		writeJSON(w, http.StatusBadRequest, message{"Access tokens are not checked against the store with -checks refresh; this one stays valid until it expires"})
		return false
	}

	if err != nil {
		a.writeError(w, r, err)
		return false
	}

	a.logger.Info("token revoked", "jti", jti, "sub", subject)

	return true
}
