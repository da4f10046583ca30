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
		scan    bool
	}{
		{"issued token", `{"sub":"alice","jti":"J1","typ":"access","exp":1900000000,"iat":1800000000,"iat_ns":1800000000123456789}`, true, true},
		{"refresh with family", `{"sub":"bob","jti":"J2","typ":"refresh","fam":"F","exp":1900000000,"nbf":1,"iss":"me","aud":["a","b"]}`, true, true},
		{"audience string", `{"sub":"c","jti":"J3","typ":"access","aud":"x","exp":1900000000}`, true, true},
		{"spaces around colons", "{ \"sub\" :\t\"d\" , \"jti\"\n: \"J4\", \"typ\": \"access\" }", true, true},
		{"key as a value", `{"sub":"SUB","jti":"Typ","typ":"access"}`, true, true},
		{"duplicate key", `{"sub":"e","sub":"f","jti":"J5","typ":"access"}`, true, false},
		{"null claims", `{"sub":"g","jti":"J6","typ":"access","iat_ns":null,"fam":null}`, true, false},
		{"extra claim", `{"sub":"h","jti":"J7","typ":"access","role":"admin"}`, false, false},
		{"upper-case key", `{"sub":"i","SUB":"j","jti":"J8","typ":"access"}`, false, false},
		{"escaped key", `{"\u0073ub":"k","jti":"J9","typ":"access"}`, false, false},
		{"unicode fold of s", `{"ſub":"l","jti":"J10","typ":"access"}`, false, false},
		{"nested object", `{"sub":"m","jti":"J11","typ":"access","ctx":{"sub":"n"}}`, false, false},
		{"unknown type", `{"sub":"o","jti":"J12","typ":"admin"}`, false, false},
		{"fractional iat_ns", `{"sub":"p","jti":"J13","typ":"access","iat_ns":1.5}`, false, false},
		{"trailing data", `{"sub":"q","jti":"J14","typ":"access"} {}`, false, false},
		{"unterminated string", `{"sub":"r`, false, false},
		{"empty object", `{}`, true, true},
		{"empty audience", `{"sub":"s","jti":"J15","typ":"access","aud":[]}`, true, false},
		{"empty audience string", `{"sub":"s","jti":"J16","typ":"access","aud":""}`, true, true},
		{"largest iat_ns", `{"sub":"t","jti":"J17","typ":"access","iat_ns":9223372036854775807}`, true, true},
		{"iat_ns overflow", `{"sub":"u","jti":"J18","typ":"access","iat_ns":9223372036854775808}`, false, false},
		{"leading zero", `{"sub":"v","jti":"J19","typ":"access","exp":01}`, false, false},
		{"exponent", `{"sub":"w","jti":"J20","typ":"access","exp":1e9}`, true, false},
		{"fractional exp", `{"sub":"w","jti":"J21","typ":"access","exp":1.5}`, true, false},
		{"negative exp", `{"sub":"x","jti":"J22","typ":"access","exp":-1}`, true, false},
		{"exp as a string", `{"sub":"x","jti":"J23","typ":"access","exp":"1"}`, true, false},
		{"huge exp", `{"sub":"x","jti":"J24","typ":"access","exp":12345678901234567}`, true, false},
		{"control byte", "{\"sub\":\"a\tb\",\"jti\":\"J25\",\"typ\":\"access\"}", false, false},
		{"non-ASCII value", `{"sub":"é","jti":"J26","typ":"access"}`, false, false},
		{"trailing comma", `{"sub":"y","jti":"J27","typ":"access",}`, false, false},
		{"missing comma", `{"sub":"y" "jti":"J28"}`, false, false},
		{"array payload", `["sub"]`, false, false},
		{"trailing space", "{\"sub\":\"z\",\"jti\":\"J29\",\"typ\":\"access\"} \n", true, true},
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

			var scanned Claims
			gotScan := scanClaims([]byte(tc.payload), &scanned)
			if gotScan != tc.scan {
				t.Fatalf("scanClaims = %v, want %v", gotScan, tc.scan)
			}

			if gotScan && (err != nil || !reflect.DeepEqual(scanned, general)) {
				t.Errorf("scanClaims gave %+v, general decoder %+v with error %v", scanned, general, err)
			}

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

// FuzzScanClaims checks that the scanning decoder accepts only payloads
// the general decoder accepts too, and then gives the same claims, and
// that UnmarshalJSON agrees with the general decoder on every payload.
func FuzzScanClaims(f *testing.F) {
	seeds := []string{
		`{"sub":"alice","jti":"J1","typ":"access","exp":1900000000,"iat":1800000000,"iat_ns":1800000000123456789}`,
		`{"sub":"bob","jti":"J2","typ":"refresh","fam":"F","exp":1900000000,"nbf":1,"iss":"me","aud":["a","b"]}`,
		`{"sub":"c","aud":"x","exp":0}`,
		`{"sub":"d","SUB":"e","jti":"\u004a"}`,
		`{"iat_ns":9223372036854775808,"exp":1.5e3}`,
		`{"typ":"admin","aud":[],"fam":null}`,
	}
	for _, seed := range seeds {
		f.Add([]byte(seed))
	}

	f.Fuzz(func(t *testing.T, payload []byte) {
		var general Claims
		err := decodeAllClaims(payload, &general)

		var scanned Claims
		if scanClaims(payload, &scanned) {
			if err != nil {
				t.Fatalf("scanClaims accepted %q, which the general decoder rejects: %v", payload, err)
			}

			if !reflect.DeepEqual(scanned, general) {
				t.Fatalf("for %q scanClaims gave %+v, general decoder %+v", payload, scanned, general)
			}
		}

		var viaJSON Claims
		errJSON := viaJSON.UnmarshalJSON(payload)
		if (errJSON == nil) != (err == nil) {
			t.Fatalf("for %q UnmarshalJSON error %v, general decoder error %v", payload, errJSON, err)
		}

		if err == nil && !reflect.DeepEqual(viaJSON, general) {
			t.Fatalf("for %q UnmarshalJSON gave %+v, general decoder %+v", payload, viaJSON, general)
		}
	})
}
