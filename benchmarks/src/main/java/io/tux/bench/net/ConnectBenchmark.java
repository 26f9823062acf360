package io.tux.bench.net;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardSocketOptions;
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
 * Connect to first byte: open a fresh blocking channel, connect to the peer's greet service, read the one byte
 * it sends at once, then close with SO_LINGER 0 (a reset, so that no TIME_WAIT state piles up over millions of
 * connections). One operation is one whole connection; the close is inside the measured time.
 *
 * <p>Threading: one benchmark thread per trial (see {@link NetBenchmark}).
 */
@State(Scope.Thread)
@BenchmarkMode({Mode.SampleTime, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "--enable-native-access=ALL-UNNAMED", "--add-exports",
    "java.base/sun.nio.ch=ALL-UNNAMED"})
public class ConnectBenchmark extends NetBenchmark {
    private ByteBuffer in;
    /** One connection kept open for the trial only to report which transport connections get. */
    private SocketChannel probe;

    @Override
    protected void connect() throws IOException {
        in = ByteBuffer.allocateDirect(Wire.GREETING_SIZE);
        probe = clientProvider.openSocketChannel();
        probe.connect(peer.greet());
    }

    @Override
    protected java.nio.channels.Channel sampleChannel() {
        return probe;
    }

    @Override
    protected void disconnect() throws IOException {
        // every measured connection is closed by the invocation that opened it
        if (probe != null) {
            probe.close();
        }
    }

    /** One fresh connection up to its first byte received; returns that byte. */
    @Benchmark
    public byte connectToFirstByte() throws IOException {
        invocations++;
        try (SocketChannel ch = clientProvider.openSocketChannel()) {
            ch.setOption(StandardSocketOptions.SO_LINGER, 0);
            ch.connect(peer.greet());
            in.clear();
            while (in.hasRemaining()) {
                if (ch.read(in) < 0) {
                    throw new EOFException("the greet peer closed before its first byte");
                }
            }
            return in.get(0);
        }
    }
}
