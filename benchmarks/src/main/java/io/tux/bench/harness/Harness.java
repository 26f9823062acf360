package io.tux.bench.harness;

import io.tux.bench.net.NetBenchmark;
import io.tux.xdp.testbed.NetnsTestBed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs JMH inside a fresh test bed: creates a {@link NetnsTestBed}, starts the JMH runner (and so all its
 * forks) in namespace A with the peer's namespace B and address passed as system properties, waits for it, and
 * closes the bed, which kills the runner and everything it started (forks, peer JVMs) by pid and deletes both
 * namespaces. A shutdown hook does the same when this JVM is interrupted (SIGINT, SIGTERM).
 *
 * <p>If the environment variable {@code TUX_BENCH_STATE} names a file, the two namespace names are written to it
 * (one line) so that a caller can remove them even if this JVM is killed outright.
 *
 * <p>Usage: {@code Harness <cpu records file> <timeout minutes> <JMH arguments...>}; exits with the runner's
 * exit code (124 on timeout, 3 if the bed cannot be made).
 *
 * <p>Threading: the main thread, plus the shutdown hook.
 */
public final class Harness {
    private Harness() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Harness <cpu records file> <timeout minutes> <JMH arguments...>");
            System.exit(2);
        }
        String cpuFile = args[0];
        long timeoutMinutes = Long.parseLong(args[1]);
        String reason = NetnsTestBed.unavailableReason();
        if (reason != null) {
            System.err.println("bench: cannot create the test bed: " + reason);
            System.exit(3);
        }
        NetnsTestBed bed = NetnsTestBed.create();
        Thread hook = new Thread(bed::close, "tux-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        int code;
        try {
            System.out.println("bench: test bed " + bed);
            String state = System.getenv("TUX_BENCH_STATE");
            if (state != null) {
                // for bin/bench's trap: the namespaces to sweep if this JVM dies without closing the bed
                Files.writeString(Path.of(state), bed.nsA() + " " + bed.nsB() + "\n", StandardCharsets.US_ASCII);
            }
            String forkArgs = String.join(" ",
                    "-Xmx1g", "--enable-native-access=ALL-UNNAMED",
                    "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
                    "-D" + NetBenchmark.PEER_NS_PROPERTY + "=" + bed.nsB(),
                    "-D" + NetBenchmark.PEER_ADDRESS_PROPERTY + "=" + bed.addressB().getHostAddress(),
                    "-D" + NetBenchmark.CPU_FILE_PROPERTY + "=" + cpuFile);
            List<String> jmh = new ArrayList<>(List.of(args).subList(2, args.length));
            jmh.add("-jvmArgsAppend");
            jmh.add(forkArgs);
            Process runner = bed.start(bed.javaIn(bed.nsA(), List.of("-Xmx512m"), "org.openjdk.jmh.Main", jmh)
                    .inheritIO());
            if (runner.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
                code = runner.exitValue();
            } else {
                System.err.println("bench: JMH did not finish within " + timeoutMinutes + " min; stopping it");
                code = 124;
            }
        } finally {
            bed.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook runs bed.close() again, which is idempotent
            }
        }
        System.exit(code);
    }
}
