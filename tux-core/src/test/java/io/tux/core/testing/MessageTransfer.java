package io.tux.core.testing;

import io.tux.core.engine.Connection;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * Sends {@code count} messages of seeded random lengths over a message connection and checks that each arrives
 * exactly once, whole, with its own length and bytes. Message i starts with i (4 bytes), then its length
 * (4 bytes), then bytes that depend on i; lengths are 8 to {@code maxLength}.
 */
public final class MessageTransfer {
    private final long seed;
    private final int count;
    private final int maxLength;
    private final Connection writer;
    private final Connection reader;
    private final ByteBuffer out;
    private final ByteBuffer in = ByteBuffer.allocate(Connection.MAX_MESSAGE_SIZE);
    private final BitSet seen = new BitSet();
    public int sent;
    public int received;
    public int duplicates;
    public int corrupt;
    public int outOfOrder;
    private int lastIndex = -1;
    private boolean shutdown;
    public boolean eof;

    public MessageTransfer(long seed, int count, int maxLength, Connection writer, Connection reader) {
        this.seed = seed;
        this.count = count;
        this.maxLength = Math.max(8, maxLength);
        this.writer = writer;
        this.reader = reader;
        this.out = ByteBuffer.allocate(this.maxLength);
    }

    public int lengthOf(int i) {
        return 8 + new SplittableRandom(seed * 31 + i).nextInt(maxLength - 7);
    }

    private static byte byteOf(int i, int k) { return (byte) (i * 131 + k * 7 + (k >>> 8)); }

    private void fill(int i) {
        int len = lengthOf(i);
        out.clear();
        out.putInt(i).putInt(len);
        for (int k = 8; k < len; k++) out.put(byteOf(i, k));
        out.flip();
    }

    public int step() throws Exception {
        int progress = 0;
        while (sent < count) {
            fill(sent);
            if (!writer.writeMessage(out)) break;
            sent++;
            progress++;
        }
        if (sent == count && !shutdown) {
            writer.shutdownOutput();
            shutdown = true;
            progress++;
        }
        while (true) {
            in.clear();
            int n = reader.readMessage(in);
            if (n < 0) {
                eof = true;
                return -1;
            }
            if (n == 0 && reader.nextMessageLength() < 0) break;
            progress++;
            check(n);
        }
        return progress;
    }

    private void check(int n) {
        in.flip();
        if (n < 8) {
            corrupt++;
            return;
        }
        int i = in.getInt();
        int len = in.getInt();
        if (i < 0 || i >= count || len != n || lengthOf(i) != n) {
            corrupt++;
            return;
        }
        for (int k = 8; k < len; k++) {
            if (in.get() != byteOf(i, k)) {
                corrupt++;
                return;
            }
        }
        if (seen.get(i)) {
            duplicates++;
            return;
        }
        if (i < lastIndex) outOfOrder++;
        lastIndex = Math.max(lastIndex, i);
        seen.set(i);
        received++;
    }

    public boolean allReceivedOnce() { return received == count && seen.cardinality() == count && duplicates == 0 && corrupt == 0; }
}
