package io.tux.integration;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * The records the Kafka client produces and checks: record {@code i} has an 8-byte big-endian key {@code i}, goes
 * to partition {@code i % partitions}, and its value is {@code size} bytes drawn from a generator seeded with the
 * run's seed and {@code i}: every record's content is distinct, and a record read back can be checked on its own.
 *
 * <p>Threading: static, stateless.
 */
final class Records {
    private Records() {
    }

    static byte[] key(int i) {
        return ByteBuffer.allocate(8).putLong(i).array();
    }

    /** The index in a key, or -1 if the key is not one of ours. */
    static long index(byte[] key) {
        return key == null || key.length != 8 ? -1 : ByteBuffer.wrap(key).getLong();
    }

    static byte[] value(long seed, int i, int size) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E37_79B9_7F4A_7C15L + i);
        byte[] v = new byte[size];
        for (int k = 0; k < size; k += 8) {
            long x = r.nextLong();
            for (int b = 0; b < 8 && k + b < size; b++) {
                v[k + b] = (byte) (x >>> (8 * b));
            }
        }
        return v;
    }
}
