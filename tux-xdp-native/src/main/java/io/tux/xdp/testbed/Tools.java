package io.tux.xdp.testbed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Locates iproute2's binaries and runs external commands with a bound on their time. Any thread. */
final class Tools {

    private static final List<String> BIN_DIRS = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");

    private Tools() {
    }

    /** Absolute path of {@code ip}. @throws IllegalStateException if iproute2 is not installed */
    static String ip() {
        return find("ip");
    }

    /** Absolute path of {@code tc}. @throws IllegalStateException if iproute2 is not installed */
    static String tc() {
        return find("tc");
    }

    private static String find(String name) {
        for (String dir : BIN_DIRS) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                    return Path.of(dir, name).toString();
                }
            }
        }
        throw new IllegalStateException("no '" + name + "' binary in " + BIN_DIRS + " or PATH (install iproute2)");
    }

    /**
     * Runs {@code command}, waits at most {@code timeout}, and returns stdout and stderr (merged). Output goes
     * through a temporary file, so a chatty command can never block on a full pipe.
     *
     * @throws IOException if the command cannot start, exits non-zero, or times out (then it is killed)
     */
    static String run(List<String> command, Duration timeout) throws IOException {
        Path out = Files.createTempFile("tux-cmd", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            boolean exited;
            try {
                exited = p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + command, e);
            }
            if (!exited) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException("timed out after " + timeout + ": " + String.join(" ", command));
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException("exit " + p.exitValue() + " from '" + String.join(" ", command) + "': "
                        + output.trim());
            }
            return output;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
