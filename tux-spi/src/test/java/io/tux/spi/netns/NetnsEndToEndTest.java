package io.tux.spi.netns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tux.xdp.testbed.NetnsTestBed;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * End to end, as a user runs Tux: child JVMs in two network namespaces of a {@link NetnsTestBed} (veth pair),
 * started with {@code --enable-native-access=ALL-UNNAMED} and the SelectorProvider flag, run plain java.nio
 * programs ({@link EchoServerMain}, {@link EchoClientMain}, {@link RoundsMain}); the test checks exact bytes, the
 * transport each end reports ({@code Tux.mode}/{@code Tux.fallbackReason}), the exit summary line, and the
 * kernel's TCP counters of the namespaces. The surefire JVM itself runs without native access; AF_XDP runs only
 * in the children.
 *
 * <p>Needs root (network namespaces, XDP): when it cannot run the tests FAIL if CI=true and are skipped
 * otherwise. {@code -Dtux.e2e.bytes=N} changes the size of the bulk echo. Select these tests with
 * {@code -Dtest='io.tux.spi.netns.**'}: surefire 3.5.2 reads {@code io.tux.spi.netns.*} as a class {@code netns}
 * with any file extension, which matches nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetnsEndToEndTest {

    static final String FLAG = "-Djava.nio.channels.spi.SelectorProvider=io.tux.spi.TuxSelectorProvider";
    /** The bulk echo's size (each direction). */
    static final long BULK_BYTES = Long.getLong("tux.e2e.bytes", 1L << 30);
    /** The echo's size when the point is the fallback, not the volume. */
    static final long FALLBACK_BYTES = 64L << 20;
    static final long SEED = 0x7E57_E2E0_0001L;
    /**
     * The MSS of the TCP connection over the veth pair: MTU 1500 - 20 (IPv4) - 20 (TCP) - 12 (timestamps option,
     * on by default in Linux). What one full-sized data segment carries.
     */
    static final long MSS = 1448;
    /** Bound on each child JVM's life (its watchdog halts it after this). */
    static final long CHILD_SECONDS = 170;

    /** The bulk rates of {@link #echoOfAGigabyteOnTux} and {@link #theSameEchoOnTheJdkProvider}; test thread. */
    static volatile double tuxMbps = -1;
    static volatile double jdkMbps = -1;

    @TempDir
    Path dir;

    static void requireNetns() {
        String reason = NetnsTestBed.unavailableReason();
        if (reason == null) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("CI=true but the network namespace test bed cannot run: " + reason);
        }
        Assumptions.abort("network namespace test bed unavailable: " + reason);
    }

    static List<String> tuxJvm(String... extra) {
        List<String> o = new ArrayList<>(List.of("-Xmx512m", FLAG, "-Dtux.summaryAtExit=true"));
        o.addAll(List.of(extra));
        return o;
    }

    static List<String> jdkJvm() {
        return List.of("-Xmx512m");
    }

    /** {@code key=value} pairs of a result line. */
    static Map<String, String> kv(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher x = java.util.regex.Pattern.compile("(\\w+)=(\\S*)").matcher(line);
        while (x.find()) {
            m.put(x.group(1), x.group(2));
        }
        return m;
    }

    /** The one summary line of a child's transcript. */
    static String summary(String transcript) {
        List<String> l = transcript.lines().filter(s -> s.startsWith("Tux summary: ")).toList();
        assertEquals(1, l.size(), "one summary line in:\n" + transcript);
        return l.get(0);
    }

    record Echo(Map<String, String> client, Map<String, String> server, String clientOut, String serverOut,
                Map<String, Long> tcpA, Map<String, Long> tcpB) {
    }

    /** Server in B, client in A; waits for both result lines and exits; TCP counter deltas over the whole run. */
    Echo echo(NetnsTestBed bed, List<String> serverJvm, List<String> clientJvm, long bytes, Duration timeout)
            throws Exception {
        return echo(bed, serverJvm, clientJvm, bytes, timeout, "blocking");
    }

    Echo echo(NetnsTestBed bed, List<String> serverJvm, List<String> clientJvm, long bytes, Duration timeout,
              String serverStyle) throws Exception {
        Map<String, Long> a0 = bed.snmp(bed.nsA());
        Map<String, Long> b0 = bed.snmp(bed.nsB());
        String b = bed.addressB().getHostAddress();
        Child server = Child.start(bed, "echo server in B", bed.javaIn(bed.nsB(), serverJvm,
                EchoServerMain.class.getName(), List.of(b, Long.toString(CHILD_SECONDS), serverStyle)));
        String port = server.awaitLine("LISTENING ", Duration.ofSeconds(60)).split(" ")[1];
        Child client = Child.start(bed, "echo client in A", bed.javaIn(bed.nsA(), clientJvm,
                EchoClientMain.class.getName(), List.of(b, port, Long.toString(bytes), Long.toString(SEED),
                        Long.toString(CHILD_SECONDS))));
        String c = client.awaitLine("CLIENT ", timeout);
        String s = server.awaitLine("SERVER ", Duration.ofSeconds(30));
        assertEquals(0, client.awaitExit(Duration.ofSeconds(30)), client.transcript());
        assertEquals(0, server.awaitExit(Duration.ofSeconds(30)), server.transcript());
        Map<String, Long> a1 = bed.snmp(bed.nsA());
        Map<String, Long> b1 = bed.snmp(bed.nsB());
        System.out.println("client: " + c);
        System.out.println("server: " + s);
        return new Echo(kv(c), kv(s), client.finalTranscript(Duration.ofSeconds(10)),
                server.finalTranscript(Duration.ofSeconds(10)), delta(a0, a1), delta(b0, b1));
    }

    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new LinkedHashMap<>();
        for (String k : List.of("Tcp.InSegs", "Tcp.OutSegs", "Tcp.RetransSegs")) {
            d.put(k, after.get(k) - before.get(k));
        }
        return d;
    }

    /** Exact bytes both ways: counts, first mismatch, end of stream, CRC32C of what was sent, echoed and received. */
    static void assertExactEcho(Echo e, long bytes) {
        assertEquals(Long.toString(bytes), e.client().get("sent"), "bytes the client sent");
        assertEquals(Long.toString(bytes), e.client().get("bytes"), "bytes echoed back to the client");
        assertEquals("-1", e.client().get("mismatch"), "first wrong byte of the echo");
        assertEquals("true", e.client().get("eof"), "end of stream after the echo");
        assertEquals(Long.toString(bytes), e.server().get("bytes"), "bytes the server received");
        assertEquals(e.client().get("sentCrc"), e.server().get("crc"), "CRC32C: client sent vs server received");
        assertEquals(e.client().get("sentCrc"), e.client().get("recvCrc"), "CRC32C: client sent vs client received");
    }

    @Test
    @Order(1)
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void echoOfAGigabyteOnTux() throws Exception {
        requireNetns();
        try (NetnsTestBed bed = NetnsTestBed.create()) {
            Echo e = echo(bed, tuxJvm(), tuxJvm(), BULK_BYTES, Duration.ofSeconds(160));
            assertExactEcho(e, BULK_BYTES);
            assertEquals("TUX", e.client().get("mode"), e.clientOut());
            assertEquals("null", e.client().get("reason"));
            assertEquals("TUX", e.server().get("mode"), e.serverOut());
            assertEquals("null", e.server().get("reason"));
            String cs = summary(e.clientOut());
            String ss = summary(e.serverOut());
            System.out.println("client " + cs);
            System.out.println("server " + ss);
            assertTrue(cs.startsWith("Tux summary: connections 1 (tux 1, kernel 0), bytes kernel in "), cs);
            assertTrue(ss.startsWith("Tux summary: connections 1 (tux 1, kernel 0), bytes kernel in "), ss);
            assertTrue(cs.contains("; engine " + bed.ifaceA() + "#0: EngineCounters{") && cs.contains(" HANDSHAKES_COMPLETED=1 "), cs);
            assertTrue(ss.contains("; engine " + bed.ifaceB() + "#0: EngineCounters{") && ss.contains(" HANDSHAKES_COMPLETED=1 "), ss);
            // every byte is counted once, on kernel TCP (before its direction's cutover) or on Tux
            Map<String, String> ck = e.client();
            Map<String, String> sk = e.server();
            assertEquals(BULK_BYTES, Long.parseLong(ck.get("kernelOut")) + Long.parseLong(ck.get("tuxOut")));
            assertEquals(BULK_BYTES, Long.parseLong(ck.get("kernelIn")) + Long.parseLong(ck.get("tuxIn")));
            assertEquals(BULK_BYTES, Long.parseLong(sk.get("kernelOut")) + Long.parseLong(sk.get("tuxOut")));
            assertEquals(BULK_BYTES, Long.parseLong(sk.get("kernelIn")) + Long.parseLong(sk.get("tuxIn")));

            // The payload did not travel as TCP segments. Carried by TCP, 2 x BULK_BYTES of payload (there and
            // back) would need at least 2 x BULK_BYTES / MSS data segments, each counted once in A (out or in).
            // Over the whole run (connect, handshake, the bytes written before the cutover, the transfer, close)
            // namespace A may count at most 1% of that.
            long payloadSegments = 2 * BULK_BYTES / MSS;
            long bound = payloadSegments / 100;
            long segsA = e.tcpA().get("Tcp.InSegs") + e.tcpA().get("Tcp.OutSegs");
            long segsB = e.tcpB().get("Tcp.InSegs") + e.tcpB().get("Tcp.OutSegs");
            double mbps = Double.parseDouble(ck.get("mbps"));
            tuxMbps = mbps;
            System.out.printf(Locale.ROOT, "E2E tux echo: %d bytes each way in %s ms, %.1f MB/s; TCP segments in A: "
                            + "in %d out %d (retrans %d), in B: in %d out %d; payload as TCP would be >= %d segments,"
                            + " bound %d; client %s; server %s%n", BULK_BYTES, ck.get("millis"), mbps,
                    e.tcpA().get("Tcp.InSegs"), e.tcpA().get("Tcp.OutSegs"), e.tcpA().get("Tcp.RetransSegs"),
                    e.tcpB().get("Tcp.InSegs"), e.tcpB().get("Tcp.OutSegs"), payloadSegments, bound,
                    "kernelOut=" + ck.get("kernelOut") + " tuxOut=" + ck.get("tuxOut"),
                    "kernelOut=" + sk.get("kernelOut") + " tuxOut=" + sk.get("tuxOut"));
            assertTrue(segsA < bound, "TCP segments in A: " + segsA + ", bound " + bound);
            assertTrue(segsB < bound, "TCP segments in B: " + segsB + ", bound " + bound);
        }
    }

    /** The echo server in B is non-blocking, driven by one selector (readiness polled from Tux after cutover). */
    @Test
    @Order(2)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void echoOnTuxWithASelectorServer() throws Exception {
        requireNetns();
        long bytes = 256L << 20;
        try (NetnsTestBed bed = NetnsTestBed.create()) {
            Echo e = echo(bed, tuxJvm(), tuxJvm(), bytes, Duration.ofSeconds(100), "selector");
            assertExactEcho(e, bytes);
            assertEquals("TUX", e.client().get("mode"), e.clientOut());
            assertEquals("TUX", e.server().get("mode"), e.serverOut());
            assertEquals(bytes, sum(e.client(), "kernelOut", "tuxOut"));
            assertEquals(bytes, sum(e.server(), "kernelOut", "tuxOut"));
            System.out.println("E2E tux echo, selector server: " + bytes + " bytes each way, " + e.client().get("mbps")
                    + " MB/s");
        }
    }

    @Test
    @Order(3)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void echoWithAPeerOnTheJdkProviderStaysOnKernelTcp() throws Exception {
        requireNetns();
        try (NetnsTestBed bed = NetnsTestBed.create()) {
            Echo e = echo(bed, jdkJvm(), tuxJvm(), FALLBACK_BYTES, Duration.ofSeconds(90));
            assertExactEcho(e, FALLBACK_BYTES);
            assertEquals("KERNEL", e.client().get("mode"), e.clientOut());
            assertEquals("PEER_NOT_TUX", e.client().get("reason"), e.clientOut());
            assertTrue(Long.parseLong(e.client().get("decidedMs")) >= 0, "the reason was recorded: " + e.clientOut());
            assertEquals("null", e.server().get("mode"), "a channel of the JDK's provider: " + e.serverOut());
            assertTrue(e.serverOut().contains("provider=sun.nio.ch."), e.serverOut());
            assertSummary("Tux summary: connections 1 (tux 0, kernel 1: PEER_NOT_TUX=1), bytes kernel in "
                    + FALLBACK_BYTES + " out " + FALLBACK_BYTES + ", bytes tux in 0 out 0", "HANDSHAKES_FAILED=1",
                    summary(e.clientOut()));
            System.out.println("E2E JDK server: client decided KERNEL/PEER_NOT_TUX " + e.client().get("decidedMs")
                    + " ms after connect (tux.handshakeTimeoutMillis=1000)");
        }
    }

    @Test
    @Order(4)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void bashDevTcpClientAgainstATuxEchoServer() throws Exception {
        requireNetns();
        try (NetnsTestBed bed = NetnsTestBed.create()) {
            String b = bed.addressB().getHostAddress();
            // a lowered handshake timeout: the reason must be recorded all the same
            Child server = Child.start(bed, "echo server in B", bed.javaIn(bed.nsB(),
                    tuxJvm("-Dtux.handshakeTimeoutMillis=250"), EchoServerMain.class.getName(),
                    List.of(b, Long.toString(CHILD_SECONDS))));
            String port = server.awaitLine("LISTENING ", Duration.ofSeconds(60)).split(" ")[1];
            // 100,000 printable bytes from the seed (an argument of bash may hold up to 128 KiB)
            SplittableRandom r = new SplittableRandom(SEED);
            byte[] message = new byte[100_000];
            for (int i = 0; i < message.length; i++) {
                message[i] = (byte) ('!' + r.nextInt(94));
            }
            File out = dir.resolve("bash.out").toFile();
            File err = dir.resolve("bash.err").toFile();
            ProcessBuilder pb = new ProcessBuilder(NetnsTestBed.inNamespace(bed.nsA(), List.of("bash", "-c",
                    "exec 3<>/dev/tcp/$0/$1 && printf %s \"$2\" >&3 && head -c $3 <&3", b, port,
                    new String(message, StandardCharsets.US_ASCII), Integer.toString(message.length))))
                    .redirectOutput(out).redirectError(err);
            Process bash = bed.start(pb);
            assertTrue(bash.waitFor(60, TimeUnit.SECONDS), "bash finished");
            assertEquals(0, bash.exitValue(), Files.readString(err.toPath()));
            assertArrayEquals(message, Files.readAllBytes(out.toPath()), "the echo bash read back");
            Map<String, String> s = kv(server.awaitLine("SERVER ", Duration.ofSeconds(30)));
            assertEquals(0, server.awaitExit(Duration.ofSeconds(30)), server.transcript());
            String transcript = server.finalTranscript(Duration.ofSeconds(10));
            System.out.println("E2E bash client (tux.handshakeTimeoutMillis=250): server " + s + "\n"
                    + summary(transcript));
            assertEquals(Integer.toString(message.length), s.get("bytes"));
            assertEquals("KERNEL", s.get("mode"), transcript);
            assertEquals("PEER_NOT_TUX", s.get("reason"), transcript);
            assertSummary("Tux summary: connections 1 (tux 0, kernel 1: PEER_NOT_TUX=1), bytes kernel in "
                    + message.length + " out " + message.length + ", bytes tux in 0 out 0", "HANDSHAKES_FAILED=1",
                    summary(transcript));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"server-first", "client-first"})
    @Order(5)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void requestResponseRoundsAcrossTheCutover(String style) throws Exception {
        requireNetns();
        int rounds = 2000;
        try (NetnsTestBed bed = NetnsTestBed.create()) {
            String b = bed.addressB().getHostAddress();
            Child server = Child.start(bed, style + " server in B", bed.javaIn(bed.nsB(), tuxJvm(),
                    RoundsMain.class.getName(), List.of("server", b, style, Integer.toString(rounds),
                            Long.toString(SEED), Long.toString(CHILD_SECONDS))));
            String port = server.awaitLine("LISTENING ", Duration.ofSeconds(60)).split(" ")[1];
            Child client = Child.start(bed, style + " client in A", bed.javaIn(bed.nsA(), tuxJvm(),
                    RoundsMain.class.getName(), List.of("client", b, port, style, Integer.toString(rounds),
                            Long.toString(SEED), Long.toString(CHILD_SECONDS))));
            String cl = client.awaitLine("CLIENT ", Duration.ofSeconds(100));
            String sl = server.awaitLine("SERVER ", Duration.ofSeconds(30));
            assertEquals(0, client.awaitExit(Duration.ofSeconds(30)), client.transcript());
            assertEquals(0, server.awaitExit(Duration.ofSeconds(30)), server.transcript());
            System.out.println("E2E " + style + ": client " + cl + "\nE2E " + style + ": server " + sl);
            Map<String, String> c = kv(cl);
            Map<String, String> s = kv(sl);
            assertEquals("-1", c.get("bad"), "first round with wrong bytes: " + cl);
            assertEquals(Integer.toString(rounds), c.get("rounds"), cl);
            assertEquals("true", c.get("eof"), cl);
            assertEquals(Integer.toString(rounds), s.get("rounds"), sl);
            assertEquals("true", s.get("eof"), sl);
            assertEquals("TUX", c.get("mode"), client.transcript());
            assertEquals("TUX", s.get("mode"), server.transcript());
            for (Map<String, String> m : List.of(c, s)) {
                assertTrue(Long.parseLong(m.get("tuxIn")) > 0 && Long.parseLong(m.get("tuxOut")) > 0,
                        "bytes moved on Tux both ways: " + m);
            }
            // every byte counted exactly once, on kernel TCP or on Tux
            long requests = RoundsMain.requestBytes(rounds, SEED);
            long responses = requests + (style.equals("server-first") ? 32 : 0);
            assertEquals(requests, sum(c, "kernelOut", "tuxOut"), "client out: " + cl);
            assertEquals(responses, sum(c, "kernelIn", "tuxIn"), "client in: " + cl);
            assertEquals(requests, sum(s, "kernelIn", "tuxIn"), "server in: " + sl);
            assertEquals(responses, sum(s, "kernelOut", "tuxOut"), "server out: " + sl);
        }
    }

    static long sum(Map<String, String> m, String k1, String k2) {
        return Long.parseLong(m.get(k1)) + Long.parseLong(m.get(k2));
    }

    /**
     * Bytes that certainly went on kernel TCP before the cutover are counted as kernel bytes at both ends. The
     * client writes 10,000 bytes right after connect, before the server accepts (no handshake can complete before
     * the server's accept opens its Tux connection); then the server accepts, waits until the connection is on
     * Tux, and reads them: they come from TCP (they precede X). Expected: client kernelOut = server kernelIn =
     * 10,000 and tuxIn = 0 on the server.
     */
    @Test
    @Order(6)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void bytesReadFromTcpBeforeTheCutoverAreCountedAsKernelBytes() throws Exception {
        requireNetns();
        int k = 10_000;
        try (NetnsTestBed bed = NetnsTestBed.create()) {
            String b = bed.addressB().getHostAddress();
            List<String> jvm = tuxJvm("-Dtux.handshakeTimeoutMillis=5000");
            Child server = Child.start(bed, "early-bytes server in B", bed.javaIn(bed.nsB(), jvm,
                    EarlyBytesMain.class.getName(), List.of("server", b, Integer.toString(k),
                            Long.toString(CHILD_SECONDS))));
            String port = server.awaitLine("LISTENING ", Duration.ofSeconds(60)).split(" ")[1];
            Child client = Child.start(bed, "early-bytes client in A", bed.javaIn(bed.nsA(), jvm,
                    EarlyBytesMain.class.getName(), List.of("client", b, port, Integer.toString(k),
                            Long.toString(CHILD_SECONDS))));
            String wrote = client.awaitLine("WROTE ", Duration.ofSeconds(60));
            server.tell("accept");
            String sl = server.awaitLine("SERVER ", Duration.ofSeconds(60));
            String cl = client.awaitLine("CLIENT ", Duration.ofSeconds(60));
            assertEquals(0, client.awaitExit(Duration.ofSeconds(30)), client.transcript());
            assertEquals(0, server.awaitExit(Duration.ofSeconds(30)), server.transcript());
            System.out.println("E2E early bytes: client " + wrote + " / " + cl + "\nE2E early bytes: server " + sl);
            Map<String, String> w = kv(wrote);
            Map<String, String> c = kv(cl);
            Map<String, String> s = kv(sl);
            assertEquals("KERNEL", w.get("mode"), "no handshake can have completed before the server accepted");
            assertEquals(Integer.toString(k), w.get("kernelOut"), wrote);
            assertEquals("true", s.get("exact"), sl);
            assertEquals("true", s.get("eof"), sl);
            assertEquals("TUX", s.get("mode"), server.transcript());
            assertEquals("TUX", c.get("mode"), client.transcript());
            assertEquals(Integer.toString(k), c.get("kernelOut"), cl);
            assertEquals("0", c.get("tuxOut"), cl);
            assertEquals(Integer.toString(k), s.get("kernelIn"), "the server read them from TCP: " + sl);
            assertEquals("0", s.get("tuxIn"), sl);
        }
    }

    @Test
    @Order(7)
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void theSameEchoOnTheJdkProvider() throws Exception {
        requireNetns();
        try (NetnsTestBed bed = NetnsTestBed.create()) {
            Echo e = echo(bed, jdkJvm(), jdkJvm(), BULK_BYTES, Duration.ofSeconds(160));
            assertExactEcho(e, BULK_BYTES);
            assertEquals("null", e.client().get("mode"));
            jdkMbps = Double.parseDouble(e.client().get("mbps"));
            long segsA = e.tcpA().get("Tcp.InSegs") + e.tcpA().get("Tcp.OutSegs");
            System.out.printf(Locale.ROOT, "E2E jdk echo: %d bytes each way in %s ms, %.1f MB/s; TCP segments in A: "
                    + "%d; Tux/JDK throughput ratio %s%n", BULK_BYTES, e.client().get("millis"), jdkMbps, segsA,
                    tuxMbps < 0 ? "n/a (Tux run missing)" : String.format(Locale.ROOT, "%.3f", tuxMbps / jdkMbps));
        }
    }

    /** The summary line: the connection counters exactly, then the engine counters with {@code engineCounter}. */
    private static void assertSummary(String connections, String engineCounter, String summary) {
        assertTrue(summary.startsWith(connections + "; engine "), summary);
        assertTrue(summary.contains(" " + engineCounter + " "), summary);
    }
}
