package redis

import (
	"context"
	"errors"
	"fmt"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"github.com/anykv/anykv/kv"
)

// GetMany returns the values of keys in their order, with a nil value for
// an absent key. On one server it sends one MGET. On a Cluster, where MGET
// takes only keys of one hash slot, it sends one MGET for each slot in a
// pipeline, which go-redis splits into one round trip for each master. On
// a Ring it pipelines one GET for each key, one round trip for each shard.
func (s *Store) GetMany(ctx context.Context, keys []string) ([][]byte, error) {
	if s.closed.Load() {
		return nil, kv.ErrClosed
	}

	if err := ctx.Err(); err != nil {
		return nil, err
	}

	for _, key := range keys {
		if err := kv.ValidateKey(key); err != nil {
			return nil, err
		}
	}

	values := make([][]byte, len(keys))
	if len(keys) == 0 {
		return values, nil
	}

	var err error
	switch {
	case s.cluster != nil:
		err = s.getManyBySlot(ctx, keys, values)
	case s.ring != nil:
		err = s.getManyByKey(ctx, keys, values)
	default:
		err = s.getManyOneServer(ctx, keys, values)
	}

	if err != nil {
		return nil, s.wrapGetManyError(keys, err)
	}

	return values, nil
}

// getManyOneServer reads every key with one MGET into values.
func (s *Store) getManyOneServer(ctx context.Context, keys []string, values [][]byte) error {
	serverKeys := make([]string, len(keys))
	for i, key := range keys {
		serverKeys[i] = s.serverKey(key)
	}

	var replies []any
	err := run(ctx, func() error {
		var err error
		replies, err = s.client.MGet(ctx, serverKeys...).Result()
		return err
	})
	if err != nil {
		return err
	}

	return fillValues(values, replies, nil)
}

// getManyBySlot groups keys by hash slot and sends one MGET for each slot
// in one pipeline.
func (s *Store) getManyBySlot(ctx context.Context, keys []string, values [][]byte) error {
	// slots lists the distinct slots in the order they first appear, and
	// positions maps each slot to the indexes of its keys in keys.
	var slots []int
	positions := make(map[int][]int)
	for i, key := range keys {
		slot := hashSlot(s.serverKey(key))
		if _, ok := positions[slot]; !ok {
			slots = append(slots, slot)
		}
		positions[slot] = append(positions[slot], i)
	}

	cmds := make([]*goredis.SliceCmd, len(slots))
	err := run(ctx, func() error {
		_, err := s.cluster.Pipelined(ctx, func(pipe goredis.Pipeliner) error {
			for i, slot := range slots {
				serverKeys := make([]string, len(positions[slot]))
				for j, position := range positions[slot] {
					serverKeys[j] = s.serverKey(keys[position])
				}
				cmds[i] = pipe.MGet(ctx, serverKeys...)
			}
			return nil
		})
		return err
	})
	if err != nil {
		return err
	}

	for i, slot := range slots {
		if err := fillValues(values, cmds[i].Val(), positions[slot]); err != nil {
			return err
		}
	}

	return nil
}

// getManyByKey sends one GET for each key in one pipeline, which a Ring
// routes key by key, so one round trip for each shard.
func (s *Store) getManyByKey(ctx context.Context, keys []string, values [][]byte) error {
	cmds := make([]*goredis.StringCmd, len(keys))
	err := run(ctx, func() error {
		_, err := s.ring.Pipelined(ctx, func(pipe goredis.Pipeliner) error {
			for i, key := range keys {
				cmds[i] = pipe.Get(ctx, s.serverKey(key))
			}
			return nil
		})
		return err
	})
	if err != nil && !errors.Is(err, goredis.Nil) {
		return err
	}

	for i, cmd := range cmds {
		value, err := cmd.Bytes()
		switch {
		case errors.Is(err, goredis.Nil):
			values[i] = nil
		case err != nil:
			return err
		case value == nil:
			values[i] = []byte{}
		default:
			values[i] = value
		}
	}

	return nil
}

// fillValues copies the MGET replies into values, reply i going to
// values[positions[i]], or to values[i] when positions is nil.
func fillValues(values [][]byte, replies []any, positions []int) error {
	for i, reply := range replies {
		position := i
		if positions != nil {
			position = positions[i]
		}

		switch reply := reply.(type) {
		case nil:
			values[position] = nil
		case string:
			values[position] = append([]byte{}, reply...)
		default:
			return fmt.Errorf("unexpected MGET reply of type %T", reply)
		}
	}

	return nil
}

// wrapGetManyError names the first key and the number of keys, because a
// failed batch cannot be pinned on one key.
func (s *Store) wrapGetManyError(keys []string, err error) error {
	wrapped := s.wrapError("get many", keys[0], err)
	if len(keys) == 1 {
		return wrapped
	}

	return fmt.Errorf("%w (and %d more keys)", wrapped, len(keys)-1)
}

// slotCount is the number of hash slots in a Redis Cluster.
const slotCount = 16384

// hashSlot returns the Cluster hash slot of key: CRC16 (XMODEM) of the key
// modulo 16384. When the key contains a hash tag, a non-empty text between
// the first '{' and the next '}', only the tag is hashed, as the Redis
// Cluster specification defines.
func hashSlot(key string) int {
	if open := strings.IndexByte(key, '{'); open >= 0 {
		if length := strings.IndexByte(key[open+1:], '}'); length > 0 {
			key = key[open+1 : open+1+length]
		}
	}

	return int(crc16(key)) % slotCount
}

// crc16 is CRC-16/XMODEM: polynomial 0x1021, initial value 0, no
// reflection, as Redis Cluster uses for key slots.
func crc16(data string) uint16 {
	var crc uint16

	for i := 0; i < len(data); i++ {
		crc ^= uint16(data[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}

	return crc
}
