package io.tux.bench.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bulk one-way stream: the client writes to the peer's sink service on one blocking connection, 64 KiB a write.
 * One operation is one MiB written, so the throughput score in ops/s is MiB/s.
 *
 * <p>Threading: one benchmark thread per trial (see {@link NetBenchmark}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "--enable-native-access=ALL-UNNAMED", "--add-exports",
    "java.base/sun.nio.ch=ALL-UNNAMED"})
public class BulkBenchmark extends NetBenchmark {
    static final int CHUNK = 64 * 1024;
    static final int CHUNKS_PER_OP = 16;

    private SocketChannel channel;
    private ByteBuffer chunk;

    @Override
    protected void connect() throws IOException {
        channel = clientProvider.openSocketChannel();
        channel.connect(peer.sink());
        chunk = ByteBuffer.allocateDirect(CHUNK);
        for (int i = 0; i < CHUNK; i++) {
            chunk.put(i, (byte) (i * 31));
        }
    }

    @Override
    protected java.nio.channels.Channel sampleChannel() {
        return channel;
    }

    @Override
    protected void disconnect() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }

    /** Writes one MiB; returns the bytes written. */
    @Benchmark
    public long mebibyte() throws IOException {
        invocations++;
        long written = 0;
        for (int i = 0; i < CHUNKS_PER_OP; i++) {
            chunk.clear();
            while (chunk.hasRemaining()) {
                written += channel.write(chunk);
            }
        }
        return written;
    }
}
