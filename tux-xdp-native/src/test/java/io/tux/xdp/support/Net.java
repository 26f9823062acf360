package io.tux.xdp.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs iproute2 commands for root tests and makes test beds with unique names: a veth pair in the root
 * namespace, or one with its second end moved into a fresh network namespace. Closing deletes everything.
 */
public final class Net {

    private Net() {}

    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** A short name unique to this JVM and call, e.g. "tux1a2b3"; at most 12 characters. */
    public static String uniqueName(String prefix) {
        String id = Long.toString(ProcessHandle.current().pid() % 1_000_000, 36) + COUNTER.incrementAndGet();
        return (prefix + id).substring(0, Math.min(12, prefix.length() + id.length()));
    }

    /** Runs a command (20 s limit); returns its output; throws when it fails. */
    public static String run(String... command) throws IOException {
        Result r = tryRun(command);
        if (r.exit != 0) {
            throw new IOException(String.join(" ", command) + " -> exit " + r.exit + ": " + r.output);
        }
        return r.output;
    }

    public record Result(int exit, String output) {}

    /** Runs a command (20 s limit) and returns exit code and output. */
    public static Result tryRun(String... command) throws IOException {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in 20 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** A veth pair {@code a}/{@code b}; {@code b} lives in namespace {@code ns} when that is not null. */
    public record Veth(String a, String b, String ns) implements AutoCloseable {

        /** Both ends in the root namespace, up, no addresses. */
        public static Veth rootPair() throws IOException {
            return rootPair(1);
        }

        /** Both ends in the root namespace with {@code queues} RX/TX queues each, up, no addresses. */
        public static Veth rootPair(int queues) throws IOException {
            String base = uniqueName("tx");
            Veth v = new Veth(base + "a", base + "b", null);
            String q = Integer.toString(queues);
            try {
                run("ip", "link", "add", v.a, "numtxqueues", q, "numrxqueues", q, "type", "veth", "peer", "name", v.b,
                        "numtxqueues", q, "numrxqueues", q);
                run("ip", "link", "set", v.a, "up");
                run("ip", "link", "set", v.b, "up");
            } catch (IOException e) {
                v.close();
                throw e;
            }
            return v;
        }

        /**
         * End {@code a} in the root namespace with {@code prefix}.1/24, end {@code b} in a new namespace with
         * {@code prefix}.2/24 (prefix like "10.77.3").
         */
        public static Veth toNamespace(String prefix) throws IOException {
            String base = uniqueName("tx");
            Veth v = new Veth(base + "a", base + "b", uniqueName("tuxns"));
            try {
                run("ip", "netns", "add", v.ns);
                run("ip", "link", "add", v.a, "type", "veth", "peer", "name", v.b);
                run("ip", "link", "set", v.b, "netns", v.ns);
                run("ip", "addr", "add", prefix + ".1/24", "dev", v.a);
                run("ip", "-n", v.ns, "addr", "add", prefix + ".2/24", "dev", v.b);
                run("ip", "link", "set", v.a, "up");
                run("ip", "-n", v.ns, "link", "set", v.b, "up");
                run("ip", "-n", v.ns, "link", "set", "lo", "up");
            } catch (IOException e) {
                v.close();
                throw e;
            }
            return v;
        }

        /** MAC address of end {@code a} or {@code b}. */
        public byte[] mac(String end) throws IOException {
            String out = ns != null && end.equals(b) ? run("ip", "-n", ns, "-o", "link", "show", end)
                    : run("ip", "-o", "link", "show", end);
            int i = out.indexOf("link/ether ");
            return java.util.HexFormat.ofDelimiter(":").parseHex(out.substring(i + 11, i + 28));
        }

        @Override
        public void close() throws IOException {
            tryRun("ip", "link", "del", a);
            if (ns != null) {
                tryRun("ip", "netns", "del", ns);
            }
        }
    }
}
