package main

import (
	"bytes"
	"go/format"
	"os"
	"testing"
)

func TestGeneratedFileCurrent(t *testing.T) {
	want, err := format.Source(generate())
	if err != nil {
		t.Fatalf("formatting generated code: %v", err)
	}

	got, err := os.ReadFile("../wrap/types_gen.go")
	if err != nil {
		t.Fatal(err)
	}

	if !bytes.Equal(got, want) {
		t.Fatal("kv/internal/wrap/types_gen.go is out of date; run go generate ./kv/internal/wrap")
	}
}
