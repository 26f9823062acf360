package io.tux.core.testing;

import io.tux.core.engine.Connection;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Moves {@code total} pattern bytes from one connection to another inside a simulation, checking every byte
 * as it arrives and the checksums of both ends at the end. The reader may be slow: it takes at most
 * {@code readChunk} bytes every {@code readEvery} rounds.
 */
public final class StreamTransfer {
    public final long total;
    private final Pattern pattern;
    private final Connection writer;
    private final Connection reader;
    private final int readChunk;
    private final int readEvery;
    private final ByteBuffer out = ByteBuffer.allocate(64 * 1024);
    private final byte[] inArray = new byte[64 * 1024];
    private final ByteBuffer in = ByteBuffer.wrap(inArray);
    private final CRC32C sentCrc = new CRC32C();
    private final CRC32C receivedCrc = new CRC32C();
    public long written;
    public long read;
    public boolean eof;
    public long firstMismatch = -1;
    private long round;
    private boolean shutdown;
    /** The most bytes the reader's side held at once (delivered but unread, plus held out of order). */
    public long maxBuffered;

    public StreamTransfer(long seed, long total, Connection writer, Connection reader, int readChunk, int readEvery) {
        this.pattern = new Pattern(seed);
        this.total = total;
        this.writer = writer;
        this.reader = reader;
        this.readChunk = Math.min(readChunk, inArray.length);
        this.readEvery = readEvery;
    }

    /** One application round: write what fits, read what is allowed. Usable as a {@code Simulation.Step}. */
    public int step() throws Exception {
        int progress = 0;
        while (written < total) {
            out.clear();
            pattern.fill(out, written, (int) Math.min(out.capacity(), total - written));
            out.flip();
            int n = writer.write(out);
            if (n == 0) break;
            sentCrc.update(out.array(), 0, n);
            written += n;
            progress++;
        }
        if (written == total && !shutdown) {
            writer.shutdownOutput(); // the FIN goes out after the data
            shutdown = true;
            progress++;
        }
        maxBuffered = Math.max(maxBuffered, reader.bufferedBytes());
        if (round++ % readEvery != 0 && !eof) {
            progress++; // the reader is busy elsewhere this round: not idle
        } else if (!eof) {
            in.clear().limit(readChunk);
            int n = reader.read(in);
            if (n > 0) {
                long m = pattern.mismatch(inArray, 0, n, read);
                if (m >= 0 && firstMismatch < 0) firstMismatch = m;
                receivedCrc.update(inArray, 0, n);
                read += n;
                progress++;
            } else if (n < 0) {
                eof = true;
                progress++;
            }
        }
        if (firstMismatch >= 0) return -1;
        return eof ? -1 : progress;
    }

    public boolean checksumsMatch() { return sentCrc.getValue() == receivedCrc.getValue(); }
}
