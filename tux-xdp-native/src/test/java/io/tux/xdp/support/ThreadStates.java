package io.tux.xdp.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Reads the kernel's view of this JVM's threads (/proc/self/task): lets a test wait, bounded, until a thread
 * really sleeps in poll(2)/ppoll(2), so that what it does next is known to wake a sleeper. A platform thread's
 * native name is its Java name cut to 15 characters.
 */
public final class ThreadStates {

    private ThreadStates() {}

    /** Waits at most {@code seconds} until {@code t} sleeps (state S) in a poll; fails otherwise. */
    public static void awaitSleeping(Thread t, int seconds) throws IOException {
        String name = t.getName().length() > 15 ? t.getName().substring(0, 15) : t.getName();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String last = "no task named " + name;
        while (System.nanoTime() < deadline) {
            for (Path task : tasks()) {
                String comm = read(task.resolve("comm"));
                if (!name.equals(comm)) {
                    continue;
                }
                String stat = read(task.resolve("stat"));
                String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
                String wchan = read(task.resolve("wchan"));
                last = "state " + state + ", wchan " + wchan;
                if (state.equals("S") && (wchan.contains("poll") || wchan.equals("0") || wchan.isEmpty())) {
                    return;
                }
            }
            Thread.onSpinWait();
        }
        fail("thread " + t.getName() + " did not sleep in poll within " + seconds + " s: " + last);
    }

    private static List<Path> tasks() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/task"))) {
            return s.toList();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).trim();
        } catch (IOException e) {
            return ""; // the task ended meanwhile
        }
    }
}
