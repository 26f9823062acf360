package io.tux.xdp.link;

import io.tux.xdp.support.Root;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.util.Collection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@link RawLinkBenchmark} with the JMH runner from the test class path. Opt-in, since spinning threads
 * hog the machine's shared cores: {@code bin/test -pl tux-xdp-native -am -Dtest=RawLinkBenchmarkMeasurement
 * -Dtux.test.argLine="--enable-native-access=ALL-UNNAMED"}. Asserts only that JMH ran and
 * produced a figure (tests never assert timings).
 */
class RawLinkBenchmarkMeasurement {

    @Test
    void runTheJmhBenchmark() throws Exception {
        Root.require();
        String mode = System.getProperty("io.tux.xdp.mode", "auto");
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(RawLinkBenchmark.class.getName())
                .jvmArgsAppend("-Dio.tux.xdp.mode=" + mode)
                .build()).run();
        assertEquals(1, results.size());
        double us = results.iterator().next().getPrimaryResult().getScore();
        System.out.println("raw AF_XDP round trip of 64 B between two namespaces, mode " + mode + ": " + us + " us");
        assertTrue(us > 0);
    }
}
