package io.tux.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tux.integration.Jvms.Side;
import io.tux.xdp.testbed.NetnsTestBed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apache Kafka, unmodified (from Maven Central), across two network namespaces: a KRaft server (broker and
 * controller in one JVM, {@link KafkaBrokerMain}) in namespace A, and a JVM with the Admin client, a producer and
 * a consumer ({@link KafkaClientMain}) in B. Every record produced must be read back exactly once, at the offset
 * the broker acknowledged, with its exact value. With Tux on both ends the client's connections run on Tux and
 * the kernel's TCP counters show that the records did not travel as TCP segments; with Tux on the client only,
 * every client connection stays on kernel TCP ({@code PEER_NOT_TUX}) and the records still arrive exactly.
 *
 * <p>Needs root (network namespaces, AF_XDP): fails under CI=true when it cannot run, skips otherwise.
 */
class KafkaOnTuxTest {
    static final int RECORDS = 20_000;
    static final int VALUE_SIZE = 1024;
    static final int PARTITIONS = 3;
    static final long SEED = 0x7E57_CAFC_0001L;
    static final long VALUE_BYTES = (long) RECORDS * VALUE_SIZE;

    @TempDir
    Path dir;

    record Run(Map<String, String> client, TuxSummary clientSummary, TuxSummary brokerSummary, TcpCounters tcp,
               String clientOut, String brokerOut) {
    }

    static Map<String, String> kv(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher x = java.util.regex.Pattern.compile("(\\w+)=(\\S*)").matcher(line);
        while (x.find()) {
            m.put(x.group(1), x.group(2));
        }
        return m;
    }

