package io.tux.spi.netns;

import io.tux.xdp.testbed.NetnsTestBed;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A process the test started through its {@link NetnsTestBed} (so the bed kills it by pid on close), with
 * standard error merged into standard output; a reader thread collects the lines, and {@link #awaitLine} waits
 * for one with a bound. {@link #transcript()} is everything it printed so far (for failure messages and the
 * summary line).
 *
 * <p>Threading: the reader thread appends; the test thread reads; the queue and the synchronized transcript
 * hand lines over.
 */
final class Child {
    private final String name;
    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    /** Counted down by the reader thread at the end of the output. */
    private final CountDownLatch ended = new CountDownLatch(1);
    /** Appended by the reader thread, read by the test thread; guarded by itself. */
    private final StringBuilder transcript = new StringBuilder();

    private Child(String name, Process process) {
        this.name = name;
        this.process = process;
        Thread.ofPlatform().daemon().name("e2e-child-" + name).start(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (transcript) {
                        transcript.append(line).append('\n');
                    }
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("READ ERROR " + e);
            } finally {
                ended.countDown();
            }
        });
    }

    /** Starts {@code builder} through {@code bed} with stderr merged into stdout. */
    static Child start(NetnsTestBed bed, String name, ProcessBuilder builder) throws IOException {
        builder.redirectErrorStream(true);
        return new Child(name, bed.start(builder));
    }

    /** Waits at most {@code timeout} for a line starting with {@code prefix}; fails with the transcript if none. */
    String awaitLine(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError(name + " printed no line starting with '" + prefix + "' within " + timeout
                        + "; it printed:\n" + transcript());
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** Waits at most {@code timeout} for the process to exit; returns its exit code or fails. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new AssertionError(name + " (pid " + process.pid() + ") still runs after " + timeout
                    + "; it printed:\n" + transcript());
        }
        return process.exitValue();
    }

    /**
     * After exit: the output, once the reader reached its end (bounded: the pipe closes when the process and its
     * descendants are gone).
     */
    String finalTranscript(Duration timeout) throws InterruptedException {
        if (!ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new AssertionError(name + ": output did not end within " + timeout + ":\n" + transcript());
        }
        return transcript();
    }

    /** Kills the process at once (SIGKILL, by its pid, as {@code kill -9}); returns its pid. */
    long kill() {
        process.destroyForcibly();
        return process.pid();
    }

    /** Writes one line to the process's standard input. */
    void tell(String line) throws java.io.IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    String transcript() {
        synchronized (transcript) {
            return transcript.toString();
        }
    }

    String name() {
        return name;
    }
}
