package io.tux.spi.netns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;

/**
 * Child JVM: connects to an echo server, sends {@code total} bytes of the seeded {@link Pattern} from one thread
 * while the main thread reads the echo back and checks every byte against the pattern. Prints
 * {@code CLIENT bytes=<n echoed> sent=<n sent> sentCrc=.. recvCrc=.. mismatch=<first wrong position or -1>
 * eof=<bool> millis=.. mbps=.. mode=.. reason=.. decidedMs=.. <counters>}.
 *
 * <p>Arguments: server address, port, total bytes, seed, watchdog seconds.
 */
public final class EchoClientMain {
    private EchoClientMain() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress server = new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        long total = Long.parseLong(args[2]);
        Pattern pattern = new Pattern(Long.parseLong(args[3]));
        Watchdog.start(Long.parseLong(args[4]));
        try (SocketChannel ch = SocketChannel.open()) {
            ch.connect(server);
            long connected = System.nanoTime();
            AtomicLong decidedMs = new AtomicLong(-1);
            Thread watcher = Thread.ofVirtual().start(() -> decidedMs.set(Report.awaitDecided(ch, connected, 20_000)));
            AtomicLong sentCrc = new AtomicLong();
            AtomicLong sent = new AtomicLong();
            AtomicReference<Throwable> writeFailure = new AtomicReference<>();
            Thread writer = Thread.ofPlatform().name("e2e-writer").start(() -> {
                CRC32C crc = new CRC32C();
                long pos = 0;
                try {
                    while (pos < total) {
                        int len = (int) Math.min(64 * 1024, total - pos);
                        ByteBuffer b = ByteBuffer.wrap(pattern.block, Pattern.offset(pos), len);
                        crc.update(b.duplicate());
                        while (b.hasRemaining()) {
                            ch.write(b);
                        }
                        pos += len;
                    }
                    ch.shutdownOutput();
                } catch (Throwable t) {
                    writeFailure.set(t);
                } finally {
                    sent.set(pos);
                    sentCrc.set(crc.getValue());
                }
            });
            ByteBuffer buf = ByteBuffer.allocate(Pattern.MAX_RUN);
            CRC32C crc = new CRC32C();
            long got = 0;
            long mismatch = -1;
            boolean eof = false;
            while (true) {
                int n = ch.read(buf);
                if (n < 0) {
                    eof = true;
                    break;
                }
                if (n == 0) {
                    continue;
                }
                int off = Pattern.offset(got);
                if (mismatch < 0) {
                    int m = Arrays.mismatch(buf.array(), 0, n, pattern.block, off, off + n);
                    if (m >= 0) {
                        mismatch = got + m;
                    }
                }
                crc.update(buf.array(), 0, n);
                got += n;
                buf.clear();
            }
            long nanos = System.nanoTime() - connected;
            writer.join();
            watcher.join();
            if (writeFailure.get() != null) {
                System.out.println("WRITE FAILED " + writeFailure.get());
                writeFailure.get().printStackTrace(System.out);
            }
            double mbps = got / 1e6 / (nanos / 1e9);
            System.out.println("CLIENT bytes=" + got + " sent=" + sent.get() + " sentCrc="
                    + Long.toHexString(sentCrc.get()) + " recvCrc=" + Long.toHexString(crc.getValue()) + " mismatch="
                    + mismatch + " eof=" + eof + " millis=" + nanos / 1_000_000 + " mbps="
                    + String.format(Locale.ROOT, "%.1f", mbps) + " " + Report.mode(ch) + " decidedMs=" + decidedMs.get()
                    + " " + Report.counters());
        }
        System.out.flush();
    }
}