    /** The server's configuration: KRaft combined mode, both listeners on A's veth address, logs in the temp dir. */
    Path writeBrokerConfig(NetnsTestBed bed) throws Exception {
        String a = bed.addressA().getHostAddress();
        Path logs = Files.createDirectories(dir.resolve("kafka-logs"));
        String config = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + a + ":9093",
                "listeners=PLAINTEXT://" + a + ":9092,CONTROLLER://" + a + ":9093",
                "advertised.listeners=PLAINTEXT://" + a + ":9092",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + logs,
                "num.partitions=1",
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "num.network.threads=2",
                "num.io.threads=2",
                "") ;
        Path file = dir.resolve("server.properties");
        Files.writeString(file, config, StandardCharsets.UTF_8);
        return file;
    }

    Run run(Side broker, Side client, List<String> clientJvm) throws Exception {
        try (NetnsTestBed bed = NetnsTestBed.create()) {
            Path config = writeBrokerConfig(bed);
            TcpCounters before = TcpCounters.of(bed);
            String run = "kafka-" + broker + "-broker-" + client + "-clients";
            Child b = null;
            Child c = null;
            try {
                b = Child.start(bed, "kafka server in A (" + broker + ")", Jvms.java(bed, bed.nsA(), broker, dir,
                        List.of(), KafkaBrokerMain.class, List.of(config.toString(), Uuid.randomUuid().toString(),
                                Long.toString(Jvms.CHILD_SECONDS))));
                String started = b.awaitLine("BROKER STARTED", Duration.ofSeconds(90));
                c = Child.start(bed, "kafka clients in B (" + client + ")", Jvms.java(bed, bed.nsB(), client, dir,
                        clientJvm, KafkaClientMain.class, List.of(bed.addressA().getHostAddress() + ":9092", "tux-it",
                                Integer.toString(RECORDS), Integer.toString(VALUE_SIZE), Integer.toString(PARTITIONS),
                                Long.toString(SEED), Long.toString(Jvms.CHILD_SECONDS))));
                String result = c.awaitLine("KAFKA ", Duration.ofSeconds(120));
                assertEquals(0, c.awaitExit(Duration.ofSeconds(30)), c.transcript());
                b.tell("stop");
                String stopped = b.awaitLine("BROKER STOPPED", Duration.ofSeconds(60));
                assertEquals(0, b.awaitExit(Duration.ofSeconds(30)), b.transcript());
                TcpCounters tcp = TcpCounters.of(bed).minus(before);
                String co = c.finalTranscript(Duration.ofSeconds(10));
                String bo = b.finalTranscript(Duration.ofSeconds(10));
                TuxSummary csum = client == Side.TUX ? TuxSummary.of(co) : null;
                TuxSummary bsum = broker == Side.TUX ? TuxSummary.of(bo) : null;
                System.out.println("KAFKA " + broker + " broker / " + client + " clients: " + result + "\n  " + started
                        + "; " + stopped + "\n  " + tcp + "\n  clients " + (csum == null ? "JDK provider" : csum.line())
                        + "\n  broker " + (bsum == null ? "JDK provider" : bsum.line()));
                return new Run(kv(result), csum, bsum, tcp, co, bo);
            } finally {
                if (b != null) {
                    b.save(run + ".broker.log");
                }
                if (c != null) {
                    c.save(run + ".clients.log");
                }
            }
        }
    }

    static void assertEveryRecordExact(Run r) {
        Map<String, String> k = r.client();
        String all = r.clientOut();
        assertEquals(Integer.toString(RECORDS), k.get("acked"), "records the broker acknowledged: " + all);
        assertEquals("0", k.get("sendErrors"), all);
        assertEquals(Integer.toString(RECORDS), k.get("consumed"), "records read back: " + all);
        assertEquals(Integer.toString(RECORDS), k.get("exact"), "records read back exactly: " + all);
        assertEquals("0", k.get("duplicates"), all);
        assertEquals("0", k.get("wrong"), all);
    }

    @Test
    @Timeout(value = 170, unit = TimeUnit.SECONDS)
    void recordsWithTuxOnBothEndsRunOnTux() throws Exception {
        Jvms.requireNetns();
        Run r = run(Side.TUX, Side.TUX, List.of());
        assertEveryRecordExact(r);
        TuxSummary c = r.clientSummary();
        assertTrue(c.connections() > 0, c.line());
        assertEquals(0, c.kernel(), "no client connection on kernel TCP: " + c.line());
        assertEquals(0, c.undecided(), c.line());
        assertEquals(c.connections(), c.tux(), c.line());
        // the records went on Tux both ways: produced (out) and fetched (in)
        assertTrue(c.tuxOut() > VALUE_BYTES, "produced on Tux: " + c.line());
        assertTrue(c.tuxIn() > VALUE_BYTES, "fetched on Tux: " + c.line());
        TuxSummary b = r.brokerSummary();
        assertTrue(b.tuxIn() > VALUE_BYTES && b.tuxOut() > VALUE_BYTES, "the broker's Tux bytes: " + b.line());
        assertFalse(b.kernelByReason().containsKey("PEER_NOT_TUX"), b.line());
        assertEquals(0, b.undecided(), b.line());
        // Carried by TCP, the records (to the broker and back) would be at least this many segments sent in B and A
        long payloadSegments = 2 * TcpCounters.segmentsFor(VALUE_BYTES);
        long sent = r.tcp().outA() + r.tcp().outB();
        assertTrue(sent < payloadSegments / 20, "TCP segments sent: " + sent + " (" + r.tcp()
                + "), the records on TCP would be >= " + payloadSegments);
    }

    @Test
    @Timeout(value = 170, unit = TimeUnit.SECONDS)
    void recordsWithTuxOnTheClientsOnlyFallBackAndStayExact() throws Exception {
        Jvms.requireNetns();
        // decided after 2 ms instead of the default 1 s (a user's option), so that even the Admin client's
        // short-lived bootstrap connection is decided before it closes (else it counts as CLOSED_DURING_HANDSHAKE)
        Run r = run(Side.JDK, Side.TUX, List.of("-Dtux.handshakeTimeoutMillis=2"));
        assertEveryRecordExact(r);
        TuxSummary c = r.clientSummary();
        assertTrue(c.connections() > 0, c.line());
        assertEquals(0, c.tux(), c.line());
        assertEquals(0, c.undecided(), c.line());
        assertEquals(c.connections(), c.kernel(), c.line());
        assertEquals(Map.of("PEER_NOT_TUX", c.connections()), c.kernelByReason(), c.line());
        assertEquals(0, c.tuxIn() + c.tuxOut(), c.line());
        assertTrue(c.kernelOut() > VALUE_BYTES && c.kernelIn() > VALUE_BYTES, c.line());
        assertFalse(r.brokerOut().contains("Tux summary"), "the broker ran the JDK's provider");
        // the records went as TCP segments: B sent at least the segments that carry them, and so did A
        long payloadSegments = TcpCounters.segmentsFor(VALUE_BYTES);
        assertTrue(r.tcp().outB() >= payloadSegments, r.tcp() + ", records " + payloadSegments + " segments");
        assertTrue(r.tcp().outA() >= payloadSegments, r.tcp() + ", records " + payloadSegments + " segments");
    }
}
