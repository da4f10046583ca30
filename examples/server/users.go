package main

import (
	"crypto/sha256"
	"crypto/subtle"
)

// demoUsers maps each demo user name to its password. They are fixed
// demo credentials, as in the flask-jwt-extended examples this server
// follows; a real server checks a user database with hashed passwords.
var demoUsers = map[string]string{
	"test":  "test",
	"guest": "guest",
}

// authenticate reports whether password is the password of user. It
// compares digests in constant time, so the time taken reveals neither
// the password nor its length.
func authenticate(user, password string) bool {
	want, ok := demoUsers[user]
	if !ok {
		// Compare anyway, so that unknown users take as long as known ones.
		want = "\x00"
	}

	wantSum := sha256.Sum256([]byte(want))
	gotSum := sha256.Sum256([]byte(password))

	return subtle.ConstantTimeCompare(wantSum[:], gotSum[:]) == 1 && ok
}
