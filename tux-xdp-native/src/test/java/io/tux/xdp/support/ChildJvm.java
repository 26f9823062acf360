package io.tux.xdp.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a test-class main, optionally inside a network namespace (ip netns exec). Its output
 * lines are collected by a reader thread; {@link #awaitLine} waits for one with a bound. Closing kills it
 * (by its own process handle) if it still runs.
 */
public final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(10_000);

    private ChildJvm(Process process) {
        this.process = process;
        Thread.ofPlatform().daemon().name("child-jvm-output").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.offer(line);
                }
            } catch (IOException e) {
                lines.offer("READ ERROR " + e);
            }
        });
    }

    /** Starts {@code mainClass} with {@code args}; in namespace {@code netns} unless null. */
    public static ChildJvm start(String netns, Class<?> mainClass, String... args) throws IOException {
        return startWith(netns == null ? List.of() : List.of("ip", "netns", "exec", netns), mainClass, args);
    }

    /** Starts {@code mainClass} with {@code args} under the command {@code prefix} (e.g. setpriv ...). */
    public static ChildJvm startWith(List<String> prefix, Class<?> mainClass, String... args) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", cp,
                mainClass.getName()));
        cmd.addAll(List.of(args));
        return new ChildJvm(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    }

    /** Waits (bounded) for an output line starting with {@code prefix}; returns it, or fails with what was seen. */
    public String awaitLine(String prefix, long seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        StringBuilder seen = new StringBuilder();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new IOException("child did not print '" + prefix + "' within " + seconds + " s; it printed:\n" + seen);
            }
            seen.append(line).append('\n');
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** Writes one line to the child's stdin. */
    public void tell(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    public long pid() {
        return process.pid();
    }

    /** Waits (bounded) for exit; returns the exit code. */
    public int awaitExit(long seconds) throws IOException, InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new IOException("child " + pid() + " still running after " + seconds + " s");
        }
        return process.exitValue();
    }

    /** SIGKILL to the child (its own pid, no one else). */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
