package io.tux.integration;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.utils.Time;

/**
 * Child JVM: an unmodified Apache Kafka server in KRaft combined mode (broker and controller in this JVM), started
 * from a properties file the test wrote. Formats the log directory with Kafka's own StorageTool, starts the
 * server, prints {@code BROKER STARTED}, then waits for {@code stop} on standard input (or its end), shuts the
 * server down, prints {@code BROKER STOPPED} and exits 0 (so Tux's exit summary line is printed).
 *
 * <p>Arguments: properties file, cluster id, watchdog seconds.
 */
public final class KafkaBrokerMain {
    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        Watchdog.start(Long.parseLong(args[2]));
        int formatted = StorageTool.execute(new String[] {"format", "-t", args[1], "-c", args[0]}, System.out);
        if (formatted != 0) {
            System.out.println("BROKER FORMAT FAILED " + formatted);
            System.exit(1);
        }
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
            props.load(r);
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        long t0 = System.nanoTime();
        server.startup();
        System.out.println("BROKER STARTED in " + (System.nanoTime() - t0) / 1_000_000 + " ms, provider="
                + java.nio.channels.spi.SelectorProvider.provider().getClass().getName());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null && !line.trim().equals("stop"); ) {
            // only "stop" means anything
        }
        long t1 = System.nanoTime();
        server.shutdown();
        server.awaitShutdown();
        System.out.println("BROKER STOPPED in " + (System.nanoTime() - t1) / 1_000_000 + " ms");
        System.out.flush();
        System.exit(0);
    }
}
