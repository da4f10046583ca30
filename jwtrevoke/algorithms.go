package jwtrevoke

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// keyFamily groups algorithms by the type of key they take.
type keyFamily uint8

const (
	familyHMAC keyFamily = iota + 1
	familyRSA
	familyECDSA
	familyEd25519
)

// minRSABits is the smallest RSA modulus accepted for signing, the floor
// that RFC 7518 section 3.3 sets for RS and PS algorithms.
const minRSABits = 2048

// algorithmFamily returns the key family of a JWT "alg" value, or 0 for an
// algorithm this package does not accept.
func algorithmFamily(alg string) keyFamily {
	switch alg {
	case "HS256", "HS384", "HS512":
		return familyHMAC
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		return familyRSA
	case "ES256", "ES384", "ES512":
		return familyECDSA
	case "EdDSA":
		return familyEd25519
	default:
		return 0
	}
}

// hmacKeySize returns the minimum HMAC secret length for alg: the hash
// output size, as RFC 7518 section 3.2 requires.
func hmacKeySize(alg string) int {
	switch alg {
	case "HS384":
		return 48
	case "HS512":
		return 64
	default:
		return 32
	}
}

// keyFits reports whether key is a verification key for family.
func keyFits(family keyFamily, key any) bool {
	switch family {
	case familyHMAC:
		secret, ok := key.([]byte)
		return ok && len(secret) >= 32
	case familyRSA:
		_, ok := key.(*rsa.PublicKey)
		return ok
	case familyECDSA:
		_, ok := key.(*ecdsa.PublicKey)
		return ok
	case familyEd25519:
		_, ok := key.(ed25519.PublicKey)
		return ok
	default:
		return false
	}
}

// checkKeys validates o.Algorithms and the keys against each other, and
// derives VerificationKeys from SigningKey when neither they nor a Keyfunc
// are set.
func checkKeys(o *Options) error {
	if len(o.Algorithms) == 0 {
		return fmt.Errorf("jwtrevoke: Options.Algorithms is empty; list the accepted algorithms, such as []string{\"EdDSA\"}")
	}

	families := map[keyFamily]bool{}
	for _, alg := range o.Algorithms {
		if strings.EqualFold(alg, "none") {
			return fmt.Errorf("jwtrevoke: Options.Algorithms contains %q; unsigned tokens are never accepted", alg)
		}

		family := algorithmFamily(alg)
		if family == 0 {
			return fmt.Errorf("jwtrevoke: Options.Algorithms contains unknown algorithm %q; use HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 or EdDSA", alg)
		}

		families[family] = true
	}

	if families[familyHMAC] && len(families) > 1 {
		return fmt.Errorf("jwtrevoke: Options.Algorithms %q mixes HMAC with asymmetric algorithms, which would let a public key serve as an HMAC secret; use one kind", o.Algorithms)
	}

	if o.SigningKey != nil {
		if err := checkSigningKey(o.Algorithms[0], o.SigningKey); err != nil {
			return err
		}
	}

	if o.Keyfunc != nil && len(o.VerificationKeys) > 0 {
		return fmt.Errorf("jwtrevoke: Options sets both Keyfunc and VerificationKeys; set one")
	}

	if o.Keyfunc != nil {
		return nil
	}

	if len(o.VerificationKeys) == 0 {
		if o.SigningKey == nil {
			return fmt.Errorf("jwtrevoke: Options has no key; set SigningKey, VerificationKeys or Keyfunc")
		}

		o.VerificationKeys = []any{publicKey(o.SigningKey)}
	}

	for i, key := range o.VerificationKeys {
		fits := false
		for family := range families {
			fits = fits || keyFits(family, key)
		}

		if !fits {
			return fmt.Errorf("jwtrevoke: Options.VerificationKeys[%d] is a %T, which does not fit algorithms %q (HMAC takes a []byte of at least 32 bytes; RS and PS take *rsa.PublicKey; ES takes *ecdsa.PublicKey; EdDSA takes ed25519.PublicKey)", i, key, o.Algorithms)
		}
	}

	return nil
}

// checkSigningKey returns an error unless key can sign with alg.
func checkSigningKey(alg string, key any) error {
	switch algorithmFamily(alg) {
	case familyHMAC:
		secret, ok := key.([]byte)
		if !ok {
			return fmt.Errorf("jwtrevoke: Options.SigningKey is a %T, but %s takes a []byte secret", key, alg)
		}

		if len(secret) < hmacKeySize(alg) {
			return fmt.Errorf("jwtrevoke: Options.SigningKey is %d bytes, but %s needs at least %d", len(secret), alg, hmacKeySize(alg))
		}
	case familyRSA:
		private, ok := key.(*rsa.PrivateKey)
		if !ok {
			return fmt.Errorf("jwtrevoke: Options.SigningKey is a %T, but %s takes an *rsa.PrivateKey", key, alg)
		}

		if private.N.BitLen() < minRSABits {
			return fmt.Errorf("jwtrevoke: Options.SigningKey is a %d-bit RSA key, but %s needs at least %d bits", private.N.BitLen(), alg, minRSABits)
		}
	case familyECDSA:
		private, ok := key.(*ecdsa.PrivateKey)
		if !ok {
			return fmt.Errorf("jwtrevoke: Options.SigningKey is a %T, but %s takes an *ecdsa.PrivateKey", key, alg)
		}

		want := map[string]string{"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}[alg]
		if private.Curve.Params().Name != want {
			return fmt.Errorf("jwtrevoke: Options.SigningKey is on curve %s, but %s needs %s", private.Curve.Params().Name, alg, want)
		}
	case familyEd25519:
		if _, ok := key.(ed25519.PrivateKey); !ok {
			return fmt.Errorf("jwtrevoke: Options.SigningKey is a %T, but %s takes an ed25519.PrivateKey", key, alg)
		}
	}

	return nil
}

// publicKey returns the key that verifies what key signs: the secret
// itself for HMAC, and the public half of a private key.
func publicKey(key any) any {
	if signer, ok := key.(crypto.Signer); ok {
		return signer.Public()
	}

	return key
}

// keyfunc returns the jwt.Keyfunc that hands the parser its verification
// keys. The parser has already checked the token's algorithm against the
// pinned list. keyfunc also checks each key's type against that
// algorithm, so that no key reaches a signing method of the wrong kind.
func keyfunc(o *Options) jwt.Keyfunc {
	static := jwt.VerificationKeySet{}
	for _, key := range o.VerificationKeys {
		static.Keys = append(static.Keys, key)
	}

	return func(token *jwt.Token) (any, error) {
		family := algorithmFamily(token.Method.Alg())

		if o.Keyfunc == nil {
			fitting := jwt.VerificationKeySet{}
			for _, key := range static.Keys {
				if keyFits(family, key) {
					fitting.Keys = append(fitting.Keys, key)
				}
			}

			if len(fitting.Keys) == 0 {
				return nil, fmt.Errorf("no verification key for algorithm %s", token.Method.Alg())
			}

			return fitting, nil
		}

		key, err := o.Keyfunc(token)
		if err != nil {
			return nil, err
		}

		keys := []jwt.VerificationKey{key}
		if set, ok := key.(jwt.VerificationKeySet); ok {
			keys = set.Keys
		}

		for _, k := range keys {
			if !keyFits(family, k) {
				return nil, fmt.Errorf("Keyfunc returned a %T, which does not fit algorithm %s", k, token.Method.Alg())
			}
		}

		return key, nil
	}
}
