package kv_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/memory"
)

func ExamplePutReader() {
	ctx := context.Background()

	s := memory.New(nil)
	defer s.Close()

	n, err := kv.PutReader(ctx, s, "doc", strings.NewReader("hello, world"), 1<<20)
	fmt.Println(n, err)

	_, err = kv.PutReader(ctx, s, "doc", strings.NewReader("too long"), 4)
	fmt.Println(errors.Is(err, kv.ErrValueTooLarge))

	// Output:
	// 12 <nil>
	// true
}

func ExampleGetWriter() {
	ctx := context.Background()

	s := memory.New(nil)
	defer s.Close()

	_ = s.Put(ctx, "greeting", []byte("hello\n"))

	_, _ = kv.GetWriter(ctx, s, "greeting", os.Stdout)

	_, err := kv.GetWriter(ctx, s, "absent", os.Stdout)
	fmt.Println(errors.Is(err, kv.ErrNotFound))

	// Output:
	// hello
	// true
}

func ExampleDirs() {
	ctx := context.Background()

	s := memory.New(nil)
	defer s.Close()

	for _, key := range []string{"photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg", "photos/index"} {
		_ = s.Put(ctx, key, nil)
	}

	dirs, err := kv.Dirs(ctx, s, "photos/", "/")
	if err != nil {
		panic(err)
	}

	for _, dir := range dirs {
		fmt.Println(dir)
	}

	// Output:
	// photos/2024/
	// photos/2025/
	// photos/index
}

func ExampleMove() {
	ctx := context.Background()

	s := memory.New(nil)
	defer s.Close()

	_ = s.Put(ctx, "draft:1", []byte("text"))

	if err := kv.Move(ctx, s, "draft:1", "post:1"); err != nil {
		panic(err)
	}

	_, err := s.Get(ctx, "draft:1")
	fmt.Println(errors.Is(err, kv.ErrNotFound))

	post, _ := s.Get(ctx, "post:1")
	fmt.Println(string(post))

	// Output:
	// true
	// text
}

func ExampleCopyIfAbsent() {
	ctx := context.Background()

	s := memory.New(nil)
	defer s.Close()

	_ = s.Put(ctx, "template", []byte("defaults"))
	_ = s.Put(ctx, "config:b", []byte("custom"))

	copied, _ := kv.CopyIfAbsent(ctx, s, "template", "config:a")
	fmt.Println("config:a", copied)

	copied, _ = kv.CopyIfAbsent(ctx, s, "template", "config:b")
	fmt.Println("config:b", copied)

	// Output:
	// config:a true
	// config:b false
}

func ExampleCopy() {
	ctx := context.Background()

	s := memory.New(nil)
	defer s.Close()

	_ = s.Put(ctx, "report:latest", []byte("q3"))

	if err := kv.Copy(ctx, s, "report:latest", "report:2025-q3"); err != nil {
		panic(err)
	}

	archived, _ := s.Get(ctx, "report:2025-q3")
	fmt.Println(string(archived))

	// Output:
	// q3
}

func ExampleMoveIfAbsent() {
	ctx := context.Background()

	s := memory.New(nil)
	defer s.Close()

	_ = s.Put(ctx, "upload:tmp1", []byte("first"))
	_ = s.Put(ctx, "upload:tmp2", []byte("second"))

	moved, _ := kv.MoveIfAbsent(ctx, s, "upload:tmp1", "file:a")
	fmt.Println("tmp1 moved:", moved)

	moved, _ = kv.MoveIfAbsent(ctx, s, "upload:tmp2", "file:a")
	fmt.Println("tmp2 moved:", moved)

	file, _ := s.Get(ctx, "file:a")
	fmt.Println(string(file))

	// Output:
	// tmp1 moved: true
	// tmp2 moved: false
	// first
}
