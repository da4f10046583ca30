package jwtrevoke

import (
	"reflect"
	"testing"
)

// TestDecodeKnownClaimsMatchesGeneral checks that the one-pass decoder
// gives what the general decoder gives, and leaves to it every payload
// where encoding/json's case folding or escapes could make them differ.
func TestDecodeKnownClaimsMatchesGeneral(t *testing.T) {
	cases := []struct {
		name    string
		payload string
		fast    bool
	}{
		{"issued token", `{"sub":"alice","jti":"J1","typ":"access","exp":1900000000,"iat":1800000000,"iat_ns":1800000000123456789}`, true},
		{"refresh with family", `{"sub":"bob","jti":"J2","typ":"refresh","fam":"F","exp":1900000000,"nbf":1,"iss":"me","aud":["a","b"]}`, true},
		{"audience string", `{"sub":"c","jti":"J3","typ":"access","aud":"x","exp":1900000000}`, true},
		{"spaces around colons", "{ \"sub\" :\t\"d\" , \"jti\"\n: \"J4\", \"typ\": \"access\" }", true},
		{"key as a value", `{"sub":"SUB","jti":"Typ","typ":"access"}`, true},
		{"duplicate key", `{"sub":"e","sub":"f","jti":"J5","typ":"access"}`, true},
		{"null claims", `{"sub":"g","jti":"J6","typ":"access","iat_ns":null,"fam":null}`, true},
		{"extra claim", `{"sub":"h","jti":"J7","typ":"access","role":"admin"}`, false},
		{"upper-case key", `{"sub":"i","SUB":"j","jti":"J8","typ":"access"}`, false},
		{"escaped key", `{"\u0073ub":"k","jti":"J9","typ":"access"}`, false},
		{"unicode fold of s", `{"ſub":"l","jti":"J10","typ":"access"}`, false},
		{"nested object", `{"sub":"m","jti":"J11","typ":"access","ctx":{"sub":"n"}}`, false},
		{"unknown type", `{"sub":"o","jti":"J12","typ":"admin"}`, false},
		{"fractional iat_ns", `{"sub":"p","jti":"J13","typ":"access","iat_ns":1.5}`, false},
		{"trailing data", `{"sub":"q","jti":"J14","typ":"access"} {}`, false},
		{"unterminated string", `{"sub":"r`, false},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var fast Claims
			gotFast := decodeKnownClaims([]byte(tc.payload), &fast)
			if gotFast != tc.fast {
				t.Fatalf("decodeKnownClaims = %v, want %v", gotFast, tc.fast)
			}

			var general Claims
			err := decodeAllClaims([]byte(tc.payload), &general)

			if gotFast {
				if err != nil {
					t.Fatalf("general decoder failed where the fast one passed: %v", err)
				}

				if !reflect.DeepEqual(fast, general) {
					t.Errorf("fast decoder gave %+v, general %+v", fast, general)
				}
			}

			var viaJSON Claims
			errJSON := viaJSON.UnmarshalJSON([]byte(tc.payload))
			if (errJSON == nil) != (err == nil) {
				t.Errorf("UnmarshalJSON error %v, general decoder error %v", errJSON, err)
			}

			if err == nil && !reflect.DeepEqual(viaJSON, general) {
				t.Errorf("UnmarshalJSON gave %+v, general %+v", viaJSON, general)
			}
		})
	}
}
