package io.tux.bench.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The peer's services, over loopback with each provider (clients use the JDK's), byte for byte. */
@Timeout(30)
class PeerTest {
    private static void readFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException();
            }
        }
    }

    private static void writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "tux"})
    void echoKvGreetAndSinkAnswerExactly(String provider) throws IOException {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (Peer peer = Peer.start(Providers.named(provider), lo)) {
            try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(lo, peer.echoPort()))) {
                byte[] sent = new byte[100_000];
                for (int i = 0; i < sent.length; i++) {
                    sent[i] = (byte) (i * 7 + 3);
                }
                ByteBuffer back = ByteBuffer.allocate(sent.length);
                // write and read in slices, so that the echo never has to buffer more than a slice
                for (int off = 0; off < sent.length; off += 10_000) {
                    writeFully(ch, ByteBuffer.wrap(sent, off, 10_000));
                    back.limit(off + 10_000);
                    readFully(ch, back);
                }
                assertArrayEquals(sent, back.array());
            }
            try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(lo, peer.kvPort()))) {
                // three requests split across two writes, then one more
                writeFully(ch, ByteBuffer.allocate(10));
                writeFully(ch, ByteBuffer.allocate(3 * Wire.KV_REQUEST - 10));
                ByteBuffer responses = ByteBuffer.allocate(3 * Wire.KV_RESPONSE);
                readFully(ch, responses);
                writeFully(ch, ByteBuffer.allocate(Wire.KV_REQUEST));
                ByteBuffer last = ByteBuffer.allocate(Wire.KV_RESPONSE);
                readFully(ch, last);
                assertEquals('v', last.get(Wire.KV_RESPONSE - 1));
                // a write of half a request gets nothing back; the other half completes it
                writeFully(ch, ByteBuffer.allocate(Wire.KV_REQUEST / 2));
                writeFully(ch, ByteBuffer.allocate(Wire.KV_REQUEST / 2));
                ByteBuffer one = ByteBuffer.allocate(Wire.KV_RESPONSE + 1);
                one.limit(Wire.KV_RESPONSE);
                readFully(ch, one);
                ch.configureBlocking(false);
                one.limit(Wire.KV_RESPONSE + 1);
                assertEquals(0, ch.read(one)); // nothing owed beyond the four responses
            }
            try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(lo, peer.greetPort()))) {
                ByteBuffer g = ByteBuffer.allocate(Wire.GREETING_SIZE);
                readFully(ch, g);
                assertEquals('g', g.get(0));
            }
            try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(lo, peer.sinkPort()))) {
                ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                for (int i = 0; i < 64; i++) { // 4 MiB: more than the socket buffers, so the sink must read
                    chunk.clear();
                    writeFully(ch, chunk);
                }
            }
        }
    }
}
