package io.tux.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tux.core.link.LoopbackLink;
import io.tux.core.packet.PacketCodec;
import io.tux.core.packet.TuxHeader;
import io.tux.core.stack.LoopbackStack;
import io.tux.core.testing.Pattern;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cutover from TCP to Tux under lost and duplicated control packets, for protocols where the server speaks
 * first and where the client does: request/response rounds start on TCP, cross the cutover while the handshake
 * and the X announcement are lost, repeated or both, and must arrive byte for byte, without a hang.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CutoverTest {

    enum Style { SERVER_FIRST, CLIENT_FIRST }

    /** What happens to the packets on the wire. */
    enum Loss {
        NONE, HANDSHAKES_LOST_FOR_100_MS, FIRST_HANDSHAKE, FIRST_THREE_HANDSHAKES, EVERY_HANDSHAKE_TWICE, FIRST_DATA_PACKET,
        FIRST_TWO_DATA_PACKETS, EVERYTHING_TWICE, ONE_IN_FIVE, ONE_IN_FIVE_AND_DUPLICATES
    }

    private static final TuxSelectorProvider TUX = new TuxSelectorProvider(TuxConfig.of(Map.of(
            TuxConfig.STACK, "loopback")));
    private static final ExecutorService THREADS = Executors.newVirtualThreadPerTaskExecutor();

    @AfterAll
    static void stop() {
        THREADS.close();
    }

    static Stream<Arguments> cases() {
        String only = System.getProperty("tux.test.cutover.only"); // e.g. SERVER_FIRST:NONE, to debug one case
        return Stream.of(Style.values()).flatMap(s -> Stream.of(Loss.values()).map(l -> Arguments.of(s, l)))
                .filter(a -> only == null || only.equals(a.get()[0] + ":" + a.get()[1]));
    }

    private static LoopbackLink.Impairment impairment(Loss loss, long seed) {
        AtomicInteger handshakes = new AtomicInteger();
        AtomicInteger data = new AtomicInteger();
        SplittableRandom random = new SplittableRandom(seed);
        long start = System.nanoTime();
        return (s, off, len) -> {
            int type = PacketCodec.type(s, off);
            boolean hs = type == TuxHeader.TYPE_HANDSHAKE;
            boolean dat = type == TuxHeader.TYPE_DATA;
            return switch (loss) {
                case NONE -> LoopbackLink.Fate.DELIVER;
                case HANDSHAKES_LOST_FOR_100_MS -> hs && System.nanoTime() - start < 100_000_000L
                        ? LoopbackLink.Fate.DROP : LoopbackLink.Fate.DELIVER;
                case FIRST_HANDSHAKE -> hs && handshakes.getAndIncrement() < 1 ? LoopbackLink.Fate.DROP : LoopbackLink.Fate.DELIVER;
                case FIRST_THREE_HANDSHAKES -> hs && handshakes.getAndIncrement() < 3 ? LoopbackLink.Fate.DROP : LoopbackLink.Fate.DELIVER;
                case EVERY_HANDSHAKE_TWICE -> hs ? LoopbackLink.Fate.DUPLICATE : LoopbackLink.Fate.DELIVER;
                case FIRST_DATA_PACKET -> dat && data.getAndIncrement() < 1 ? LoopbackLink.Fate.DROP : LoopbackLink.Fate.DELIVER;
                case FIRST_TWO_DATA_PACKETS -> dat && data.getAndIncrement() < 2 ? LoopbackLink.Fate.DROP : LoopbackLink.Fate.DELIVER;
                case EVERYTHING_TWICE -> LoopbackLink.Fate.DUPLICATE;
                case ONE_IN_FIVE -> random.nextInt(5) == 0 ? LoopbackLink.Fate.DROP : LoopbackLink.Fate.DELIVER;
                case ONE_IN_FIVE_AND_DUPLICATES -> switch (random.nextInt(5)) {
                    case 0 -> LoopbackLink.Fate.DROP;
                    case 1 -> LoopbackLink.Fate.DUPLICATE;
                    default -> LoopbackLink.Fate.DELIVER;
                };
            };
        };
    }

    @ParameterizedTest
    @MethodSource("cases")
    void everyByteArrivesOnceInOrderAcrossTheCutover(Style style, Loss loss) throws Exception {
        LoopbackStack stack = assertInstanceOf(LoopbackStack.class, TUX.runtime().stack());
        stack.link().impairment(impairment(loss, style.ordinal() * 31L + loss.ordinal()));
        try (ServerSocketChannel ssc = TUX.openServerSocketChannel()) {
            ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel client = TUX.openSocketChannel();
            CompletableFuture<Void> connect = CompletableFuture.runAsync(() -> {
                try {
                    client.connect(ssc.getLocalAddress());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, THREADS);
            SocketChannel server = ssc.accept();
            connect.get(20, TimeUnit.SECONDS);
            int rounds = 300;
            long seed = 17L * style.ordinal() + loss.ordinal();
            SocketChannel first = style == Style.SERVER_FIRST ? server : client;
            SocketChannel second = style == Style.SERVER_FIRST ? client : server;
            // The side that speaks first sends a message, the other answers it, for many rounds: the early
            // rounds run on TCP, the later ones on Tux, and the cutover happens under the traffic.
            CompletableFuture<Long> speaker = CompletableFuture.supplyAsync(() -> converse(first, seed, rounds, true), THREADS);
            CompletableFuture<Long> answerer = CompletableFuture.supplyAsync(() -> converse(second, seed, rounds, false), THREADS);
            long a = speaker.get(60, TimeUnit.SECONDS);
            long b = answerer.get(60, TimeUnit.SECONDS);
            assertEquals(a, b, "both sides moved the same bytes");
            // Whatever the handshake went through, both ends end up on Tux; then a second conversation runs
            // on it, continuing both streams where the first one (partly or wholly on TCP) left them.
            for (SocketChannel ch : new SocketChannel[] {client, server}) {
                TuxSocketChannel t = assertInstanceOf(TuxSocketChannel.class, ch);
                Await.until(() -> t.mode() == ConnectionMode.TUX, "Tux handshake of " + t);
            }
            CompletableFuture<Long> speaker2 = CompletableFuture.supplyAsync(() -> converse(first, seed + 7, 100, true), THREADS);
            CompletableFuture<Long> answerer2 = CompletableFuture.supplyAsync(() -> converse(second, seed + 7, 100, false), THREADS);
            a += speaker2.get(60, TimeUnit.SECONDS);
            b += answerer2.get(60, TimeUnit.SECONDS);
            assertEquals(a, b, "both sides moved the same bytes");
            long onTcp = 0;
            for (SocketChannel ch : new SocketChannel[] {client, server}) {
                TuxSocketChannel t = assertInstanceOf(TuxSocketChannel.class, ch);
                assertEquals(ConnectionMode.TUX, t.mode(), "mode of " + t);
                onTcp += assertInstanceOf(TuxTransport.class, t.transport()).tcpBytesWritten();
            }
            if (loss == Loss.HANDSHAKES_LOST_FOR_100_MS) {
                // The conversation started on TCP and crossed over to Tux in the middle.
                assertTrue(onTcp > 0 && onTcp < a, "bytes written on TCP before the cutover: " + onTcp + " of " + a);
            }
            client.shutdownOutput();
            assertEquals(-1, server.read(ByteBuffer.allocate(1)), "end of stream after the cutover");
            server.close();
            assertEquals(-1, client.read(ByteBuffer.allocate(1)));
            client.close();
        } finally {
            stack.link().impairment(null);
        }
    }

    /**
     * One side of the conversation: round r's message from the speaker is 1 + (r * 997 % 4000) bytes of one
     * pattern, the answer as long from another; each side checks every byte it reads. Returns the bytes moved.
     */
    private static long converse(SocketChannel ch, long seed, int rounds, boolean speaksFirst) {
        try {
            Pattern mine = new Pattern(seed * 2 + (speaksFirst ? 1 : 2));
            Pattern theirs = new Pattern(seed * 2 + (speaksFirst ? 2 : 1));
            long sent = 0;
            long received = 0;
            byte[] in = new byte[4096];
            for (int r = 0; r < rounds; r++) {
                int len = 1 + (int) ((r * 997L + seed) % 4000);
                if (speaksFirst) {
                    sent += send(ch, mine, sent, len);
                    received += receive(ch, theirs, received, len, in);
                } else {
                    received += receive(ch, theirs, received, len, in);
                    sent += send(ch, mine, sent, len);
                }
            }
            return sent + received;
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static int send(SocketChannel ch, Pattern p, long position, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        p.fill(b, position, len);
        b.flip();
        while (b.hasRemaining()) ch.write(b);
        return len;
    }

    private static int receive(SocketChannel ch, Pattern p, long position, int len, byte[] in) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(in, 0, len);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) throw new IOException("end of stream after " + b.position() + " of " + len);
        }
        long m = p.mismatch(in, 0, len, position);
        assertTrue(m < 0, "wrong byte at stream position " + m);
        return len;
    }
}
