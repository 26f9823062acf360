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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Ping-pong over one connection: the client writes {@code size} bytes on a blocking channel and reads the same
 * number back from the peer's echo service. One operation is one round trip; SampleTime gives the percentiles
 * (p50, p99), AverageTime the mean.
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
public class PingPongBenchmark extends NetBenchmark {
    @Param({"64", "1024", "16384"})
    public int size;

    private SocketChannel channel;
    private ByteBuffer out;
    private ByteBuffer in;

    @Override
    protected void connect() throws IOException {
        channel = clientProvider.openSocketChannel();
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.connect(peer.echo());
        out = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i++) {
            out.put(i, (byte) i);
        }
        in = ByteBuffer.allocateDirect(size);
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

    /** One round trip of {@code size} bytes; returns the last byte received (it must equal the last sent). */
    @Benchmark
    public byte roundTrip() throws IOException {
        invocations++;
        out.clear();
        while (out.hasRemaining()) {
            channel.write(out);
        }
        in.clear();
        while (in.hasRemaining()) {
            if (channel.read(in) < 0) {
                throw new EOFException("the echo peer closed the connection");
            }
        }
        return in.get(size - 1);
    }
}
